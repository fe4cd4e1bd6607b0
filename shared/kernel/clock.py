"""What day it is, as the domain asks it: a clock is passed in, never read from a global, so
tests drive time and historical records load like today's."""
import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def today(self) -> dt.date: ...

    def now(self) -> dt.datetime: ...


class SystemClock:
    def today(self) -> dt.date:
        return dt.date.today()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


class FixedClock:
    """A clock that stands still until moved: `FixedClock(dt.date(2015, 7, 31)).advance(days=1)`."""

    def __init__(self, day: dt.date | dt.datetime):
        if isinstance(day, dt.datetime):
            self._now = day if day.tzinfo else day.replace(tzinfo=dt.timezone.utc)
        else:
            self._now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)

    def today(self) -> dt.date:
        return self._now.date()

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, days: float = 0, seconds: float = 0) -> "FixedClock":
        self._now += dt.timedelta(days=days, seconds=seconds)
        return self


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
