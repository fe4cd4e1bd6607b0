"""The Kubernetes manifests of deploy/kubernetes, rendered and checked offline.

The base and the production overlay are rendered by `kustomize build` or `kubectl kustomize`
where one is installed, else by tests/unit/kustomize_lite.py (which says what it does not
support); every rendered object is validated against the schemas of Kubernetes KUBERNETES_VERSION
that the `kubernetes-validate` package ships (strict: no unknown field).
"""
import base64
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from epun import ROOT
from tests.unit import kustomize_lite
from tests.unit.deploy_platform import DEPLOY, HTTP_PORT, PLATFORM, SECRETS, service_config

pytestmark = pytest.mark.deploy

KUBERNETES_VERSION = "1.30.0"
KUBERNETES = DEPLOY / "kubernetes"
PRODUCTION = Path("overlays") / "production"


def kustomize_command() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render(folder: Path) -> list[dict]:
    command = kustomize_command()
    if command is None:
        return kustomize_lite.build(folder)
    done = subprocess.run([*command, str(folder)], capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} {folder}: {done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def without_secrets_files(folder, names):
    return [name for name in names if Path(folder).name == "secrets" and name.endswith(".env")]


def copy_with_example_secrets(target: Path) -> Path:
    """deploy/kubernetes without any real secrets file, each secrets/*.env made from its example."""
    shutil.copytree(KUBERNETES, target, ignore=without_secrets_files)
    for example in (target / PRODUCTION / "secrets").glob("*.env.example"):
        shutil.copy(example, example.with_suffix(""))
    return target


@pytest.fixture(scope="module")
def base():
    return render(KUBERNETES / "base")


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    copied = copy_with_example_secrets(tmp_path_factory.mktemp("k8s") / "kubernetes")
    return render(copied / PRODUCTION)


@pytest.fixture(params=["base", "production"])
def rendered(request):
    return request.getfixturevalue(request.param)


def of_kind(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def deployments(docs):
    return of_kind(docs, "Deployment")


def container(deployment):
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def env_value(deployment, name):
    return {e["name"]: e for e in container(deployment).get("env", [])}.get(name)


def generated(docs, kind, name):
    """A generated ConfigMap or Secret by the name it has in the kustomization (Kustomize adds a
    hash suffix)."""
    (found,) = [doc for n, doc in of_kind(docs, kind).items()
                if re.fullmatch(rf"{name}(-[a-z0-9]{{10}})?", n)]
    return found


def secret_values(secret):
    return {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}


def memory_mib(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", quantity).groups()
    return float(number) * (1024 if unit == "Gi" else 1)


# --- schemas ---------------------------------------------------------------------------------

def test_every_rendered_object_is_valid_for_the_pinned_kubernetes_version(rendered):
    for doc in rendered:
        assert kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True) == "1.30"


def test_the_validator_rejects_what_kubernetes_would_reject(base):
    deployment = yaml.safe_load(yaml.safe_dump(deployments(base)["epun-gateway"]))
    container(deployment)["livenessProbe"]["httpGet"]["prot"] = "metrics"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


# --- one Deployment, Service and PodDisruptionBudget per service -------------------------------

def test_every_service_of_the_platform_has_a_deployment_a_service_and_a_disruption_budget(rendered):
    names = {f"epun-{service}" for service in PLATFORM}
    assert set(deployments(rendered)) == names
    assert set(of_kind(rendered, "Service")) == names
    assert set(of_kind(rendered, "PodDisruptionBudget")) == names
    for name, deployment in deployments(rendered).items():
        pods = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        budget = of_kind(rendered, "PodDisruptionBudget")[name]["spec"]
        assert selector.items() <= pods.items()
        assert budget["selector"]["matchLabels"] == selector
        assert budget.get("maxUnavailable") == 1 or \
            budget.get("minAvailable", 0) < deployment["spec"]["replicas"]
        assert of_kind(rendered, "Service")[name]["spec"]["selector"] == selector


def test_each_deployment_runs_its_service_from_the_image(rendered):
    for service, port in PLATFORM.items():
        deployment = deployments(rendered)[f"epun-{service}"]
        main = container(deployment)
        assert main["image"].rsplit(":", 1)[0].endswith("epun")
        assert main["args"] == [service]
        assert env_value(deployment, "METRICS_PORT")["value"] == str(port)
        assert {"name": "metrics", "containerPort": port} in main["ports"]
        assert deployment["spec"]["replicas"] >= 2


def test_the_image_tag_is_the_projects_version(rendered):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for deployment in deployments(rendered).values():
        assert container(deployment)["image"].rsplit(":", 1)[1] == version


def test_every_deployment_has_both_probes_on_the_metrics_port_and_resource_limits(rendered):
    for name, deployment in deployments(rendered).items():
        main = container(deployment)
        metrics_port = {p["name"]: p["containerPort"] for p in main["ports"]}["metrics"]
        assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}, name
        assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}, name
        assert main["startupProbe"]["httpGet"]["path"] == "/healthz", name
        assert metrics_port == PLATFORM[name.removeprefix("epun-")]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(main["resources"][bound]), (name, bound)
        assert memory_mib(main["resources"]["requests"]["memory"]) <= memory_mib(
            main["resources"]["limits"]["memory"])


