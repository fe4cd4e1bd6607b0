"""What the local stack reads of its processes from /proc: the ports a pid listens on, who holds
a port, whether a port is free."""
import os
import socket
import subprocess
import sys

import pytest

from epun.processes import listening_ports, pid_alive, port_free, port_holders
from epun.stack import SERVICES, Stack, StackError, free_block, from_environment

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="Linux /proc only")


@pytest.fixture
def listener():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_a_listening_port_is_ours_and_not_free(listener):
    assert listener in listening_ports(os.getpid())
    assert not port_free(listener)
    assert os.getpid() in port_holders(listener)


def test_a_closed_port_is_free_and_held_by_no_one():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert port_free(port)
    assert port_holders(port) == {}
    assert port not in listening_ports(os.getpid())


def test_a_dead_child_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not pid_alive(child.pid)
    assert pid_alive(os.getpid())


def test_up_refuses_a_port_held_by_another_program_naming_it_and_its_setting(tmp_path, listener):
    stack = Stack(state_dir=tmp_path, http_port=listener, metrics_base=free_block(10),
                  mongo_uri="mongodb://unused")
    with pytest.raises(StackError) as refused:
        stack.check_ports(stack.service_processes())
    message = str(refused.value)
    assert f"port {listener}" in message and "EPUN_HTTP_PORT" in message
    assert f"pid {os.getpid()}" in message


def test_replicas_get_their_own_metrics_ports_and_the_gateway_shares_its_http_port(tmp_path):
    stack = Stack(state_dir=tmp_path, metrics_base=9100, replicas=2)
    assert stack.process_names("intake") == ["intake", "intake-2"]
    assert stack.ports_of("intake-2") == {9111: "EPUN_METRICS_BASE"}
    assert stack.ports_of("gateway") == {9100: "EPUN_METRICS_BASE", 8000: "EPUN_HTTP_PORT"}
    assert stack.ports_of("gateway-2") == {9110: "EPUN_METRICS_BASE", 8000: "EPUN_HTTP_PORT"}
    every = [p for n in stack.service_processes() for p in stack.ports_of(n) if p != 8000]
    assert len(every) == len(set(every)) == 2 * len(SERVICES)


@pytest.mark.parametrize("value", ["0", "ten", "12"])
def test_a_replica_count_out_of_range_is_refused(monkeypatch, value):
    monkeypatch.setenv("EPUN_REPLICAS", value)
    with pytest.raises(StackError, match="EPUN_REPLICAS"):
        from_environment()


def test_the_replica_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EPUN_REPLICAS", "3")
    assert from_environment().process_names("panel") == ["panel", "panel-2", "panel-3"]
