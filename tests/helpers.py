"""Helpers for tests: free ports, and waiting for what happens asynchronously."""
import time

import pytest

from epun.stack import free_block, free_port  # noqa: F401  (tests import them from here)


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
