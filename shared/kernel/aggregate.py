"""Aggregates record the events they cause; the unit of work collects them at commit."""
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedEvent:
    """An event's payload (a contract registered with `@event`) and the entity it belongs to."""
    payload: Any
    entity: str


class Aggregate:
    """Mix into a domain class: `self.record(SomethingHappened(...), entity)` inside a move.

    The events are kept outside the object's fields, so storing the aggregate never stores them.
    """

    @property
    def events(self) -> list[RecordedEvent]:
        found = self.__dict__.get("_recorded")
        if found is None:
            found = self.__dict__["_recorded"] = []
        return found

    def record(self, payload, entity: str):
        self.events.append(RecordedEvent(payload, entity))

    def take_events(self) -> list[RecordedEvent]:
        taken, self.__dict__["_recorded"] = self.events, []
        return taken
