"""Reporting: consumes every event into read models and renders reports from them."""
from nameko.rpc import rpc

from shared.auth import READ_ALL, require
from shared.messaging import event_handler
from shared.service import ServiceBase
from shared.storage import Storage

from . import store
from .store import ReportingRepository


class ReportingService(ServiceBase):
    name = "reporting"
    storage = Storage(ReportingRepository)

    @event_handler("intake", "entity_registered")
    def handle_entity_registered(self, envelope):
        self.storage.apply(envelope, store.register_entity)

    @rpc
    def directory(self, actor):
        require(actor, READ_ALL)
        return self.storage.directory()
