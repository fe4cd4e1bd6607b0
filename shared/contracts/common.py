"""Types every contract uses: entity codes, periods, days, bounded numbers, roles, the actor."""
import datetime as dt
from enum import Enum
from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .periods import check_period, period_bounds, period_of  # noqa: F401

ENTITY_CODE_PATTERN = r"^[A-Z][A-Z0-9-]{1,15}$"
EntityCode = Annotated[str, StringConstraints(pattern=ENTITY_CODE_PATTERN)]
ETHICS_OFFICE = "EO"


PERIOD_PATTERN = r"^\d{4}-\d{2}$"
Period = Annotated[str, AfterValidator(check_period),
                   Field(json_schema_extra={"pattern": PERIOD_PATTERN})]  # 2014-15

# Bounds of the numbers the API takes: far above anything the UN system reports, low enough
# that no count or sum overflows a 64-bit integer or loses precision in a report.
MAX_COUNT = 10_000_000
MAX_USD = 10**12
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
# a day something happened, as the API takes it: its year has four digits, so its period does
Day = Annotated[dt.date, Field(ge=dt.date(1945, 1, 1), le=dt.date(2100, 12, 31))]
Money = Annotated[float, Field(ge=0, le=MAX_USD, allow_inf_nan=False)]  # US dollars


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
