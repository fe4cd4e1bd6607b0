"""Intake: the directory of entities, service requests, activities, retaliation inquiries and
annual figures. Entrypoints only: unpack the contract, check the actor, call domain and store."""
from nameko.rpc import rpc

from shared.auth import READ_ALL, require
from shared.contracts.common import Role
from shared.contracts.directory import Entity
from shared.errors import NotFound
from shared.service import ServiceBase
from shared.storage import Storage

from .store import IntakeRepository

DIRECTORY_READERS = READ_ALL | {Role.focal_point, Role.panel_chair, Role.panel_member,
                                Role.reviewer, Role.filer}


class IntakeService(ServiceBase):
    name = "intake"
    storage = Storage(IntakeRepository)

    @rpc
    def register_entity(self, actor, entity):
        actor = require(actor, [Role.ethics_office])
        return self.storage.as_actor(actor).register_entity(Entity.model_validate(entity))

    @rpc
    def get_entity(self, actor, code):
        require(actor, DIRECTORY_READERS)
        found = self.storage.get_entity(code)
        if not found:
            raise NotFound(f"no entity {code}")
        return found

    @rpc
    def list_entities(self, actor):
        require(actor, DIRECTORY_READERS)
        return self.storage.list_entities()
