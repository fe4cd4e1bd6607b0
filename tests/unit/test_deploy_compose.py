"""deploy/compose.yaml and the files it mounts, checked offline.

The compose file, interpolated with deploy/.env.example, is validated against the Compose
Specification's JSON schema, vendored as deploy/compose-spec.schema.json from
https://github.com/compose-spec/compose-spec/blob/a08f8d51631b7127ddac3d2c65537db429d0f1d0/schema/compose-spec.json
(Apache-2.0); `docker compose config` checks it too where Docker Compose v2 is installed.
promtool and amtool check the Prometheus and Alertmanager configurations where installed.
"""
import copy
import json
import re
import shutil
import subprocess
from urllib.parse import parse_qs, urlparse

import jsonschema
import pytest
import yaml

from epun import ROOT
from tests.unit.deploy_platform import DEPLOY, HTTP_PORT, PLATFORM, SECRETS

pytestmark = pytest.mark.deploy

COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
MONGO_MEMBERS = ["mongo1", "mongo2", "mongo3"]


def example_env() -> dict:
    lines = ENV_EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def interpolate(value, env):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and ${VAR?error}."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match):
        name, operator, argument = match.groups()
        found = env.get(name)
        if found or (found is not None and operator in ("-", "?")):  # ":" forms: empty is unset
            return found
        if operator in (":?", "?"):
            raise KeyError(f"{name}: {argument}")
        return argument if operator in (":-", "-") else ""
    return VARIABLE.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def compose(raw):
    return interpolate(raw, example_env())


def services(compose):
    return compose["services"]


def environment(service: dict) -> dict:
    return {key: str(value) for key, value in service.get("environment", {}).items()}


# --- the specification -----------------------------------------------------------------------

