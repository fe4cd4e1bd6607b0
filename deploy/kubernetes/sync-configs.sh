#!/bin/sh
# Copies every services/<name>/config.yaml to base/configs/<name>.yaml, the files of the
# epun-nameko-config ConfigMap (kustomize reads no file outside its folder).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for config in "$here"/../../services/*/config.yaml; do
  service=$(basename "$(dirname "$config")")
  cp "$config" "$here/base/configs/$service.yaml"
done
