"""The local stack: RabbitMQ, a MongoDB-compatible server and the five services as processes.

All state and logs live under one folder (`.epun/` in the checkout by default). `up` is idempotent:
what already runs is left alone. The stack knows its processes by pid and the ports it gave each;
it is healthy only when those processes are alive and listen on those ports themselves. With
`replicas` > 1 every service runs that many processes (competing consumers on the same queues);
the gateway's processes share one HTTP port (SO_REUSEPORT: the kernel spreads the connections) and
replica r of a service has the metrics port `metrics_base + 10 * (r - 1) + <service's place>`.
"""
import contextlib
import json
import os
import random
import secrets
import shlex
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
from .processes import listening_ports, log_tail, pid_alive, port_free, port_holders

SERVICES = ("intake", "disclosure", "panel", "reporting", "notifications", "gateway")
METRICS_ORDER = ("gateway", "intake", "disclosure", "panel", "reporting", "notifications")
DEFAULT_AMQP = "pyamqp://guest:guest@127.0.0.1:5672/"
SECANTUS = "secantusdb==0.7.0b3"
# the embedded database is one process shared by every service: a batch of 2,500 rows may take
# minutes on a busy machine, and a read of 1,000 filers beside it many seconds, so the local
# stack waits longer than a deployment (10 s and 120 s)
LOCAL_TIMEOUT, LOCAL_SLOW_TIMEOUT = "60", "600"


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


