"""The event envelope and the registry of event types with their payload models."""
import datetime as dt
import uuid
from typing import Any, Optional

from pydantic import BaseModel, Field

from .common import Actor, Contract, EntityCode

# event type -> (source service, payload model)
EVENTS: dict[str, tuple[str, type[BaseModel]]] = {}


def event(source: str, event_type: str, schema_version: int = 1):
    """Register a payload model as the contract of `event_type`, published by `source`."""
    def register(model):
        if event_type in EVENTS:
            raise ValueError(f"event type {event_type} is registered twice")
        model.event_type = event_type
        model.schema_version = schema_version
        EVENTS[event_type] = (source, model)
        return model
    return register


def events_of(source: str) -> list[str]:
    return sorted(t for t, (src, _) in EVENTS.items() if src == source)


class Envelope(Contract):
    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    type: str
    schema_version: int = 1
    occurred_at: dt.datetime = Field(
        default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    entity: EntityCode
    actor: Actor
    payload: dict[str, Any]
    request_id: Optional[str] = None  # the request that caused it, to follow it through logs

    def parsed(self) -> BaseModel:
        """The payload as its registered model; raises ValidationError or KeyError."""
        _, model = EVENTS[self.type]
        return model.model_validate(self.payload)

    @classmethod
    def of(cls, payload: BaseModel, entity: str, actor: Actor,
           occurred_at: dt.datetime | None = None, request_id: str | None = None) -> "Envelope":
        extra = {"occurred_at": occurred_at} if occurred_at else {}
        # `event_type` and `schema_version` are set on the model's class by `@event`
        return cls(type=getattr(payload, "event_type"),
                   schema_version=getattr(payload, "schema_version"),
                   entity=entity, actor=actor, payload=payload.model_dump(mode="json"),
                   request_id=request_id, **extra)
