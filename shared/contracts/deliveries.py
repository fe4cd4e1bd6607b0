"""What the notifications service says about the messages it sent: its deliveries, as the
gateway reads them back (`GET /notifications`, the Ethics Office's page, the focal point's
compliance page)."""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from .common import Contract, EntityCode

Kind = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,59}$")]
Recipient = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                             max_length=254)]
MAX_DELIVERIES = 200  # a page holds at most this many
# what the notifications service sends (its templates' names), for the readers' filters
KINDS = ("compliance_summary", "consultation_concluded", "consultation_invitation",
         "consultation_reminder", "cycle_opened_filer", "cycle_opened_focal", "figures_receipt",
         "filing_reminder", "meeting_cancelled", "meeting_invitation", "meeting_update",
         "overdue_notice", "public_disclosure_declined", "public_disclosure_published",
         "public_disclosure_returned", "review_outcome")


def _day_or_time(value: str) -> str:
    """A day (YYYY-MM-DD) or a time (ISO 8601), as ISO text."""
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
        return dt.datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise PydanticCustomError("day_or_time", "a day (2015-07-31) or a time "
                                  "(2015-07-31T09:00:00+00:00)")


DayOrTime = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40),
                      AfterValidator(_day_or_time)]


class DeliveryState(str, Enum):
    queued = "queued"
    sent = "sent"
    failed = "failed"


class DeliveryQuery(Contract):
    """`?recipient=&kind=&since=&cursor=&limit=`: deliveries, newest first."""
    recipient: Optional[Recipient] = None  # an e-mail address
    kind: Optional[Kind] = None  # cycle_opened, filing_reminder, meeting_invitation, ...
    since: Optional[DayOrTime] = None  # a day or a time: queued from then on
    cursor: Optional[Annotated[str, StringConstraints(max_length=200)]] = None
    limit: Annotated[int, Field(ge=1, le=MAX_DELIVERIES)] = 50

    def asked(self) -> dict:
        """The RPC's keyword arguments (`since` as ISO text)."""
        return {"recipient": self.recipient, "kind": self.kind,
                "since": self.since,
                "cursor": self.cursor, "limit": self.limit}


class Delivery(Contract):
    id: str
    kind: str
    recipient: str
    language: str
    subject: str
    state: DeliveryState
    reason: Optional[str] = None  # why it failed
    attempts: int
    queued_at: dt.datetime
    sent_at: Optional[dt.datetime] = None


class DeliveryPage(Contract):
    items: list[Delivery]
    next: Optional[str] = None  # the cursor of the next page


class LastReminder(Contract):
    """The day an entity's focal points were last sent a reminder of a cycle."""
    entity: EntityCode
    year: int
    last_reminder_on: Optional[dt.date] = None  # None: never