@dataclass
class Stack:
    state_dir: Path = ROOT / ".epun"
    http_port: int = 8000
    metrics_base: int = 9100
    amqp_uri: str = field(default_factory=lambda: os.environ.get("AMQP_URI", DEFAULT_AMQP))
    mongo_uri: str | None = field(default_factory=lambda: os.environ.get("MONGO_URI"))
    mongo_port: int = 27117
    # a folder (default: mongo-data in the state folder) or :memory:
    mongo_storage: str | None = None
    # more options of the embedded server (EPUN_MONGO_ARGS: `--cache-size 4G`, say)
    mongo_args: list = field(
        default_factory=lambda: shlex.split(os.environ.get("EPUN_MONGO_ARGS", "")))
    db_prefix: str = field(default_factory=lambda: os.environ.get("DB_PREFIX", "epun"))
    extra_env: dict = field(default_factory=dict)
    prometheus_port: int = 9090
    mail_port: int = 1025  # the local SMTP server's (when SMTP_URL names no other)
    prometheus_interval: str | None = None  # scrape and rule evaluation; None keeps deploy/'s
    replicas: int = 1  # processes of each service
    alertmanager_port: int = 9093

    # paths
    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def mail_dir(self) -> Path:
        return self.state_dir / "mail"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def metrics_port(self, service: str, replica: int = 1) -> int:
        return self.metrics_base + REPLICA_STRIDE * (replica - 1) + METRICS_ORDER.index(service)

    def process_names(self, service: str) -> list[str]:
        """`intake`, `intake-2`, ...: one name (pid file, log) per process of the service."""
        return [process_name(service, r) for r in range(1, self.replicas + 1)]

    def ports_of(self, name: str) -> dict[int, str]:
        """The ports the stack gives process `name`, each with the setting that chooses it."""
        if name == "mongo":
            return {self.mongo_port: "EPUN_MONGO_PORT"}
        service, replica = split_name(name)
        ports = {self.metrics_port(service, replica): "EPUN_METRICS_BASE"}
        if service == "gateway":
            ports[self.http_port] = "EPUN_HTTP_PORT"
        return ports

    def pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    # lifecycle
    def service_processes(self) -> list[str]:
        return [name for service in SERVICES for name in self.process_names(service)]

    def up(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.check_ports((["mongo"] if not self.mongo_uri else []) + self.service_processes())
        self.ensure_mail()
        self.ensure_rabbitmq()
        self.ensure_mongo()
        self.ensure_disclosure_key()
        for service in SERVICES:
            self.start_service(service)
        self.wait_healthy()
        return self.admin_token()

    def down(self):
        # the services and the monitoring stop together (each drains its own work), the
        # database and the mail server they write to after them
        self.stop_processes(["alertmanager", "prometheus", *reversed(self.known_processes())])
        self.stop_processes(["mongo", "mail"])
        marker = self.run_dir / "rabbitmq.started"
        if marker.exists():
            subprocess.run(["rabbitmqctl", "stop"], capture_output=True)
            marker.unlink()

    def known_processes(self) -> list[str]:
        """The service processes this stack runs or ran (pid files), in start order, with those
        its replicas setting names."""
        recorded = {p.stem for p in self.run_dir.glob("*.pid")} if self.run_dir.exists() else set()
        names = self.service_processes()
        extra = sorted(n for n in recorded if n not in names and _is_service_process(n))
        return [*names, *extra]

    def status(self) -> dict:
        """Each process: its pid, `state` (running, died, not answering, stopped), the ports it
        was given; and the platform's health check."""
        rows = {}
        for name in ("mail", "mongo", *self.known_processes(), "prometheus", "alertmanager"):
            rows[name] = self.process_status(name)
        try:
            rows["health"] = requests.get(f"{self.base_url}/api/v1/health", timeout=5).json()
        except requests.RequestException as exc:
            rows["health"] = {"status": "unreachable", "detail": str(exc)}
        return rows

    # the local SMTP server
    @property
    def smtp_url(self) -> str:
        return (self.extra_env.get("SMTP_URL") or os.environ.get("SMTP_URL")
                or f"smtp://127.0.0.1:{self.mail_port}")

    def ensure_mail(self):
        """The platform's own SMTP server, unless SMTP_URL names another."""
        if self.smtp_url != f"smtp://127.0.0.1:{self.mail_port}" or self.running("mail"):
            return
        if port_open("127.0.0.1", self.mail_port):
            raise StackError(f"port {self.mail_port} is taken by another program; set "
                             "SMTP_URL or free the port for the local SMTP server")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.spawn("mail", [sys.executable, "-m", "epun.mailserver", "--port",
                            str(self.mail_port), "--folder", str(self.mail_dir)], {})
        wait_for(lambda: port_open("127.0.0.1", self.mail_port), 30, "the local SMTP server")

    def process_status(self, name: str) -> dict:
        pid = self.read_pid(name)
        ports = self.recorded_ports(name)
        row: dict[str, object] = {"pid": pid, "running": bool(pid and pid_alive(pid)),
                                  "ports": ports}
        if pid is None:
            row["state"] = "stopped"
        elif not row["running"]:
            row["state"] = "died"
            row["log"] = str(self.log_dir / f"{name}.log")
            row["last_lines"] = log_tail(self.log_dir / f"{name}.log")
        else:
            silent = sorted(set(ports) - listening_ports(pid))
            row["state"] = f"not answering on {', '.join(map(str, silent))}" if silent \
                else "running"
        return row

    def check_ports(self, names: list[str]):
        """Before starting: every port a process will get must be free, or held by this stack's
        own live process. Anything else is an error naming the port and the setting."""
        own = {port for n in self.known_processes() + ["mongo"] if self.running(n)
               for port in self.recorded_ports(n)}
        for name in names:
            if self.running(name):
                continue
            for port, variable in self.ports_of(name).items():
                if port in own or port_free(port):
                    continue
                holders = port_holders(port)
                held_by = "; ".join(f"pid {pid}: {cmd}" for pid, cmd in holders.items()) \
                    or "another program"
                raise StackError(
                    f"port {port}, which this stack gives to {name}, is already in use "
                    f"({held_by}). Stop what holds it, or set {variable} to use other ports.")

    # RabbitMQ
    def ensure_rabbitmq(self):
        """RabbitMQ answers at AMQP_URI: at one of its `;`-separated URIs (the nodes of a
        cluster, tried in turn by every connection), or the local one, started when it is not."""
        nodes = [urllib.parse.urlparse(uri.strip().replace("pyamqp://", "amqp://"))
                 for uri in self.amqp_uri.split(";") if uri.strip()]
        if any(port_open(n.hostname or "127.0.0.1", n.port or 5672) for n in nodes[1:]):
            return
        parsed = nodes[0]
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
        if len(nodes) > 1 and not port_open(host, port):
            raise StackError(f"no node of AMQP_URI answers ({len(nodes)} nodes)")
        if not port_open(host, port):
            if host not in ("127.0.0.1", "localhost"):
                raise StackError(
                    f"RabbitMQ does not answer at {host}:{port}; start it or set AMQP_URI")
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
                    "'sudo apt-get install rabbitmq-server') or point AMQP_URI at a running "
                    "broker.")
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
        # --standalone: no oplog, which the platform never reads (no change streams); past its
        # cap (100,000 entries) every write also prunes it, and writes slow down many times over
        self.spawn("mongo", [str(server), "--host", "127.0.0.1", "--port", str(self.mongo_port),
                             "--storage-path", storage, "--standalone", *self.mongo_args], {})
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
            "EPUN_STATE_DIR": str(self.state_dir), "PYTHONWARNINGS": "ignore",
            "RPC_TIMEOUT": os.environ.get("RPC_TIMEOUT") or LOCAL_TIMEOUT,
            "RPC_RENDER_TIMEOUT": os.environ.get("RPC_RENDER_TIMEOUT") or LOCAL_SLOW_TIMEOUT,
            "SMTP_URL": self.smtp_url, "PORTAL_URL": os.environ.get("PORTAL_URL")
            or os.environ.get("PUBLIC_URL") or self.base_url, **self.extra_env,
        }

    def start_service(self, service: str):
        cmd = [sys.executable, "-m", "nameko", "run", "--config",
               str(ROOT / "services" / service / "config.yaml"),
               f"services.{service}.service:{service.capitalize()}Service"]
        for replica, name in enumerate(self.process_names(service), start=1):
            if not self.running(name):
                env = self.service_env(service)
                env["METRICS_PORT"] = str(self.metrics_port(service, replica))
                self.spawn(name, cmd, env)

    def spawn(self, name: str, cmd: list, env: dict, ports: dict | None = None):
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        self.pidfile(name).write_text(str(proc.pid))
        given = ports if ports is not None else self.ports_of(name) \
            if name == "mongo" or _is_service_process(name) else {}
        self.run_dir.joinpath(f"{name}.ports").write_text(json.dumps(sorted(given)))
        return proc

    def recorded_ports(self, name: str) -> list[int]:
        """The ports given to process `name` when it was started."""
        try:
            return json.loads(self.run_dir.joinpath(f"{name}.ports").read_text())
        except (OSError, ValueError):
            return []

    def running(self, name: str) -> bool:
        pid = self.read_pid(name)
        return bool(pid and pid_alive(pid))

    def read_pid(self, name: str) -> int | None:
        try:
            return int(self.pidfile(name).read_text())
        except (OSError, ValueError):
            return None

    def stop_process(self, name: str, timeout: float = 15):
        self.stop_processes([name], timeout)

    def stop_processes(self, names: list[str], timeout: float = 15):
        """SIGTERM to each process group at once, then SIGKILL to those still alive after
        `timeout` seconds."""
        pids = {name: self.read_pid(name) for name in names}
        alive = [pid for pid in pids.values() if pid and pid_alive(pid)]
        for pid in alive:
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while any(pid_alive(pid) for pid in alive) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in alive:
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        for name in names:
            self.pidfile(name).unlink(missing_ok=True)
            self.run_dir.joinpath(f"{name}.ports").unlink(missing_ok=True)

    def wait_healthy(self, seconds: float = 120):
        """Every process started is alive and listens on its own ports, and the gateway's health
        check (which asks every service) answers 200."""
        names = ["mongo", *self.service_processes()] if self.read_pid("mongo") \
            else self.service_processes()

        def healthy():
            for name in names:
                if not self.running(name):
                    log = self.log_dir / f"{name}.log"
                    raise StackError(f"the {name} process (pid {self.read_pid(name)}) stopped:\n"
                                     f"  {log_tail(log).replace(chr(10), chr(10) + '  ')}\n"
                                     f"(see {log})")
            if any(self.process_status(name)["state"] != "running" for name in names):
                return False
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
        from services.gateway import use_cases
        with self.gateway_repository() as uow:
            return use_cases.actor_for_token(uow, token) is not None

    def create_token(self, request: dict) -> str:
        from services.gateway import use_cases
        from shared.contracts.tokens import TokenRequest
        with self.gateway_repository() as uow:
            return use_cases.issue_token(uow, TokenRequest.model_validate(request)).token

    def totp_code(self, email: str) -> str | None:
        """The current TOTP code of a local account (read from the gateway's database)."""
        import pyotp
        with self.gateway_repository() as uow:
            account = uow.accounts.get(email.strip().lower())
        return pyotp.TOTP(account.totp_secret).now() if account and account.enrolled else None

    def gateway_repository(self):
        """The gateway's unit of work on its database, acting as the command line's admin."""
        from contextlib import contextmanager

        from services.gateway.store import GatewayUnitOfWork
        from shared.contracts.common import Actor, Role
        from shared.mongo import connect, create_indexes

        @contextmanager
        def opened():
            self.ensure_mongo()
            client = connect(self.mongo_uri)
            try:
                db = client[f"{self.db_prefix}_gateway"]
                create_indexes(db, GatewayUnitOfWork.indexes)
                yield GatewayUnitOfWork(db, client, Actor(role=Role.admin, label="epun-cli"))
            finally:
                client.close()
        return opened()

    def describe(self) -> str:
        lines = [f"API        {self.base_url}/api/v1  "
                 f"(OpenAPI: {self.base_url}/api/v1/openapi.json)"]
        lines += [f"metrics    {s:<11} " + " ".join(
                      f"http://127.0.0.1:{self.metrics_port(s, r)}/metrics"
                      for r in range(1, self.replicas + 1)) for s in METRICS_ORDER]
        lines += [f"MongoDB    {self.mongo_uri}", f"RabbitMQ   {self.amqp_uri}",
                  f"mail       {self.smtp_url}  (epun mail lists what it received)",
                  f"admin token in {self.state_dir / 'admin-token'}",
                  f"logs in {self.log_dir}"]
        return "\n".join(lines)


