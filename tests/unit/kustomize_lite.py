"""A small Kustomize, for a machine without `kustomize` or `kubectl kustomize`: renders the
kustomizations under deploy/kubernetes as Kustomize does, for the fields they use.

Supported: resources (files, and folders with a kustomization.yaml), namespace, labels (pairs,
includeTemplates), images (newName, newTag), replicas, configMapGenerator and secretGenerator
(files, literals, envs; behavior create, merge or replace), and patches that are strategic-merge
files, with a target (kind, name) or matched by their own kind and name. The strategic merge is
simplified: maps merge, a list of maps that have a `name` merges by name, any other list is
replaced.

Not supported (a kustomization that uses it is refused): name-suffix hashes (generated names stay
as written, so references need no rewriting), JSON 6902 patches and `$patch` directives,
components, replacements and vars, Helm charts, remote bases, generatorOptions, commonLabels and
commonAnnotations, label selectors (includeSelectors).
"""
import base64
import copy
from pathlib import Path

import yaml

SUPPORTED = {"apiVersion", "kind", "namespace", "labels", "resources", "images", "replicas",
             "configMapGenerator", "secretGenerator", "patches"}
GENERATORS = (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator"))


def build(folder: Path) -> list[dict]:
    folder = Path(folder)
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unsupported = set(spec) - SUPPORTED
    if unsupported:
        raise NotImplementedError(
            f"{folder}: kustomize_lite does not support {sorted(unsupported)}")
    docs = []
    for entry in spec.get("resources", []):
        path = folder / entry
        docs += build(path) if path.is_dir() else [
            d for d in yaml.safe_load_all(path.read_text()) if d]
    for kind, key in GENERATORS:
        for generator in spec.get(key, []):
            generate(docs, kind, generator, folder)
    for patch in spec.get("patches", []):
        apply_patch(docs, patch, folder)
    for image in spec.get("images", []):
        set_image(docs, image)
    for replicas in spec.get("replicas", []):
        for doc in select(docs, "Deployment", replicas["name"]):
            doc["spec"]["replicas"] = replicas["count"]
    for labels in spec.get("labels", []):
        set_labels(docs, labels)
    if "namespace" in spec:
        for doc in docs:
            if doc["kind"] != "Namespace":
                doc["metadata"]["namespace"] = spec["namespace"]
    return docs


def select(docs, kind, name=None):
    return [d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"])]


def generate(docs, kind, generator, folder):
    unsupported = set(generator) - {"name", "behavior", "literals", "files", "envs"}
    if unsupported:
        raise NotImplementedError(f"{generator['name']}: {sorted(unsupported)}")
    data = {}
    for literal in generator.get("literals", []):
        key, value = literal.split("=", 1)
        data[key] = value
    for entry in generator.get("files", []):
        key, _, path = entry.rpartition("=")
        data[key or Path(path).name] = (folder / path).read_text()
    for path in generator.get("envs", []):
        for line in (folder / path).read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                data[key.strip()] = value
    if kind == "Secret":
        data = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
    behavior = generator.get("behavior", "create")
    existing = select(docs, kind, generator["name"])
    if behavior == "create":
        if existing:
            raise ValueError(f"{kind} {generator['name']} exists already")
        doc = {"apiVersion": "v1", "kind": kind, "metadata": {"name": generator["name"]},
               "data": data}
        if kind == "Secret":
            doc["type"] = "Opaque"
        docs.append(doc)
    elif not existing:
        raise ValueError(f"{behavior}: no {kind} {generator['name']} to change")
    elif behavior == "merge":
        existing[0]["data"].update(data)
    else:
        existing[0]["data"] = data


def apply_patch(docs, patch, folder):
    unsupported = set(patch) - {"path", "target"}
    if unsupported:
        raise NotImplementedError(f"patch {patch}: {sorted(unsupported)}")
    change = yaml.safe_load((folder / patch["path"]).read_text())
    target = patch.get("target") or {"kind": change["kind"], "name": change["metadata"]["name"]}
    if set(target) - {"kind", "name"}:
        raise NotImplementedError(f"patch target {target}")
    change = copy.deepcopy(change)
    change["metadata"].pop("name", None)
    matched = select(docs, target["kind"], target.get("name"))
    if not matched:
        raise ValueError(f"patch {patch['path']} matches nothing")
    for doc in matched:
        merge(doc, change)


def merge(into, change):
    """Strategic merge, simplified (see the module's docstring)."""
    if isinstance(into, dict) and isinstance(change, dict):
        for key, value in change.items():
            into[key] = merge(into[key], value) if key in into else copy.deepcopy(value)
        return into
    if (isinstance(into, list) and isinstance(change, list)
            and all(isinstance(item, dict) and "name" in item for item in into + change)):
        for item in change:
            same = [mine for mine in into if mine["name"] == item["name"]]
            if same:
                merge(same[0], item)
            else:
                into.append(copy.deepcopy(item))
        return into
    return copy.deepcopy(change)


def pod_specs(docs):
    return [d["spec"]["template"]["spec"] for d in docs if "template" in d.get("spec", {})]


def set_image(docs, image):
    for spec in pod_specs(docs):
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                tag = image.get("newTag", tag)
                container["image"] = image.get("newName", name) + (f":{tag}" if tag else "")


def set_labels(docs, labels):
    if labels.get("includeSelectors"):
        raise NotImplementedError("labels with includeSelectors")
    for doc in docs:
        doc["metadata"].setdefault("labels", {}).update(labels["pairs"])
        if labels.get("includeTemplates") and "template" in doc.get("spec", {}):
            doc["spec"]["template"]["metadata"].setdefault("labels", {}).update(labels["pairs"])
