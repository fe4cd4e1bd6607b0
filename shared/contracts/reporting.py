"""Reporting's contracts: issued versions of the reports, and the figures of the unit cost."""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import StringConstraints

from .common import Contract
from .envelope import event

Symbol = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60,
                                          pattern=r"^[A-Za-z0-9][A-Za-z0-9./()\- ]*$")]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ReportKind(str, Enum):
    """The reports the Ethics Office issues: each named by its period or its cycle year."""
    annual = "annual"
    system_wide = "system-wide"
    annex = "annex"


class IssueIn(Contract):
    """`POST /reports/.../issues`: freeze the report as it stands on `as_of`."""
    as_of: dt.date
    symbol: Optional[Symbol] = None  # the document symbol, for example A/70/307
    note: Optional[Note] = None


class Issued(Contract):
    version: int
    issued_at: dt.datetime
    as_of: dt.date


class IssuedVersion(Issued):
    issued_by: str
    symbol: Optional[str] = None
    note: Optional[str] = None


class IssuedVersions(Contract):
    report: ReportKind
    key: str  # the period (annual, system-wide) or the cycle year (annex)
    items: list[IssuedVersion]


@event("reporting", "report_issued")
class ReportIssued(Contract):
    """A version of a report was issued: its figures are frozen from now on."""
    report: ReportKind
    key: str
    version: int
    as_of: dt.date
    symbol: Optional[str] = None


class UnitCostRow(Contract):
    year: int
    filers: int
    cost: Optional[float] = None  # the programme's cost in US dollars, as the cycle states it
    unit_cost: Optional[float] = None


class UnitCost(Contract):
    rows: list[UnitCostRow]