RABBIT_API = os.environ.get("RABBIT_API", "http://guest:guest@127.0.0.1:15672/api")


REPLICA_STRIDE = 10  # metrics ports of a service's replicas lie this far apart


def process_name(service: str, replica: int) -> str:
    return service if replica == 1 else f"{service}-{replica}"


def split_name(name: str) -> tuple[str, int]:
    service, _, replica = name.partition("-")
    return service, int(replica or 1)


def _is_service_process(name: str) -> bool:
    service, _, replica = name.partition("-")
    return service in SERVICES and (replica == "" or replica.isdigit())


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
    return port_free(port)


def cpu_seconds(pid: int) -> float:
    """User and system time of `pid` and its children that it waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def processes(stack: Stack) -> dict[str, int]:
    """The stack's processes that run now, by name: the database server's and the services'."""
    names = ["mongo", *stack.service_processes()]
    return {name: pid for name in names if (pid := stack.read_pid(name))}


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


def private_stack(state_dir: Path, vhost: str, label: str = "p", replicas: int = 1,
                  amqp_uri: str | None = None) -> Stack:
    """A whole platform of its own on free ports, with an in-memory database (or MONGO_URI's
    server, under a fresh database prefix): for tests and benchmarks."""
    return Stack(state_dir=Path(state_dir), http_port=free_port(),
                 metrics_base=free_block(REPLICA_STRIDE * replicas), mail_port=free_port(),
                 amqp_uri=amqp_uri or f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
                 mongo_uri=os.environ.get("MONGO_URI"), mongo_port=free_port(),
                 mongo_storage=":memory:", db_prefix=f"{label}{uuid.uuid4().hex[:8]}",
                 replicas=replicas, alertmanager_port=free_port())


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
    stack.mail_port = int(env("EPUN_MAIL_PORT", stack.mail_port))
    stack.prometheus_interval = env("EPUN_PROMETHEUS_INTERVAL")
    stack.alertmanager_port = int(env("EPUN_ALERTMANAGER_PORT", stack.alertmanager_port))
    replicas = env("EPUN_REPLICAS", "1")
    if not replicas.isdigit() or not 1 <= int(replicas) <= 9:
        raise StackError(f"EPUN_REPLICAS must be a number of processes from 1 to 9, "
                         f"not {replicas!r}")
    stack.replicas = int(replicas)
    return stack


def dump_status(stack: Stack) -> str:
    return json.dumps(stack.status(), indent=2, default=str)
