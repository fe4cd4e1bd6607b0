"""Access tokens for programs: who may act, as what, until when."""
import datetime as dt
from typing import Annotated, Optional

from pydantic import Field, StringConstraints, model_validator

from .common import ENTITY_ROLES, STAFF_ROLES, Contract, EntityCode, Role
from .people import Email


class TokenRequest(Contract):
    """A token for a service account, or for a person (`person`: their e-mail; the role must be
    one the person holds, and the token stops working when the person loses it)."""
    role: Role
    entity: Optional[EntityCode] = None
    staff_id: Optional[str] = None
    label: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    person: Optional[Email] = None
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] = 90

    @model_validator(mode="after")
    def _scope(self):
        if self.role in ENTITY_ROLES and not self.entity:
            raise ValueError(f"a {self.role.value} token needs an entity")
        if self.role in STAFF_ROLES and not self.staff_id:
            raise ValueError("a filer token needs a staff_id")
        return self


class TokenIssued(Contract):
    """The token itself, shown this once; the platform keeps its hash only."""
    id: str
    token: str
    expires_at: dt.datetime
    role: Role
    entity: Optional[EntityCode] = None
    staff_id: Optional[str] = None
    label: str
    person: Optional[str] = None


class TokenView(Contract):
    """A token as lists show it: never its secret."""
    id: str
    label: str
    role: Role
    entity: Optional[str] = None
    staff_id: Optional[str] = None
    person: Optional[str] = None
    created_at: dt.datetime
    created_by: Optional[str] = None
    expires_at: Optional[dt.datetime] = None
    revoked_at: Optional[dt.datetime] = None
