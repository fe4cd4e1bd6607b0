"""The platform on a three-node RabbitMQ cluster of the test's own, with quorum queues and two
processes of every service, while it takes writes through the HTTP API and loses a broker node
(and, in the full run, one process of each service to kill -9): afterwards no acknowledged write
is lost, none is recorded twice, the report counts the records, and no answer was a 500.

The short run (500 writes, one broker node stopped) is part of `make test`; the full run (5,000
writes, a node stopped and a process of each service killed) is `make cluster`.
"""
import datetime as dt
import json
import os
import secrets
import signal
import threading
import uuid

import pytest

from epun.client import Client
from epun.load import WriteLoad
from epun.stack import SERVICES, private_stack
from shared.contracts.periods import period_of

from ..brokers import BrokerNode, available
from ..helpers import eventually

pytestmark = pytest.mark.skipif(not available(), reason="needs Debian's rabbitmq-server")

VHOST = "epun-cluster"


def start_cluster(base, size: int = 3) -> list[BrokerNode]:
    """`size` nodes with their own names, ports and data, one Erlang cookie, joined to the
    first with `rabbitmqctl join_cluster`."""
    cookie_home = base / "cookie"
    cookie_home.mkdir(parents=True)
    cookie = cookie_home / ".erlang.cookie"
    cookie.write_text(secrets.token_hex(20))
    cookie.chmod(0o400)
    run = uuid.uuid4().hex[:6]
    nodes = [BrokerNode(base / f"node{i}", f"epun-c{i}-{run}", cookie_home=cookie_home)
             for i in range(1, size + 1)]
    starting = [threading.Thread(target=node.start) for node in nodes]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join()
    for node in nodes[1:]:
        node.join(nodes[0])
    nodes[0].add_vhost(VHOST)
    return nodes


def cluster_members(node: BrokerNode) -> set[str]:
    status = json.loads(node.ctl("cluster_status", "--formatter", "json").stdout)
    return set(status["running_nodes"])


@pytest.fixture
def cluster(tmp_path):
    nodes = start_cluster(tmp_path / "brokers")
    try:
        yield nodes
    finally:
        for node in nodes:
            node.destroy()


@pytest.fixture
def platform(cluster, tmp_path):
    uris = ";".join(node.amqp_uri(VHOST) for node in cluster)
    stack = private_stack(tmp_path / "stack", VHOST, "c", replicas=2, amqp_uri=uris)
    stack.extra_env.update(QUEUE_TYPE="quorum", IDEMPOTENCY_CLAIM_SECONDS="5")
    try:
        stack.up()
        yield stack
    finally:
        stack.down()


def kill_one_process_of_each_service(stack) -> dict:
    killed = {service: stack.read_pid(service) for service in SERVICES}
    for pid in killed.values():
        os.kill(pid, signal.SIGKILL)
    return killed


def drill(stack, nodes, writes: int, kill_processes: bool):
    api = Client(stack.base_url, stack.admin_token())
    entity = f"CL{uuid.uuid4().hex[:6].upper()}"
    api.put(f"/entities/{entity}", {"name": "A clustered office", "category": "other"})
    writer = api.token_for("ethics_office", label="cluster drill")
    today = dt.date.today()
    bodies = [{"entity": entity, "received_on": today.isoformat(), "category": "advice",
               "advice_topic": "outside_activities", "source": "headquarters"}] * writes
    load = WriteLoad(stack.base_url, writer, "/service-requests", bodies, clients=32,
                     timeout=60)
    faults, finished = [], threading.Event()

    def reached(share: float) -> bool:
        """Waits until that share of the writes is acknowledged; False if the load ended."""
        while load.acknowledged < writes * share:
            if finished.wait(0.05):
                return False
        return True

    def inject():
        if not reached(0.3):
            return
        faults.append(f"broker node {nodes[0].node} stopped at {load.acknowledged} "
                      "acknowledged writes")
        nodes[0].stop()
        if kill_processes and reached(0.6):
            killed = kill_one_process_of_each_service(stack)
            faults.append(f"kill -9 of {sorted(killed)} at {load.acknowledged} acknowledged")
    injector = threading.Thread(target=inject)
    injector.start()
    try:
        result = load.run()
    finally:
        finished.set()
        injector.join()
    print(f"\ncluster drill: {result.summary()}\nfaults: " + "; ".join(faults))
    return api, entity, result, faults


@pytest.mark.parametrize("writes, kill_processes", [
    pytest.param(500, False, marks=pytest.mark.integration, id="short"),
    pytest.param(5000, True, marks=pytest.mark.cluster, id="full"),
])
def test_writes_survive_a_broker_node_and_killed_processes(cluster, platform, writes,
                                                           kill_processes):
    stack, survivor = platform, cluster[1]
    assert cluster_members(survivor) == {node.node for node in cluster}
    api, entity, result, faults = drill(stack, cluster, writes, kill_processes)

    assert len(faults) == (2 if kill_processes else 1)
    assert result.statuses[500] == 0, result.summary()
    assert result.refused == {}, result.refused
    acknowledged = set(result.acknowledged.values())
    assert len(result.acknowledged) == writes and len(acknowledged) == writes, result.summary()

    records = [r["id"] for r in api.every("/service-requests", entity=entity)]
    lost = acknowledged - set(records)
    duplicated = len(records) - len(set(records)) + len(set(records) - acknowledged)
    print(f"records {len(records)}, lost {len(lost)}, duplicated {duplicated}, "
          f"503s {result.statuses[503]}")
    assert (len(lost), duplicated) == (0, 0)

    period = period_of(dt.date.today())

    totals = []

    def reported():
        report = api.get(f"/reports/annual/{period}", params={"entity": entity})
        totals.append(report["service_requests"]["total"])
        return totals[-1] == len(records)
    eventually(reported, 180, interval=1)

    queues = survivor.queue_types(VHOST)
    durable = {name: kind for name, kind in queues.items() if not name.startswith("rpc.reply")}
    assert durable and set(durable.values()) == {"quorum"}, durable
    assert cluster_members(survivor) == {node.node for node in cluster[1:]}
