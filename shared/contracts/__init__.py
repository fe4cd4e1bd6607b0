"""The wire format: every RPC payload and event is a pydantic model here."""
from . import (common, directory, disclosure, envelope, intake, panel, reporting,  # noqa: F401
               tokens)
from .envelope import EVENTS, Envelope, event, events_of  # noqa: F401
