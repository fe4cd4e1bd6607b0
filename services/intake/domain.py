"""Intake's rules, in plain Python: the directory of entities."""
from shared.contracts.directory import Entity


def entity_changed(existing: dict | None, entity: Entity) -> bool:
    """Whether storing `entity` changes the directory (a repeated PUT is a no-op)."""
    if existing is None:
        return True
    return any(existing.get(k) != v for k, v in entity.model_dump(mode="json").items())
