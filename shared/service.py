"""What every EPUN service answers: its health, its event log (for reporting to replay) and its
audit log (for the auditors, read only)."""
from nameko.rpc import rpc

from . import problems  # noqa: F401  (domain errors travel back to callers as themselves)
from .audit_log import audit_page
from .auth import require
from .contracts.audit import ServiceAuditQuery
from .contracts.common import Role
from .kernel.errors import located, validated
from .logs import LogContext
from .metrics import Metrics

EVENTS_PAGE_MAX = 5000


class ServiceBase:
    """Mix into a service class that has `uow = UnitOfWork(SomeUnitOfWork)`."""

    metrics = Metrics()
    log_context = LogContext()

    @rpc
    def health(self):
        return {"status": "ok", "outbox_backlog": self.uow.backlog()}

    @rpc
    def events_since(self, actor, after=None, limit=1000):
        require(actor, [Role.admin, Role.auditor, Role.ethics_office])
        return self.uow.events_since(after, min(int(limit), EVENTS_PAGE_MAX))

    @rpc
    def audit_entries(self, actor, query=None):
        """A page of this service's audit log: `{items, more}` (ServiceAuditQuery)."""
        require(actor, [Role.admin, Role.auditor])
        with located("query"):
            checked = validated(ServiceAuditQuery, query or {})
        return audit_page(self.uow.db, self.name, checked)
