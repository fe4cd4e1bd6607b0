"""The demo (`epun demo`) loaded through the HTTP API into a private platform: how long each step
takes, how long the services then need to publish and project every event, and the processor
time each process of the platform used.

The demo is the largest load the tests put on one machine (about 24,000 filers over five
cycles), so this is where the embedded database server's settings show. Options of that
server go in EPUN_MONGO_ARGS (`--cache-size 4G`, say), as for `epun up`. With
SLOW_COMMAND_MS=300 it also prints the database commands that took longer, by service and shape.

    .venv/bin/python bench/demo_load.py
"""
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from epun.client import Client  # noqa: E402
from epun.demo import STEPS  # noqa: E402
from epun.stack import (RABBIT_API, Stack, cpu_seconds, drop_vhost, open_vhost,  # noqa: E402
                        private_stack, processes)

def settled(api: Client, vhost: str) -> bool:
    """Every outbox published and every queue of the vhost empty."""
    services = api.get("/health")["services"]
    queues = requests.get(f"{RABBIT_API}/queues/{vhost}", timeout=10).json()
    return (all(s.get("outbox_backlog") == 0 for name, s in services.items() if name != "gateway")
            and all(q.get("messages", 0) == 0 for q in queues))


SLOW = re.compile(r"slow command[^:]*: (?P<shape>.*) in (?P<ms>\d+) ms$")


def print_slow_commands(log_dir: Path, top: int = 10):
    """The commands the services logged as slow (SLOW_COMMAND_MS), by service and shape, the
    most time first."""
    total: Counter = Counter()
    count: Counter = Counter()
    for log in log_dir.glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if found := SLOW.search(line):
                key = (log.stem, found["shape"])
                total[key] += int(found["ms"])
                count[key] += 1
    print(f"slow commands (over {os.environ['SLOW_COMMAND_MS']} ms), the {top} costliest:")
    for (service, shape), ms in total.most_common(top):
        print(f"  {service:<14} {count[service, shape]:6d} x {ms / 1000:8.1f} s  {shape}")


def main():
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-bench")
    with tempfile.TemporaryDirectory() as state:
        stack = private_stack(Path(state), vhost, "b")
        try:
            stack.up()
            api = Client(stack.base_url, stack.admin_token(), timeout=1800)
            pids = processes(stack)
            print(f"database server options: {stack.mongo_args or 'defaults'}")
            started = time.monotonic()
            for step in STEPS:
                began = time.monotonic()
                __import__(f"epun.demo.{step}", fromlist=["load"]).load(api, say=lambda _: None)
                print(f"{step:<12} {time.monotonic() - began:8.1f} s", flush=True)
            loaded = time.monotonic()
            while not settled(api, vhost):
                time.sleep(2)
            print(f"{'settling':<12} {time.monotonic() - loaded:8.1f} s")
            print(f"{'in all':<12} {time.monotonic() - started:8.1f} s")
            print("processor time, s:")
            for name, pid in pids.items():
                print(f"  {name:<14} {cpu_seconds(pid):8.1f}")
            if os.environ.get("SLOW_COMMAND_MS"):
                print_slow_commands(stack.log_dir)
        finally:
            stack.down()
            drop_vhost(vhost)


if __name__ == "__main__":
    main()
