"""Intake's MongoDB repository."""
from shared.contracts.directory import Entity, EntityRegistered
from shared.storage import Repository

from .domain import entity_changed


class IntakeRepository(Repository):
    indexes = {
        "entities": [([("entity", 1)], {"unique": True})],
    }

    def get_entity(self, code: str) -> dict | None:
        doc = self.db.entities.find_one({"entity": code})
        return _entity(doc) if doc else None

    def list_entities(self) -> list[dict]:
        return [_entity(d) for d in self.db.entities.find({}).sort("entity", 1)]

    def entity_codes(self) -> set[str]:
        return {d["entity"] for d in self.db.entities.find({}, {"entity": 1})}

    def register_entity(self, entity: Entity) -> dict:
        def write(uow):
            existing = uow["entities"].find_one({"entity": entity.code})
            if not entity_changed(existing and _entity(existing), entity):
                return False
            doc = {"entity": entity.code, **entity.model_dump(mode="json", exclude={"code"})}
            uow["entities"].replace_one({"entity": entity.code}, doc, upsert=True)
            uow.emit(EntityRegistered(**entity.model_dump()), entity=entity.code)
            uow.audit("register_entity", f"entities/{entity.code}", entity=entity.code)
            return True
        self.atomically(write)
        return self.get_entity(entity.code)


def _entity(doc: dict) -> dict:
    return {"code": doc["entity"], "name": doc["name"], "category": doc["category"],
            "parent": doc.get("parent")}
