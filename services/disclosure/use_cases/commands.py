"""The commands of the use cases that need more than one value: a path joined with its body,
a list's query, a batch of raw rows."""
import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.contracts.disclosure import (ComplianceBy, FilerQuery, NonFilerQuery, ParticipantIn,
                                         SampleRequest)


@dataclass(frozen=True)
class EnrolParticipant:
    entity: str
    request: ParticipantIn
    category: str  # the directory's, as intake has it


@dataclass(frozen=True)
class CloseCycle:
    year: int
    closed_on: dt.date | None = None  # today when not given


@dataclass(frozen=True)
class Batch:
    """The raw rows of a batch request for a cycle, each validated alone."""
    year: int
    items: Any


@dataclass(frozen=True)
class ForFiler:
    """A request about one filer: the path's year and staff id, and the validated body."""
    year: int
    staff_id: str
    request: Any = None


@dataclass(frozen=True)
class ListFilers:
    year: int
    query: FilerQuery


@dataclass(frozen=True)
class ListNonFilers:
    year: int
    query: NonFilerQuery


@dataclass(frozen=True)
class DrawSample:
    year: int
    request: SampleRequest


@dataclass(frozen=True)
class ComplianceQuery:
    year: int
    by: ComplianceBy = ComplianceBy.entity


@dataclass(frozen=True)
class Remind:
    year: int
    days_before: int
    entity: str | None = None  # one entity's reminder; None: every entity with non-filers


@dataclass(frozen=True)
class ListReminders:
    year: int
    entity: str | None = None  # a focal point's own when not given
