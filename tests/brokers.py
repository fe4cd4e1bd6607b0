"""RabbitMQ nodes of a test's own: Debian's `rabbitmq-server` with its own node name, ports,
data, logs, plugins and config under a temporary folder, so a test may stop, restart or cluster
brokers without touching the RabbitMQ other tests share.

    node = BrokerNode(tmp_path / "rabbit", "epun-t1")
    node.start()
    node.amqp_uri("/")          # pyamqp://guest:guest@127.0.0.1:<port>/
    node.restart(down_seconds=3)
    node.queue_types()          # {"rpc-intake": "quorum", ...}
    node.stop()

Nodes given the same `cookie_home` share an Erlang cookie, so they can be joined into a cluster
(`other.join(first)`). Every node registers with the machine's epmd (port 4369), as every
Erlang node does; node names keep them apart.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

RABBIT_BIN = Path(os.environ.get("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
START_SECONDS = 90


class BrokerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available() -> bool:
    """Whether Debian's RabbitMQ server is installed here."""
    return (RABBIT_BIN / "rabbitmq-server").exists() or shutil.which("rabbitmq-server") is not None


class BrokerNode:
    def __init__(self, base: Path, name: str, cookie_home: Path | None = None,
                 plugins: tuple[str, ...] = ("rabbitmq_management",)):
        self.base, self.name = Path(base), name
        self.node = f"{name}@localhost"
        self.port, self.dist_port, self.management_port = free_port(), free_port(), free_port()
        self.home = Path(cookie_home) if cookie_home else self.base / "home"
        self.plugins = plugins
        self.process: subprocess.Popen | None = None

    # configuration

    @property
    def env(self) -> dict:
        base = self.base
        return {**os.environ,
                "HOME": str(self.home),  # the Erlang cookie lives here
                "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
                "RABBITMQ_LOG_BASE": str(base / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
                "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
                "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
                "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
                "ERL_EPMD_ADDRESS": "127.0.0.1"}

    def _write_config(self):
        for folder in (self.base / "mnesia", self.base / "log", self.home):
            folder.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "enabled_plugins").write_text(f"[{','.join(self.plugins)}].\n")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            f"management.tcp.port = {self.management_port}\n"
            "management.tcp.ip = 127.0.0.1\n"
            "log.file.level = warning\n")

    def amqp_uri(self, vhost: str = "/") -> str:
        path = "" if vhost == "/" else urllib.parse.quote(vhost, safe="")
        return f"pyamqp://guest:guest@127.0.0.1:{self.port}/{path}"

    @property
    def management_url(self) -> str:
        return f"http://guest:guest@127.0.0.1:{self.management_port}/api"

    # lifecycle

    def start(self, seconds: float = START_SECONDS):
        if self.running:
            return self
        self._write_config()
        log = open(self.base / "server.out", "ab")
        self.process = subprocess.Popen([str(RABBIT_BIN / "rabbitmq-server")], env=self.env,
                                        cwd=self.base, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        self.wait_started(seconds)
        return self

    def wait_started(self, seconds: float = START_SECONDS):
        """Until the node answers (`await_startup` fails at once while the VM is still coming
        up) and accepts AMQP connections."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            done = self.ctl("await_startup", "--timeout", "10", timeout=30, check=False)
            if done.returncode == 0 and self.accepts_connections():
                return
            time.sleep(0.5)
        raise BrokerError(f"RabbitMQ node {self.node} did not start: {self.startup_log()}")

    def accepts_connections(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 60):
        """Stops the node (the Erlang VM exits); its data stays for a later `start`."""
        if not self.running:
            return
        self.ctl("shutdown", timeout=timeout, check=False)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self):
        """Kills the node at once (SIGKILL), as a crashed machine."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self, down_seconds: float = 0):
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def destroy(self):
        self.kill() if self.running else None
        shutil.rmtree(self.base, ignore_errors=True)

    def startup_log(self) -> str:
        try:
            return (self.base / "server.out").read_text()[-3000:]
        except OSError:
            return ""

    # rabbitmqctl

    def ctl(self, *args, timeout: float = 60, check: bool = True, tool: str = "rabbitmqctl"):
        done = subprocess.run([str(RABBIT_BIN / tool), "-n", self.node, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise BrokerError(f"{tool} {' '.join(args)} on {self.node}: "
                              f"{done.stdout}{done.stderr}")
        return done

    def add_vhost(self, name: str) -> str:
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return name

    def queue_types(self, vhost: str = "/") -> dict[str, str]:
        """Every queue of `vhost` with its type: classic, quorum or stream."""
        done = self.ctl("list_queues", "-p", vhost, "name", "type", "--formatter", "json")
        return {q["name"]: q["type"] for q in json.loads(done.stdout or "[]")}

    def join(self, other: "BrokerNode"):
        """Joins this (running) node to `other`'s cluster; both must share `cookie_home`."""
        self.ctl("stop_app")
        self.ctl("reset")
        self.ctl("join_cluster", other.node)
        self.ctl("start_app")
        self.ctl("await_startup", timeout=START_SECONDS)
