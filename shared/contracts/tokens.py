"""Access tokens: who may act, as what."""
from typing import Annotated, Optional

from pydantic import StringConstraints, model_validator

from .common import ENTITY_ROLES, STAFF_ROLES, Contract, EntityCode, Role


class TokenRequest(Contract):
    role: Role
    entity: Optional[EntityCode] = None
    staff_id: Optional[str] = None
    label: Annotated[str, StringConstraints(min_length=1, max_length=120)]

    @model_validator(mode="after")
    def _scope(self):
        if self.role in ENTITY_ROLES and not self.entity:
            raise ValueError(f"a {self.role.value} token needs an entity")
        if self.role in STAFF_ROLES and not self.staff_id:
            raise ValueError("a filer token needs a staff_id")
        return self


class TokenIssued(Contract):
    token: str
    role: Role
    entity: Optional[EntityCode] = None
    staff_id: Optional[str] = None
    label: str
