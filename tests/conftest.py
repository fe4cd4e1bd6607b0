"""Fixtures shared by every test: a whole platform on a private RabbitMQ vhost and databases.

Unit tests (tests/unit) use none of these. Integration and end-to-end tests share one stack per
session: RabbitMQ at AMQP_URI's host (a fresh vhost), MongoDB at MONGO_URI or an embedded
in-memory server, and the five services as processes on free ports.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # nameko's pytest plugin no longer does it

import uuid  # noqa: E402

import pytest  # noqa: E402

from epun.stack import Stack, drop_vhost, open_vhost, private_stack  # noqa: E402
from tests.helpers import platform_fixtures  # noqa: E402
from tests.identities import CALLBACK, TestProvider  # noqa: E402


@pytest.fixture(scope="session")
def vhost():
    Stack().ensure_rabbitmq()  # starts it (and its management plugin) when it is not running
    name = open_vhost("epun-test")
    yield name
    drop_vhost(name)


@pytest.fixture(scope="session")
def stack(vhost, tmp_path_factory):
    """The platform, its gateway configured with the test identity provider (and local
    accounts on too)."""
    st = private_stack(tmp_path_factory.mktemp("stack"), vhost, "t")
    provider = TestProvider(tmp_path_factory.mktemp("identity-provider"),
                            st.base_url + CALLBACK)
    provider.start()
    st.extra_env.update(provider.gateway_env())
    st.identity_provider = provider
    try:
        st.up()
        yield st
    finally:
        st.down()
        provider.stop()


@pytest.fixture(scope="session")
def identity_provider(stack) -> TestProvider:
    return stack.identity_provider


mongo, api, client_as = platform_fixtures("session")


@pytest.fixture
def unique_code():
    """A fresh entity code, so tests sharing the stack don't see each other's records."""
    return lambda prefix="T": f"{prefix}{uuid.uuid4().hex[:8].upper()}"
