"""How single-record writes scale from one to two processes of each service on one machine.

32 clients (threads) POST service requests one at a time to `POST /api/v1/service-requests`, each
with its own Idempotency-Key, first against a platform with one process of each service, then
against a fresh one with two (competing consumers on the same queues; the two gateway processes
share the HTTP port through SO_REUSEPORT). For each it prints the writes acknowledged a second, the
p50 and p99 latency of a write, and the answers by status; then the ratio of the two throughputs.

Both platforms are private (a fresh RabbitMQ vhost, an in-memory embedded MongoDB-compatible
server or MONGO_URI's, the services on free ports) and are stopped at the end. A short warm-up
precedes each measured run. The two processes share this machine's cores with the one database
server, the broker and the clients, so the ratio says what a second process buys here, not what a
second machine would.

    .venv/bin/python bench/scale_out.py [--writes 4000] [--clients 32]
"""
import argparse
import datetime as dt
import signal
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from epun.client import Client  # noqa: E402
from epun.load import WriteLoad  # noqa: E402
from epun.stack import Stack, drop_vhost, open_vhost, private_stack  # noqa: E402

WARM_UP = 200


def measure(replicas: int, writes: int, clients: int):
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-bench")
    with tempfile.TemporaryDirectory(prefix="epun-bench-") as state:
        stack = private_stack(Path(state), vhost, "b", replicas=replicas)
        try:
            stack.up()
            return run(stack, writes, clients)
        finally:
            stack.down()
            drop_vhost(vhost)


def run(stack: Stack, writes: int, clients: int):
    api = Client(stack.base_url, stack.admin_token())
    entity = f"SO{uuid.uuid4().hex[:6].upper()}"
    api.put(f"/entities/{entity}", {"name": "Scale-out bench", "category": "other"})
    token = api.token_for("ethics_office", label="scale-out bench")
    body = {"entity": entity, "received_on": dt.date.today().isoformat(), "category": "advice",
            "advice_topic": "outside_activities", "source": "headquarters"}
    WriteLoad(stack.base_url, token, "/service-requests", [body] * WARM_UP, clients).run()
    return WriteLoad(stack.base_url, token, "/service-requests", [body] * writes, clients).run()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # stop the stack on the way out
    results = {}
    for replicas in (1, 2):
        print(f"{args.writes} single-record writes from {args.clients} clients, {replicas} "
              f"process(es) of each service ...", flush=True)
        results[replicas] = result = measure(replicas, args.writes, args.clients)
        print(f"  {result.throughput:8.1f} writes/s   p50 {result.percentile(50) * 1000:7.1f} ms"
              f"   p99 {result.percentile(99) * 1000:7.1f} ms   answers "
              f"{dict(sorted(result.statuses.items()))}", flush=True)
    one, two = results[1].throughput, results[2].throughput
    print(f"two processes / one: {two / one:.2f}x throughput" if one else "no throughput")


if __name__ == "__main__":
    main()
