"""Helpers for tests: free ports, and waiting for what happens asynchronously."""
import random
import socket
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_block(size: int) -> int:
    """A run of `size` free ports, from a random start (test sessions may run side by side)."""
    start = random.randrange(20000, 40000, 10)
    for base in [*range(start, 40000, 10), *range(20000, start, 10)]:
        if all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def eventually(check, seconds: float = 15, interval: float = 0.1):
    """Poll `check()` until it returns something truthy; returns it, or fails the test."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"condition not met within {seconds} s (last value: {last!r})")
