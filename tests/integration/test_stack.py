"""`epun up` and `epun down` as a user runs them."""
import os
import subprocess
import sys
import uuid

import pytest
import requests

from epun.stack import SERVICES, pid_alive

from ..helpers import free_block, free_port

pytestmark = pytest.mark.integration


def epun(env, *args):
    return subprocess.run([sys.executable, "-m", "epun.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_up_twice_then_down_leaves_no_process_behind(tmp_path, vhost):
    env = {**os.environ, "EPUN_STATE_DIR": str(tmp_path), "EPUN_HTTP_PORT": str(free_port()),
           "EPUN_METRICS_BASE": str(free_block(5)), "EPUN_MONGO_PORT": str(free_port()),
           "EPUN_MONGO_STORAGE": ":memory:", "DB_PREFIX": f"s{uuid.uuid4().hex[:6]}",
           "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"}
    env.pop("MONGO_URI", None)
    first = epun(env, "up")
    assert first.returncode == 0, first.stderr + first.stdout
    pids = {name: int((tmp_path / "run" / f"{name}.pid").read_text())
            for name in (*SERVICES, "mongo")}
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
