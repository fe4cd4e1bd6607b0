"""`epun up` and `epun down` as a user runs them."""
import os
import signal
import socket
import subprocess
import sys
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from epun.stack import SERVICES, pid_alive

from ..helpers import eventually, free_block, free_port

pytestmark = pytest.mark.integration


def epun(env, *args):
    return subprocess.run([sys.executable, "-m", "epun.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_up_twice_then_down_leaves_no_process_behind(tmp_path, vhost):
    env = {**os.environ, "EPUN_STATE_DIR": str(tmp_path), "EPUN_HTTP_PORT": str(free_port()),
           "EPUN_METRICS_BASE": str(free_block(len(SERVICES))), "EPUN_MONGO_PORT": str(free_port()),
           "EPUN_MAIL_PORT": str(free_port()),
           "EPUN_MONGO_STORAGE": ":memory:", "DB_PREFIX": f"s{uuid.uuid4().hex[:6]}",
           "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"}
    env.pop("MONGO_URI", None)
    first = epun(env, "up")
    assert first.returncode == 0, first.stderr + first.stdout
    pids = {name: int((tmp_path / "run" / f"{name}.pid").read_text())
            for name in (*SERVICES, "mongo", "mail")}
    again = epun(env, "up")
    assert again.returncode == 0, again.stderr
    assert {name: int((tmp_path / "run" / f"{name}.pid").read_text()) for name in pids} == pids
    assert (tmp_path / "admin-token").read_text().startswith("epun_")
    health = requests.get(f"http://127.0.0.1:{env['EPUN_HTTP_PORT']}/api/v1/health", timeout=10)
    assert health.json()["status"] == "ok"

    down = epun(env, "down")
    assert down.returncode == 0, down.stderr
    assert [name for name, pid in pids.items() if pid_alive(pid)] == []
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == ""


def stack_env(tmp_path, vhost, **extra):
    env = {**os.environ, "EPUN_STATE_DIR": str(tmp_path), "EPUN_HTTP_PORT": str(free_port()),
           "EPUN_METRICS_BASE": str(free_block(20)), "EPUN_MONGO_PORT": str(free_port()),
           "EPUN_MONGO_STORAGE": ":memory:", "DB_PREFIX": f"s{uuid.uuid4().hex[:6]}",
           "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}", **extra}
    env.pop("MONGO_URI", None)
    return env


def test_a_port_in_use_stops_up_before_it_starts_anything(tmp_path, vhost):
    with socket.socket() as other:  # another program on the HTTP port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = stack_env(tmp_path, vhost, EPUN_HTTP_PORT=str(port))
        refused = epun(env, "up")
    assert refused.returncode == 1
    assert f"port {port}" in refused.stderr and "EPUN_HTTP_PORT" in refused.stderr
    assert "up and healthy" not in refused.stdout
    assert list((tmp_path / "run").glob("*.pid")) == []


def test_two_processes_per_service_serve_and_status_names_the_one_that_died(tmp_path, vhost):
    env = stack_env(tmp_path, vhost, EPUN_REPLICAS="2")
    try:
        first = epun(env, "up")
        assert first.returncode == 0, first.stderr + first.stdout
        names = [n for s in SERVICES for n in (s, f"{s}-2")]
        pids = {n: int((tmp_path / "run" / f"{n}.pid").read_text()) for n in names}
        assert all(pid_alive(pid) for pid in pids.values())
        status = epun(env, "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert all(f"{n} " in status.stdout for n in names)

        # both gateway processes answer on the one HTTP port, both intake processes consume
        token = (tmp_path / "admin-token").read_text().strip()
        base = f"http://127.0.0.1:{env['EPUN_HTTP_PORT']}/api/v1"
        for i in range(40):  # a connection each: the kernel spreads them over both gateways
            answer = requests.put(f"{base}/entities/RPL{i:03d}", timeout=30,
                                  headers={"Authorization": f"Bearer {token}"},
                                  json={"name": f"Replica {i}", "category": "other"})
            assert answer.status_code == 200, answer.text
        metrics_base = int(env["EPUN_METRICS_BASE"])
        for offset in (0, 10):  # gateway and gateway-2, intake (1) and intake-2 (11)
            assert calls(metrics_base + offset, "gateway") > 0
            assert calls(metrics_base + offset + 1, "intake") > 0

        os.kill(pids["intake-2"], signal.SIGKILL)
        eventually(lambda: not pid_alive(pids["intake-2"]), 10)
        status = epun(env, "status")
        assert status.returncode == 1
        assert [line.split()[:2] for line in status.stdout.splitlines()
                if line.startswith("intake-2")] == [["intake-2", "died"]]
        assert "died: intake-2" in status.stderr

        again = epun(env, "up")  # starts the one that died, leaves the others alone
        assert again.returncode == 0, again.stderr + again.stdout
        now = {n: int((tmp_path / "run" / f"{n}.pid").read_text()) for n in names}
        assert [n for n in names if now[n] != pids[n]] == ["intake-2"]
    finally:
        down = epun(env, "down")
    assert down.returncode == 0, down.stderr
    assert [name for name, pid in now.items() if pid_alive(pid)] == []


def calls(port, service):
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "epun_entrypoint_calls_total"
               and sample.labels.get("service") == service)
