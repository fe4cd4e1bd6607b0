"""Helpers for tests: free ports, and waiting for what happens asynchronously."""
import contextlib
import time
from pathlib import Path

import pytest

from epun.stack import (Stack, drop_vhost, free_block, free_port,  # noqa: F401
                        open_vhost, private_stack)


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


@contextlib.contextmanager
def platform_of_its_own(state: Path, env: dict | None = None):
    """A whole platform of its own (its services given `env` too), up until the block ends."""
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-own")
    stack = private_stack(state, vhost, "o")
    stack.extra_env.update(env or {})
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
        drop_vhost(vhost)


def clients_by_role(api):
    """`make(role, entity=None, staff_id=None)`: a client holding a token of that role, one per
    role, entity and staff id."""
    cache = {}

    def make(role, entity=None, staff_id=None):
        key = (role, entity, staff_id)
        if key not in cache:
            cache[key] = api.as_token(api.token_for(role, entity, staff_id))
        return cache[key]
    return make
