"""Helpers for tests: free ports, and waiting for what happens asynchronously."""
import contextlib
import time
from pathlib import Path

import pymongo
import pytest

from epun.client import Client
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


def platform_fixtures(scope: str) -> tuple:
    """The `mongo`, `api` and `client_as` fixtures over the `stack` fixture, at `scope`: the
    session's in conftest, a module's where the module has a platform of its own."""
    @pytest.fixture(scope=scope, name="mongo")
    def database(stack):
        client = pymongo.MongoClient(stack.mongo_uri, tz_aware=True)
        yield client
        client.close()

    @pytest.fixture(scope=scope, name="api")
    def admin(stack) -> Client:
        """A client with the stack's admin token."""
        return Client(stack.base_url, stack.admin_token())

    @pytest.fixture(scope=scope, name="client_as")
    def by_role(api):
        """`client_as(role, entity=None, staff_id=None)`: a client holding a token of that
        role, one per role, entity and staff id."""
        cache = {}

        def make(role, entity=None, staff_id=None):
            key = (role, entity, staff_id)
            if key not in cache:
                cache[key] = api.as_token(api.token_for(role, entity, staff_id))
            return cache[key]
        return make
    return database, admin, by_role
