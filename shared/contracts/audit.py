"""The audit log as the auditors read it: entries of every service, merged by time."""
import datetime as dt
import re
from typing import Annotated, Optional

from pydantic import BeforeValidator, Field

from .common import Contract, EntityCode


def _written_as_a_day(value):
    """A query's day or time as ISO 8601 writes it (pydantic would take 0.5 as a time)."""
    if isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD and a time YYYY-MM-DDTHH:MM")
    return value


class AuditFilter(Contract):
    """`?entity=&actor=&action=&since=`: `actor` is who acted (an e-mail or a token's label),
    `since` a day or a time (entries from then on)."""
    entity: Optional[EntityCode | Annotated[str, Field(pattern="^-$")]] = None
    actor: Optional[Annotated[str, Field(min_length=1, max_length=200)]] = None
    action: Optional[Annotated[str, Field(min_length=1, max_length=80)]] = None
    since: Optional[Annotated[dt.datetime | dt.date, BeforeValidator(_written_as_a_day)]] = None


class AuditQuery(AuditFilter):
    """`AuditFilter` and `?limit=&cursor=` (the next_cursor of the page before)."""
    limit: Annotated[int, Field(ge=1)] = 100
    cursor: Optional[Annotated[str, Field(max_length=2000)]] = None


class ServiceAuditQuery(AuditFilter):
    """One service's part of a page: its entries after number `after`."""
    after: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class AuditEntryView(Contract):
    service: str
    seq: int
    at: dt.datetime
    entity: str
    who: str
    role: Optional[str] = None
    action: str
    record: str
    detail: Optional[str] = None
    hash: str
    prev: str


class AuditPage(Contract):
    items: list[AuditEntryView]
    next_cursor: Optional[str] = None
