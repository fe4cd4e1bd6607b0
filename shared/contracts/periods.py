"""The Ethics Office's reporting periods (1 August to 31 July, written `2014-15`) and the
financial disclosure cycles named by their year."""
import datetime as dt


def period_label(start_year: int) -> str:
    """The period that starts on 1 August of `start_year`: 2014 -> "2014-15"."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def check_period(value: str) -> str:
    """`value` if it is a period label; ValueError saying how one is written otherwise."""
    start, _, end = str(value).partition("-")
    if not (len(start) == 4 and start.isdigit() and len(end) == 2 and end.isdigit()):
        raise ValueError("a period is written YYYY-YY, for example 2014-15")
    if period_label(int(start)) != value:
        raise ValueError("a period runs from one year to the next, for example 2014-15")
    return value


def period_start_year(period: str) -> int:
    return int(check_period(period)[:4])


def period_of(day: dt.date) -> str:
    """The reporting period holding `day`."""
    return period_label(day.year if day.month >= 8 else day.year - 1)


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    start = period_start_year(period)
    return dt.date(start, 8, 1), dt.date(start + 1, 7, 31)


def period_started(period: str, today: dt.date) -> bool:
    return period_bounds(period)[0] <= today


def earlier_periods(period: str, count: int) -> list[str]:
    """`count` periods ending with `period`, oldest first."""
    start = period_start_year(period)
    return [period_label(y) for y in range(start - count + 1, start + 1)]


def recent_periods(today: dt.date, count: int) -> list[str]:
    """The period of `today` and the `count - 1` before it, newest first."""
    return list(reversed(earlier_periods(period_of(today), count)))


def last_finished_period(today: dt.date) -> str:
    """The latest reporting period that has ended by `today`."""
    return earlier_periods(period_of(today), 2)[0]


def cycle_of_period(period: str) -> int:
    """The disclosure cycle a period's report covers: the one named by the period's first year.

    The 2014 cycle opens on 1 March 2014, five months before the 2014-15 period starts, and its
    filing, review and verification are what the 2014-15 report gives."""
    return period_start_year(period)
