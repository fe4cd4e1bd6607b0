"""What every EPUN service answers: its health and its event log, for reporting to replay."""
from nameko.rpc import rpc

from .auth import require
from .contracts.common import Role
from .metrics import Metrics


class ServiceBase:
    """Mix into a service class that has `storage = Storage(SomeRepository)`."""

    metrics = Metrics()

    @rpc
    def health(self):
        backlog = self.storage.db["outbox"].count_documents({"sent": False})
        return {"status": "ok", "outbox_backlog": backlog}

    @rpc
    def events_since(self, actor, after=None, limit=1000):
        require(actor, [Role.admin, Role.auditor, Role.ethics_office])
        return self.storage.events_since(after, min(int(limit), 5000))
