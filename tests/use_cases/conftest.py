"""Use-case tests: each service's use cases on its in-memory unit of work, with the clock driven
by the test. No broker, no database: they run in seconds (`make unit`)."""
import pytest
from people import TODAY

from shared.kernel.clock import FixedClock
from shared.kernel.uow import MemoryState


@pytest.fixture
def clock():
    return FixedClock(TODAY)


@pytest.fixture
def state():
    return MemoryState()
