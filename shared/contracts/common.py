"""Types every contract uses: entity codes, periods, roles, the actor."""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

ENTITY_CODE_PATTERN = r"^[A-Z][A-Z0-9-]{1,15}$"
EntityCode = Annotated[str, StringConstraints(pattern=ENTITY_CODE_PATTERN)]
ETHICS_OFFICE = "EO"


def _check_period(value: str) -> str:
    start, _, end = value.partition("-")
    if not (len(start) == 4 and start.isdigit() and len(end) == 2 and end.isdigit()):
        raise ValueError("a period is written YYYY-YY, for example 2014-15")
    if (int(start) + 1) % 100 != int(end):
        raise ValueError("a period runs from one year to the next, for example 2014-15")
    return value


Period = Annotated[str, AfterValidator(_check_period)]


def period_of(day: dt.date) -> str:
    """The Ethics Office's reporting period holding `day` (1 August to 31 July)."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    start = int(_check_period(period)[:4])
    return dt.date(start, 8, 1), dt.date(start + 1, 7, 31)


class Contract(BaseModel):
    """Base of every wire model: unknown fields are refused, so typos fail loudly."""
    model_config = ConfigDict(extra="forbid")


class Role(str, Enum):
    admin = "admin"
    ethics_office = "ethics_office"
    panel_chair = "panel_chair"
    panel_member = "panel_member"
    focal_point = "focal_point"
    reviewer = "reviewer"
    filer = "filer"
    auditor = "auditor"


ENTITY_ROLES = {Role.panel_member, Role.focal_point}
STAFF_ROLES = {Role.filer}


class Actor(Contract):
    """Who is acting: passed with every RPC and checked again inside the services."""
    role: Role
    entity: Optional[EntityCode] = None
    staff_id: Optional[str] = None
    label: str = ""

    @property
    def entity_scoped(self) -> bool:
        return self.role in ENTITY_ROLES

    @property
    def is_system(self) -> bool:
        return self.label == "system"


SYSTEM = Actor(role=Role.admin, label="system")
