"""The local stack: RabbitMQ, a MongoDB-compatible server and the five services as processes.

All state and logs live under one folder (`.epun/` in the checkout by default). `up` is idempotent:
what already runs is left alone.
"""
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from . import ROOT

SERVICES = ("intake", "disclosure", "panel", "reporting", "gateway")
METRICS_ORDER = ("gateway", "intake", "disclosure", "panel", "reporting")
DEFAULT_AMQP = "pyamqp://guest:guest@127.0.0.1:5672/"
SECANTUS = "secantusdb==0.7.0b3"


class StackError(RuntimeError):
    pass


def say(msg):
    print(msg, flush=True)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(check, seconds: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise StackError(f"{what} did not come up within {seconds:.0f} s")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return True


@dataclass
class Stack:
    state_dir: Path = ROOT / ".epun"
    http_port: int = 8000
    metrics_base: int = 9100
    amqp_uri: str = field(default_factory=lambda: os.environ.get("AMQP_URI", DEFAULT_AMQP))
    mongo_uri: str | None = field(default_factory=lambda: os.environ.get("MONGO_URI"))
    mongo_port: int = 27117
    mongo_storage: str | None = None  # a folder (default: mongo-data in the state folder) or :memory:
    db_prefix: str = field(default_factory=lambda: os.environ.get("DB_PREFIX", "epun"))
    extra_env: dict = field(default_factory=dict)
    prometheus_port: int = 9090
    prometheus_interval: str | None = None  # scrape and rule evaluation; None keeps deploy/'s

    # paths
    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def metrics_port(self, service: str) -> int:
        return self.metrics_base + METRICS_ORDER.index(service)

    def pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    # lifecycle
    def up(self, with_prometheus: bool = False):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.ensure_rabbitmq()
        self.ensure_mongo()
        self.ensure_disclosure_key()
        for service in SERVICES:
            self.start_service(service)
        self.wait_healthy()
        token = self.admin_token()
        if with_prometheus:
            from .prometheus import start_prometheus
            start_prometheus(self)
        return token

    def down(self):
        for name in ("prometheus", *reversed(SERVICES), "mongo"):
            self.stop_process(name)
        marker = self.run_dir / "rabbitmq.started"
        if marker.exists():
            subprocess.run(["rabbitmqctl", "stop"], capture_output=True)
            marker.unlink()

    def status(self) -> dict:
        rows = {}
        for name in ("mongo", *SERVICES, "prometheus"):
            pid = self.read_pid(name)
            rows[name] = {"pid": pid, "running": bool(pid and pid_alive(pid))}
        try:
            rows["health"] = requests.get(f"{self.base_url}/api/v1/health", timeout=5).json()
        except requests.RequestException as exc:
            rows["health"] = {"status": "unreachable", "detail": str(exc)}
        return rows

    # RabbitMQ
    def ensure_rabbitmq(self):
        parsed = urllib.parse.urlparse(self.amqp_uri.replace("pyamqp://", "amqp://"))
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
        if not port_open(host, port):
            if host not in ("127.0.0.1", "localhost"):
                raise StackError(f"RabbitMQ does not answer at {host}:{port}; start it or set AMQP_URI")
            self._start_local_rabbitmq()
            wait_for(lambda: port_open(host, port), 120, "RabbitMQ")
        if host in ("127.0.0.1", "localhost") and shutil.which("rabbitmq-plugins"):
            enabled = Path("/etc/rabbitmq/enabled_plugins")
            if "rabbitmq_management" not in (enabled.read_text() if enabled.exists() else ""):
                subprocess.run(["rabbitmq-plugins", "enable", "rabbitmq_management"],
                               capture_output=True)
            wait_for(lambda: port_open(host, 15672), 60, "RabbitMQ management plugin")

    def _start_local_rabbitmq(self):
        if not shutil.which("rabbitmq-server"):
            if os.geteuid() == 0 and shutil.which("apt-get"):
                say("RabbitMQ is not installed; installing Debian's rabbitmq-server ...")
                subprocess.run(["apt-get", "update", "-qq"], check=True)
                subprocess.run(["apt-get", "install", "-y", "-qq", "rabbitmq-server"], check=True,
                               env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            else:
                raise StackError(
                    "RabbitMQ is not running and not installed. Install it (Debian: "
                    "'sudo apt-get install rabbitmq-server') or point AMQP_URI at a running broker.")
        say("starting RabbitMQ ...")
        subprocess.run(["rabbitmq-server", "-detached"], check=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "rabbitmq.started").write_text("1")

    # MongoDB
    def ensure_mongo(self):
        if self.mongo_uri:
            return
        self.mongo_uri = f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"
        if port_open("127.0.0.1", self.mongo_port):
            return
        server = self.embedded_mongo_binary()
        storage = self.mongo_storage or str(self.state_dir / "mongo-data")
        if storage != ":memory:":
            Path(storage).mkdir(parents=True, exist_ok=True)
        self.spawn("mongo", [str(server), "--host", "127.0.0.1", "--port", str(self.mongo_port),
                             "--storage-path", storage], {})
        wait_for(lambda: port_open("127.0.0.1", self.mongo_port), 60, "the embedded MongoDB server")

    def embedded_mongo_binary(self) -> Path:
        """secantusd-py from its own virtualenv (its dependencies and licence stay apart)."""
        venv = ROOT / ".epun" / "mongo-venv"
        server = venv / "bin" / "secantusd-py"
        if not server.exists():
            say(f"installing the embedded MongoDB-compatible server ({SECANTUS}) under .epun/ ...")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", SECANTUS], check=True)
        return server

    # the disclosure service's statement key
    def ensure_disclosure_key(self):
        if os.environ.get("FDP_KEYS") or "FDP_KEYS" in self.extra_env:
            return
        keyfile = self.state_dir / "fdp-key"
        if not keyfile.exists():
            keyfile.write_text("k1:" + secrets.token_urlsafe(32))
            keyfile.chmod(0o600)
            say(f"no FDP_KEYS configured: generated a development key in {keyfile.name} under "
                "the state folder (set FDP_KEYS in production)")
        self.extra_env["FDP_KEYS"] = keyfile.read_text().strip()

    # services
    def service_env(self, service: str) -> dict:
        return {
            "AMQP_URI": self.amqp_uri, "MONGO_URI": self.mongo_uri, "DB_PREFIX": self.db_prefix,
            "METRICS_PORT": str(self.metrics_port(service)),
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.http_port}",
            "EPUN_STATE_DIR": str(self.state_dir), "PYTHONWARNINGS": "ignore", **self.extra_env,
        }

    def start_service(self, service: str):
        if self.running(service):
            return
        cmd = [sys.executable, "-m", "nameko", "run", "--config",
               str(ROOT / "services" / service / "config.yaml"),
               f"services.{service}.service:{service.capitalize()}Service"]
        self.spawn(service, cmd, self.service_env(service))

    def spawn(self, name: str, cmd: list, env: dict):
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        self.pidfile(name).write_text(str(proc.pid))
        return proc

    def running(self, name: str) -> bool:
        pid = self.read_pid(name)
        return bool(pid and pid_alive(pid))

    def read_pid(self, name: str) -> int | None:
        try:
            return int(self.pidfile(name).read_text())
        except (OSError, ValueError):
            return None

    def stop_process(self, name: str, timeout: float = 15):
        pid = self.read_pid(name)
        if pid and pid_alive(pid):
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + timeout
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if pid_alive(pid):
                os.killpg(pid, signal.SIGKILL)
        self.pidfile(name).unlink(missing_ok=True)

    def wait_healthy(self, seconds: float = 120):
        def healthy():
            for service in SERVICES:
                if not self.running(service):
                    raise StackError(f"the {service} service stopped; see "
                                     f"{self.log_dir / (service + '.log')}")
            try:
                return requests.get(f"{self.base_url}/api/v1/health", timeout=5).status_code == 200
            except requests.RequestException:
                return False
        wait_for(healthy, seconds, "the platform's health check", interval=0.5)

    # the admin token
    def admin_token(self) -> str:
        path = self.state_dir / "admin-token"
        if path.exists():
            token = path.read_text().strip()
            if self.token_works(token):
                return token
        token = self.create_token({"role": "admin", "label": "local-admin"})
        path.write_text(token)
        path.chmod(0o600)
        return token

    def token_works(self, token: str) -> bool:
        with self.gateway_repository() as repo:
            return repo.actor_for(token) is not None

    def create_token(self, request: dict) -> str:
        from shared.contracts.common import Actor
        from shared.contracts.tokens import TokenRequest
        actor = Actor(**TokenRequest.model_validate(request).model_dump())
        with self.gateway_repository() as repo:
            return repo.issue_token(actor)

    def gateway_repository(self):
        from contextlib import contextmanager

        from services.gateway.store import GatewayRepository
        from shared.contracts.common import Actor, Role
        from shared.storage import connect

        @contextmanager
        def opened():
            self.ensure_mongo()
            client = connect(self.mongo_uri)
            try:
                db = client[f"{self.db_prefix}_gateway"]
                GatewayRepository.create_indexes(db)
                yield GatewayRepository(db, client, Actor(role=Role.admin, label="epun-cli"))
            finally:
                client.close()
        return opened()

    def describe(self) -> str:
        lines = [f"API        {self.base_url}/api/v1  (OpenAPI: {self.base_url}/api/v1/openapi.json)"]
        lines += [f"metrics    {s:<11} http://127.0.0.1:{self.metrics_port(s)}/metrics"
                  for s in METRICS_ORDER]
        lines += [f"MongoDB    {self.mongo_uri}", f"RabbitMQ   {self.amqp_uri}",
                  f"admin token in {self.state_dir / 'admin-token'}",
                  f"logs in {self.log_dir}"]
        return "\n".join(lines)


RABBIT_API = os.environ.get("RABBIT_API", "http://guest:guest@127.0.0.1:15672/api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_block(size: int) -> int:
    """A run of `size` free ports, from a random start (stacks may run side by side)."""
    start = random.randrange(20000, 40000, 10)
    for base in [*range(start, 40000, 10), *range(20000, start, 10)]:
        if all(_port_free(base + i) for i in range(size)):
            return base
    raise StackError("no block of free ports")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def open_vhost(prefix: str) -> str:
    """A fresh RabbitMQ virtual host (through the management API), so a private stack's queues
    never meet another's."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    requests.put(f"{RABBIT_API}/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{name}/guest", timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return name


def drop_vhost(name: str):
    requests.delete(f"{RABBIT_API}/vhosts/{name}", timeout=30)


def private_stack(state_dir: Path, vhost: str, label: str = "p") -> Stack:
    """A whole platform of its own on free ports, with an in-memory database (or MONGO_URI's
    server, under a fresh database prefix): for tests and benchmarks."""
    return Stack(state_dir=Path(state_dir), http_port=free_port(), metrics_base=free_block(5),
                 amqp_uri=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
                 mongo_uri=os.environ.get("MONGO_URI"), mongo_port=free_port(),
                 mongo_storage=":memory:", db_prefix=f"{label}{uuid.uuid4().hex[:8]}")


def from_environment() -> Stack:
    """The stack as configured by EPUN_* variables, with the defaults of a developer machine."""
    env = os.environ.get
    stack = Stack()
    stack.state_dir = Path(env("EPUN_STATE_DIR", str(stack.state_dir)))
    stack.http_port = int(env("EPUN_HTTP_PORT", stack.http_port))
    stack.metrics_base = int(env("EPUN_METRICS_BASE", stack.metrics_base))
    stack.mongo_port = int(env("EPUN_MONGO_PORT", stack.mongo_port))
    stack.mongo_storage = env("EPUN_MONGO_STORAGE")
    stack.prometheus_port = int(env("EPUN_PROMETHEUS_PORT", stack.prometheus_port))
    stack.prometheus_interval = env("EPUN_PROMETHEUS_INTERVAL")
    return stack


def dump_status(stack: Stack) -> str:
    return json.dumps(stack.status(), indent=2, default=str)
