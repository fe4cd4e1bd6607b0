"""Fixtures shared by every test: a whole platform on a private RabbitMQ vhost and databases.

Unit tests (tests/unit) use none of these. Integration and end-to-end tests share one stack per
session: RabbitMQ at AMQP_URI's host (a fresh vhost), MongoDB at MONGO_URI or an embedded
in-memory server, and the five services as processes on free ports.
"""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # nameko's pytest plugin no longer does it

import os  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pymongo  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402

from epun.client import Client  # noqa: E402
from epun.stack import Stack  # noqa: E402

from .helpers import free_block, free_port  # noqa: E402

RABBIT_API = os.environ.get("RABBIT_API", "http://guest:guest@127.0.0.1:15672/api")


@pytest.fixture(scope="session")
def vhost():
    Stack().ensure_rabbitmq()  # starts it (and its management plugin) when it is not running
    name = f"epun-test-{uuid.uuid4().hex[:8]}"
    requests.put(f"{RABBIT_API}/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{name}/guest", timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield name
    requests.delete(f"{RABBIT_API}/vhosts/{name}", timeout=30)


@pytest.fixture(scope="session")
def stack(vhost, tmp_path_factory):
    state = tmp_path_factory.mktemp("stack")
    st = Stack(state_dir=Path(state), http_port=free_port(), metrics_base=free_block(5),
               amqp_uri=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
               mongo_uri=os.environ.get("MONGO_URI"), mongo_port=free_port(),
               mongo_storage=":memory:", db_prefix=f"t{uuid.uuid4().hex[:8]}")
    try:
        st.up()
        yield st
    finally:
        st.down()


@pytest.fixture(scope="session")
def mongo(stack):
    client = pymongo.MongoClient(stack.mongo_uri, tz_aware=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def api(stack) -> Client:
    """A client with the stack's admin token."""
    return Client(stack.base_url, stack.admin_token())


@pytest.fixture(scope="session")
def client_as(api):
    """`client_as(role, entity=None, staff_id=None)`: a client holding a token of that role."""
    cache = {}

    def make(role, entity=None, staff_id=None):
        key = (role, entity, staff_id)
        if key not in cache:
            cache[key] = api.as_token(api.token_for(role, entity, staff_id))
        return cache[key]
    return make


@pytest.fixture
def unique_code():
    """A fresh entity code, so tests sharing the stack don't see each other's records."""
    return lambda prefix="T": f"{prefix}{uuid.uuid4().hex[:8].upper()}"
