"""The wire format: every RPC payload and event is a pydantic model here."""
from . import common, directory, disclosure, envelope, intake, panel, tokens  # noqa: F401
from .envelope import EVENTS, Envelope, event, events_of  # noqa: F401
