"""The container image: the Dockerfile's rules (read by a small parser: no Docker engine and no
hadolint here), what its build context holds, and the `epun-service` launcher that is its entry
point. The wheel its builder stage makes: tests/integration/test_container_wheel.py."""
import http.server
import re
import shlex
import sys
import threading
from pathlib import Path

import pytest
import yaml

from epun import ROOT, service_main
from epun.stack import free_port
from tests.unit.deploy_platform import HTTP_PORT, PLATFORM, SECRETS, service_config

pytestmark = pytest.mark.deploy

SECRET_WORDS = re.compile(r"SECRET|PASSWORD|TOKEN|KEYS|SMTP_URL", re.I)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return [(word.upper(), rest.strip()) for word, _, rest in
            (line.strip().partition(" ") for line in joined)]


def stages(text: str) -> list[dict]:
    args, found = {}, []
    for word, rest in instructions(text):
        if word == "ARG" and not found:
            name, _, default = rest.partition("=")
            args[name] = default
        elif word == "FROM":
            image, _, name = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)],
                                    rest).partition(" AS ")
            found.append({"image": image.strip(), "name": name.strip(), "steps": []})
        else:
            found[-1]["steps"].append((word, rest))
    return found


@pytest.fixture(scope="module")
def dockerfile():
    return stages((ROOT / "Dockerfile").read_text())


def steps(stage, word):
    return [rest for w, rest in stage["steps"] if w == word]


def exec_form(arguments: str) -> list[str]:
    return yaml.safe_load(arguments)


# --- the Dockerfile --------------------------------------------------------------------------

def test_a_builder_stage_makes_the_wheels_and_a_slim_python_311_runs_them(dockerfile):
    builder, runtime = dockerfile
    assert builder["name"] and runtime["name"]
    assert any("pip wheel" in run and "/wheels" in run for run in steps(builder, "RUN"))
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", runtime["image"])
    (install,) = [run for run in steps(runtime, "RUN") if "pip install" in run]
    assert f"from={builder['name']}" in install and "--no-index" in install
    assert not steps(runtime, "COPY"), "the runtime stage takes the code from the wheels only"


def test_the_service_runs_as_an_unprivileged_user(dockerfile):
    runtime = dockerfile[-1]
    (user,) = steps(runtime, "USER")
    uid, _, gid = user.partition(":")
    # numeric: runAsNonRoot can check it
    assert uid.isdigit() and int(uid) > 0 and int(gid or 1) > 0
    (create,) = [run for run in steps(runtime, "RUN") if "useradd" in run]
    assert f"--uid {uid}" in create


def test_the_command_names_the_service_and_the_healthcheck_asks_its_metrics_port(dockerfile):
    runtime = dockerfile[-1]
    assert exec_form(steps(runtime, "ENTRYPOINT")[0]) == ["epun-service"]
    (command,) = steps(runtime, "CMD")
    assert exec_form(command)[0] in PLATFORM
    (healthcheck,) = steps(runtime, "HEALTHCHECK")
    options, _, test = healthcheck.partition("CMD ")
    assert exec_form(test) == ["epun-service", "healthcheck"]
    assert "--interval=" in options and "--timeout=" in options
    exposed = {int(port) for line in steps(runtime, "EXPOSE") for port in line.split()}
    assert exposed == {HTTP_PORT, *PLATFORM.values()}


def test_the_services_listen_beyond_the_container_and_no_secret_is_baked_in(dockerfile):
    runtime = dockerfile[-1]
    settings = dict(pair.split("=", 1) for line in steps(runtime, "ENV")
                    for pair in shlex.split(line))
    assert settings["METRICS_ADDR"] == "0.0.0.0"
    assert settings["WEB_SERVER_ADDRESS"] == f"0.0.0.0:{HTTP_PORT}"
    for stage in dockerfile:
        for word, rest in stage["steps"]:
            if word in ("ENV", "ARG", "LABEL"):
                assert not SECRET_WORDS.search(rest), (word, rest)
            if word in ("COPY", "ADD"):
                assert ".env" not in rest and "secret" not in rest.lower(), rest


def test_the_build_context_holds_the_code_and_nothing_else():
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line and not line.startswith("#")]
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "LICENSE", "epun", "services", "shared"}


# --- the launcher ----------------------------------------------------------------------------

def test_the_launcher_knows_every_service_and_its_metrics_port():
    assert service_main.METRICS_PORTS == PLATFORM
    for service, port in PLATFORM.items():
        config = service_config(service)
        if config is not None:
            assert yaml.safe_load(config)["METRICS_PORT"] == f"${{METRICS_PORT:{port}}}"


def test_the_launcher_runs_nameko_with_the_service_config_and_class():
    for service in PLATFORM:
        if service_config(service) is None:
            continue
        command = service_main.command(service, {})
        assert command[:5] == [sys.executable, "-m", "nameko", "run", "--config"]
        assert Path(command[5]) == ROOT / "services" / service / "config.yaml"
        module, cls = command[6].split(":")
        assert module == f"services.{service}.service"
        source = (ROOT / "services" / service / "service.py").read_text()
        assert re.search(rf"^class {cls}\b", source, re.M), cls


def test_the_launcher_reads_the_configs_from_a_mounted_folder(tmp_path):
    (tmp_path / "panel.yaml").write_text("METRICS_PORT: 1\n")
    command = service_main.command("panel", {"EPUN_CONFIG_DIR": str(tmp_path)})
    assert command[5] == str(tmp_path / "panel.yaml")
    with pytest.raises(SystemExit, match="no config"):
        service_main.command("intake", {"EPUN_CONFIG_DIR": str(tmp_path)})


def test_the_launcher_refuses_an_unknown_service():
    with pytest.raises(SystemExit, match="unknown service 'audit'"):
        service_main.command("audit", {})
    with pytest.raises(SystemExit, match="usage"):
        service_main.main([])


def test_secrets_may_come_from_files_without_overriding_the_environment(tmp_path):
    (tmp_path / "keys").write_text("k1:abc\n")
    (tmp_path / "session").write_text("s3cret")
    env = {"FDP_KEYS_FILE": str(tmp_path / "keys"),
           "SESSION_SECRET_FILE": str(tmp_path / "session"),
           "SESSION_SECRET": "already-set", "OTHER_FILE": str(tmp_path / "keys")}
    assert service_main.settings_from_files(env) == {"FDP_KEYS": "k1:abc"}
    assert set(SECRETS) <= set(service_main.FILE_SETTINGS)


class Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 (the handler's name)
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def health_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_healthcheck_answers_what_healthz_says(health_server):
    port = str(health_server.server_address[1])
    Health.status = 200
    assert service_main.healthcheck({"METRICS_PORT": port}) == 0
    Health.status = 503
    assert service_main.healthcheck({"METRICS_PORT": port}) == 1
    Health.status = 200


def test_the_healthcheck_fails_when_nothing_listens():
    assert service_main.healthcheck({"METRICS_PORT": str(free_port())}) == 1
