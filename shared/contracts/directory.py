"""The directory of entities (owned by intake)."""
from enum import Enum
from typing import Optional

from .common import Contract, EntityCode
from .envelope import event


class EntityCategory(str, Enum):
    """The classification of figure V and the annex."""
    secretariat = "secretariat"
    peacekeeping = "peacekeeping"
    other = "other"


class EntityIn(Contract):
    name: str
    category: EntityCategory
    parent: Optional[EntityCode] = None


class Entity(EntityIn):
    code: EntityCode


@event("intake", "entity_registered")
class EntityRegistered(Entity):
    """An entity was added to the directory or its details changed."""