def test_the_compose_file_follows_the_compose_specification(compose):
    schema = json.loads((DEPLOY / "compose-spec.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(compose)


def test_the_schema_rejects_what_compose_would_reject(compose):
    schema = json.loads((DEPLOY / "compose-spec.schema.json").read_text())
    broken = copy.deepcopy(compose)
    broken["services"]["gateway"]["healthcheck"]["intervall"] = "15s"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_every_variable_it_needs_is_in_the_env_example(raw):
    needed = {m.group(1) for m in VARIABLE.finditer(COMPOSE.read_text())
              if m.group(2) in (":?", "?")}
    needed |= {secret["environment"] for secret in raw["secrets"].values()}
    assert needed <= set(example_env())
    with pytest.raises(KeyError, match="RABBITMQ_PASSWORD"):
        interpolate(raw, {})


def compose_cli() -> list[str] | None:
    """Docker's compose plugin, or a standalone Compose v2 (`docker-compose`)."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]):
            version = subprocess.run([*command, "version", "--short"], capture_output=True,
                                     text=True)
            if version.returncode == 0 and version.stdout.strip().lstrip("v").startswith("2."):
                return command
    return None


@pytest.mark.skipif(compose_cli() is None, reason="no Docker Compose v2 (plugin or standalone)")
def test_docker_compose_accepts_it():
    done = subprocess.run([*compose_cli(), "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE),
                           "config", "--quiet"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- the platform ----------------------------------------------------------------------------

def test_two_replicas_of_every_service_run_from_the_image_built_from_the_dockerfile(compose):
    for service, port in PLATFORM.items():
        spec = services(compose)[service]
        dockerfile = DEPLOY / spec["build"]["context"] / spec["build"]["dockerfile"]
        assert dockerfile.resolve() == ROOT / "Dockerfile"
        assert spec["command"] == [service]
        assert spec["deploy"]["replicas"] == 2
        assert "container_name" not in spec  # would allow one container only
        settings = environment(spec)
        assert settings["METRICS_PORT"] == str(port)
        assert settings["METRICS_ADDR"] == "0.0.0.0"
        assert settings["QUEUE_TYPE"] in ("quorum", "classic")
        assert spec["healthcheck"]["test"] == ["CMD", "epun-service", "healthcheck"]
    assert environment(services(compose)["gateway"])["WEB_SERVER_ADDRESS"] == f"0.0.0.0:{HTTP_PORT}"


def test_the_gateway_publishes_one_host_port_per_replica(compose):
    (published,) = services(compose)["gateway"]["ports"]
    host, ports, container = published.rsplit(":", 2)
    first, last = map(int, ports.split("-"))
    replicas = services(compose)["gateway"]["deploy"]["replicas"]
    assert (last - first + 1, int(container)) == (replicas, HTTP_PORT)
    assert host == "127.0.0.1"


def test_everything_that_keeps_running_has_a_health_check(compose):
    for name, spec in services(compose).items():
        if spec.get("restart") == "no":  # a one-shot job
            continue
        assert spec["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    for name, spec in services(compose).items():
        for other, condition in spec.get("depends_on", {}).items():
            assert other in services(compose), (name, other)
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services(compose)[other], (name, other)


def test_the_services_wait_for_the_broker_and_the_initiated_replica_set(compose):
    for service in PLATFORM:
        depends = services(compose)[service]["depends_on"]
        assert depends["rabbitmq"] == {"condition": "service_healthy"}
        assert depends["mongo-init"] == {"condition": "service_completed_successfully"}
    assert services(compose)["notifications"]["depends_on"]["mailpit"] == {
        "condition": "service_healthy"}


def test_mongodb_is_a_three_member_replica_set_initiated_by_a_one_shot_job(compose):
    for member in MONGO_MEMBERS:
        spec = services(compose)[member]
        assert spec["image"].startswith("mongo:")
        assert spec["command"][:3] == ["mongod", "--replSet", "rs0"]
    job = services(compose)["mongo-init"]
    assert job["restart"] == "no"
    assert set(job["depends_on"]) == set(MONGO_MEMBERS)
    (mount,) = job["volumes"]
    script, inside = mount.split(":")[:2]
    assert inside in job["command"]
    text = (DEPLOY / script).read_text()
    assert "rs.initiate(" in text and '_id: "rs0"' in text
    assert all(f'"{member}:27017"' in text for member in MONGO_MEMBERS)
    for service in PLATFORM:
        uri = urlparse(environment(services(compose)[service])["MONGO_URI"])
        assert uri.netloc.split(",") == [f"{member}:27017" for member in MONGO_MEMBERS]
        assert parse_qs(uri.query) == {"replicaSet": ["rs0"], "w": ["majority"]}


def test_rabbitmq_is_the_official_image_with_management_and_prometheus_plugins(compose):
    rabbit = services(compose)["rabbitmq"]
    assert re.fullmatch(r"rabbitmq:3\.\d+-management", rabbit["image"])
    plugins = next(v for v in rabbit["volumes"] if v.endswith("/etc/rabbitmq/enabled_plugins:ro"))
    text = (DEPLOY / plugins.split(":")[0]).read_text()
    assert text.strip() == "[rabbitmq_management,rabbitmq_prometheus]."
    for service in PLATFORM:
        uri = urlparse(environment(services(compose)[service])["AMQP_URI"])
        assert (uri.hostname, uri.password) == ("rabbitmq", example_env()["RABBITMQ_PASSWORD"])


# --- secrets ---------------------------------------------------------------------------------

def test_secrets_reach_their_service_as_files_never_as_environment(raw, compose):
    declared = raw["secrets"]
    for setting, owner in SECRETS.items():
        (name,) = [n for n, secret in declared.items() if secret.get("environment") == setting]
        for service in PLATFORM:
            settings = environment(services(compose)[service])
            assert setting not in settings, (service, setting)
            if service == owner:
                assert settings[f"{setting}_FILE"] == f"/run/secrets/{name}"
                assert name in services(compose)[service]["secrets"]
            else:
                assert name not in services(compose)[service].get("secrets", [])
    for spec in services(compose).values():
        for attached in spec.get("secrets", []):
            assert attached in declared


def test_the_env_file_is_never_committed_and_the_example_holds_no_real_secret():
    ignored = subprocess.run(["git", "check-ignore", "-q", str(DEPLOY / ".env")], cwd=ROOT)
    assert ignored.returncode == 0
    env = example_env()
    for name in (*SECRETS, "RABBITMQ_PASSWORD", "GRAFANA_ADMIN_PASSWORD"):
        assert "CHANGE-ME" in env[name] or env[name].startswith("smtp://mailpit:"), name


# --- monitoring ------------------------------------------------------------------------------

def mounted_config(compose, service: str, folder: str):
    """The file of deploy/ that a service reads as its --config.file, through its volume at
    folder."""
    spec = services(compose)[service]
    (config_flag,) = [a for a in spec["command"] if a.startswith("--config.file=")]
    mounted = next(v for v in spec["volumes"] if v.split(":")[1] == folder)
    path = DEPLOY / mounted.split(":")[0] / config_flag.split(f"{folder}/")[1]
    return path, yaml.safe_load(path.read_text())


def prometheus_config(compose):
    return mounted_config(compose, "prometheus", "/etc/prometheus")


def alertmanager_config(compose):
    return mounted_config(compose, "alertmanager", "/etc/alertmanager")


def test_prometheus_finds_every_replica_of_every_service_by_dns(compose):
    path, config = prometheus_config(compose)
    # alerts.yml: job="epun"
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "epun"]
    found = {tuple(sd["names"]): sd["port"] for sd in job["dns_sd_configs"]}
    assert found == {(service,): port for service, port in PLATFORM.items()}
    assert all(sd["type"] == "A" for sd in job["dns_sd_configs"])
    assert {"source_labels": ["__meta_dns_name"],
            "target_label": "service"} in job["relabel_configs"]
    assert (path.parent / config["rule_files"][0]).exists()
    (targets,) = config["alerting"]["alertmanagers"][0]["static_configs"]
    host = targets["targets"][0].split(":")[0]
    assert host in services(compose)


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool not installed")
def test_promtool_accepts_the_compose_prometheus_config(compose):
    path, _ = prometheus_config(compose)
    done = subprocess.run(["promtool", "check", "config", str(path)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_alertmanager_mails_every_alert_through_the_smtp_relay(compose):
    _, config = alertmanager_config(compose)
    host, port = config["global"]["smtp_smarthost"].split(":")
    assert host == "mailpit" and "healthcheck" in services(compose)[host]
    assert port == "1025"
    receivers = {r["name"]: r for r in config["receivers"]}
    routes = [config["route"], *config["route"].get("routes", [])]
    for route in routes:
        assert receivers[route["receiver"]]["email_configs"], route["receiver"]
    assert services(compose)["prometheus"]["depends_on"]["alertmanager"]


@pytest.mark.skipif(not shutil.which("amtool"), reason="amtool not installed")
def test_amtool_routes_critical_alerts_to_the_urgent_receiver(compose):
    path, _ = alertmanager_config(compose)
    checked = subprocess.run(["amtool", "check-config", str(path)], capture_output=True)
    assert checked.returncode == 0
    for labels, receiver in ((["severity=critical"], "operations-urgent"),
                             (["severity=warning"], "operations")):
        done = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={path}",
                               *labels], capture_output=True, text=True)
        assert done.stdout.strip() == receiver


def test_grafana_is_provisioned_from_deploy_grafana_with_the_dashboards_data_source(compose):
    volumes = {v.split(":")[1]: DEPLOY / v.split(":")[0]
               for v in services(compose)["grafana"]["volumes"] if v.startswith("./")}
    datasources = yaml.safe_load(
        (volumes["/etc/grafana/provisioning/datasources"] / "prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert urlparse(source["url"]).hostname == "prometheus"
    providers = yaml.safe_load(
        (volumes["/etc/grafana/provisioning/dashboards"] / "epun.yml").read_text())
    dashboards = volumes[providers["providers"][0]["options"]["path"]]
    uids = set(re.findall(r'"uid":\s*"(epun-prometheus)"',
                          (dashboards / "epun-platform.json").read_text()))
    assert uids == {source["uid"]}