def test_every_pod_runs_as_an_unprivileged_user(rendered):
    for name, deployment in deployments(rendered).items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] > 0, name
        assert pod["automountServiceAccountToken"] is False, name
        own = container(deployment)["securityContext"]
        assert own["allowPrivilegeEscalation"] is False, name
        assert own["readOnlyRootFilesystem"] is True, name
        assert own["capabilities"]["drop"] == ["ALL"], name
        assert "/tmp" in {m["mountPath"] for m in container(deployment)["volumeMounts"]}


def test_prometheus_scrapes_every_pod_on_its_metrics_port(rendered):
    for name, deployment in deployments(rendered).items():
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        assert int(annotations["prometheus.io/port"]) == PLATFORM[name.removeprefix("epun-")]


def test_the_gateway_alone_serves_http_and_its_service_exposes_it(rendered):
    for name, deployment in deployments(rendered).items():
        http = [p for p in container(deployment)["ports"] if p["name"] == "http"]
        assert http == ([{"name": "http", "containerPort": HTTP_PORT}]
                        if name == "epun-gateway" else [])
    ports = of_kind(rendered, "Service")["epun-gateway"]["spec"]["ports"]
    assert {"name": "http", "port": HTTP_PORT, "targetPort": "http"} in ports


def test_the_autoscaler_targets_the_gateway(rendered):
    (autoscaler,) = of_kind(rendered, "HorizontalPodAutoscaler").values()
    spec = autoscaler["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                      "name": "epun-gateway"}
    assert 2 <= spec["minReplicas"] < spec["maxReplicas"]
    assert spec["minReplicas"] <= deployments(rendered)["epun-gateway"]["spec"]["replicas"]
    assert spec["metrics"][0]["resource"]["name"] == "cpu"


# --- settings and secrets --------------------------------------------------------------------

def references(deployment):
    """(kind, name, key or None) of every ConfigMap and Secret a Deployment uses."""
    pod = deployment["spec"]["template"]["spec"]
    for source in container(deployment).get("envFrom", []):
        if "configMapRef" in source:
            yield "ConfigMap", source["configMapRef"]["name"], None
        if "secretRef" in source:
            yield "Secret", source["secretRef"]["name"], None
    for variable in container(deployment).get("env", []):
        ref = variable.get("valueFrom", {})
        if "secretKeyRef" in ref:
            yield "Secret", ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"]
        if "configMapKeyRef" in ref:
            yield "ConfigMap", ref["configMapKeyRef"]["name"], ref["configMapKeyRef"]["key"]
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            yield "ConfigMap", volume["configMap"]["name"], None


def test_every_configmap_and_secret_a_deployment_uses_exists(rendered):
    for name, deployment in deployments(rendered).items():
        used = list(references(deployment))
        assert {kind for kind, _, _ in used} == {"ConfigMap", "Secret"}
        for kind, ref, key in used:
            assert ref in of_kind(rendered, kind), (name, kind, ref)
            if key:
                assert key in of_kind(rendered, kind)[ref]["data"], (name, ref, key)


def test_each_secret_reaches_only_its_service_and_from_a_secret(rendered):
    for setting, owner in SECRETS.items():
        for service in PLATFORM:
            variable = env_value(deployments(rendered)[f"epun-{service}"], setting)
            if service == owner:
                assert set(variable) == {"name", "valueFrom"}, setting
                assert "secretKeyRef" in variable["valueFrom"]
            else:
                assert variable is None, (service, setting)
    for deployment in deployments(rendered).values():
        secret_refs = [s["secretRef"]["name"] for s in container(deployment)["envFrom"]
                       if "secretRef" in s]
        backends = generated(rendered, "Secret", "epun-backends")
        assert secret_refs == [backends["metadata"]["name"]]
    assert set(secret_values(backends)) == {"AMQP_URI", "MONGO_URI"}


def test_the_base_secrets_hold_placeholders_only(base):
    secrets = of_kind(base, "Secret")
    assert len(secrets) == 4
    for secret in secrets.values():
        for key, value in secret_values(secret).items():
            assert value.startswith("PLACEHOLDER"), (secret["metadata"]["name"], key)


def test_the_nameko_configs_in_the_configmap_equal_the_services_configs(base):
    configs = generated(base, "ConfigMap", "epun-nameko-config")["data"]
    assert set(configs) == {f"{service}.yaml" for service in PLATFORM}
    for service, port in PLATFORM.items():
        copy = configs[f"{service}.yaml"]
        original = service_config(service)
        if original is not None:  # refresh with deploy/kubernetes/sync-configs.sh
            assert copy == original, f"deploy/kubernetes/base/configs/{service}.yaml is stale"
        settings = yaml.safe_load(copy)
        assert settings["METRICS_PORT"] == f"${{METRICS_PORT:{port}}}"
        assert settings["METRICS_ADDR"] == "${METRICS_ADDR:127.0.0.1}"


def test_the_settings_make_the_services_listen_beyond_the_pod_and_read_mounted_configs(rendered):
    settings = generated(rendered, "ConfigMap", "epun-env")["data"]
    assert settings["METRICS_ADDR"] == "0.0.0.0"
    assert settings["WEB_SERVER_ADDRESS"] == f"0.0.0.0:{HTTP_PORT}"
    gateway = container(deployments(rendered)["epun-gateway"])
    mount = {m["name"]: m["mountPath"] for m in gateway["volumeMounts"]}
    assert settings["EPUN_CONFIG_DIR"] == mount["nameko-config"]
    assert not set(settings) & {*SECRETS, "AMQP_URI", "MONGO_URI"}


# --- the production overlay ------------------------------------------------------------------

def test_production_queues_are_quorum_queues_and_logs_are_json(base, production):
    assert generated(production, "ConfigMap", "epun-env")["data"]["QUEUE_TYPE"] == "quorum"
    assert generated(production, "ConfigMap", "epun-env")["data"]["LOG_FORMAT"] == "json"
    assert generated(base, "ConfigMap", "epun-env")["data"]["QUEUE_TYPE"] == "classic"


def test_production_runs_more_replicas_with_more_room(base, production):
    for name, deployment in deployments(production).items():
        smaller = deployments(base)[name]
        assert deployment["spec"]["replicas"] >= 3 > smaller["spec"]["replicas"]
        for bound in ("requests", "limits"):
            assert memory_mib(container(deployment)["resources"][bound]["memory"]) > memory_mib(
                container(smaller)["resources"][bound]["memory"]), (name, bound)
        assert deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
    base_gateway = of_kind(base, "HorizontalPodAutoscaler")["epun-gateway"]["spec"]
    gateway = of_kind(production, "HorizontalPodAutoscaler")["epun-gateway"]["spec"]
    assert gateway["maxReplicas"] > base_gateway["maxReplicas"]


def test_production_secrets_come_from_the_operators_files(production):
    examples = {}
    for example in (KUBERNETES / PRODUCTION / "secrets").glob("*.env.example"):
        for line in example.read_text().splitlines():
            if line and not line.startswith("#"):
                key, value = line.split("=", 1)
                examples[key] = value
    found = {}
    for secret in of_kind(production, "Secret").values():
        found.update(secret_values(secret))
    assert found == examples
    assert set(found) == {*SECRETS, "AMQP_URI", "MONGO_URI"}
    assert "replicaSet=" in found["MONGO_URI"] and "w=majority" in found["MONGO_URI"]


def test_the_production_overlay_does_not_build_without_its_secrets_files(tmp_path):
    shutil.copytree(KUBERNETES, tmp_path / "kubernetes", ignore=without_secrets_files)
    with pytest.raises((RuntimeError, FileNotFoundError), match="backends.env"):
        render(tmp_path / "kubernetes" / PRODUCTION)


def test_production_takes_the_image_from_a_registry(production):
    for deployment in deployments(production).values():
        assert "/" in container(deployment)["image"].split(":")[0]


# --- the fallback renderer -------------------------------------------------------------------

def comparable(docs):
    """Objects without Kustomize's name hashes, secrets decoded, in a stable order."""
    unhashed = {}
    for doc in docs:
        if doc["kind"] in ("ConfigMap", "Secret"):
            name = doc["metadata"]["name"]
            unhashed[name] = re.sub(r"-[a-z0-9]{10}$", "", name)

    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return unhashed.get(value, value) if isinstance(value, str) else value
    result = []
    for doc in docs:
        doc = walk(doc)
        if doc["kind"] == "Secret":
            doc["data"] = secret_values(doc)
        result.append(doc)
    return sorted(result, key=lambda doc: (doc["kind"], doc["metadata"]["name"]))


@pytest.mark.skipif(kustomize_command() is None, reason="neither kustomize nor kubectl installed")
def test_the_fallback_renderer_renders_what_kustomize_renders(base, production, tmp_path):
    assert comparable(kustomize_lite.build(KUBERNETES / "base")) == comparable(base)
    copy = copy_with_example_secrets(tmp_path / "kubernetes")
    assert comparable(kustomize_lite.build(copy / PRODUCTION)) == comparable(production)
