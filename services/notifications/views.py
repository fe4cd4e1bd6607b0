"""The RPC's arguments, checked once at the boundary (a bad one is a 422 naming its field)."""
import datetime as dt
from typing import Annotated, Optional

from pydantic import Field

from shared.kernel.errors import checked

from .use_cases import LIMIT_MAX, DeliveryQuery

Limit = Annotated[int, Field(ge=1, le=LIMIT_MAX)]
Year = Annotated[int, Field(ge=1990, le=2200)]


def delivery_query(recipient, kind, since, cursor, limit) -> DeliveryQuery:
    return DeliveryQuery(
        recipient=checked(Optional[str], recipient, "recipient"),
        kind=checked(Optional[str], kind, "kind"),
        since=_since(checked(Optional[dt.datetime | dt.date], since, "since")),
        cursor=checked(Optional[str], cursor, "cursor"),
        limit=checked(Limit, 50 if limit is None else limit, "limit"))


def _since(value):
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.timezone.utc)
    return None


def year_of(year) -> int:
    return checked(Year, year, "year")
