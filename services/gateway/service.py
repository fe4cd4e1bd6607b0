"""The gateway: the platform's only HTTP service. Routes authenticate, validate and call the
services over RPC; routes of each area live in their own module and are mixed in here."""
import eventlet
from nameko.dependency_providers import Config

from shared.answers import CallKeys
from shared.calls import ServiceCalls
from shared.contracts.directory import Entity, EntityIn
from shared.dependencies import UnitOfWork
from shared.kernel.errors import located, validated
from shared.logs import LogContext
from shared.metrics import Metrics

from .api import PREFIX, Reply, UnknownRoute, forward, route
from .limits import RateLimits
from .oidc import IdentityProviderDependency
from .openapi import build_openapi
from .portal import PortalRoutes
from .routes.access import AccessRoutes
from .routes.disclosure import DisclosureRoutes
from .routes.intake import IntakeRoutes
from .routes.notifications import NotificationRoutes
from .routes.panel import PanelRoutes
from .routes.reports import ReportsRoutes
from .store import GatewayUnitOfWork

BACKENDS = ("intake", "disclosure", "panel", "reporting")
# reporting's methods that may render a document (PDF, Word, XLSX): RPC_RENDER_TIMEOUT
RENDERING = ("annual_report", "system_wide", "annex", "participation", "unit_cost",
             "issue_report")
# the writes of up to 10,000 rows a call (batches, CSV uploads): RPC_RENDER_TIMEOUT as well
BATCHES = ("log_service_requests", "record_activities", "enrol_filers", "file_statements",
           "review_filers", "record_mitigations", "exempt_filers", "record_verifications",
           "decide_public_disclosures", "approve_public_disclosures", "draw_verification_sample")
HEALTH_TIMEOUT = 3


class GatewayService(IntakeRoutes, DisclosureRoutes, PanelRoutes, ReportsRoutes, AccessRoutes,
                     NotificationRoutes, PortalRoutes):
    name = "gateway"
    backends = BACKENDS
    uow = UnitOfWork(GatewayUnitOfWork)
    metrics = Metrics()
    log_context = LogContext(assign=True)  # the request id of every HTTP request
    call_keys = CallKeys()  # a write sent again with its Idempotency-Key is answered once
    intake = ServiceCalls("intake", slow=BATCHES)
    disclosure = ServiceCalls("disclosure", slow=BATCHES)
    panel = ServiceCalls("panel")
    reporting = ServiceCalls("reporting", slow=RENDERING)
    notifications = ServiceCalls("notifications")
    config = Config()
    identity_provider = IdentityProviderDependency()
    rate_limits = RateLimits()

    def config_max_body(self) -> int:
        return int(self.config.get("MAX_BODY_BYTES") or 16 * 2**20)

    @route("GET", "/health", "Each service's status, checked over RPC", public=True)
    def health(self, call):
        pending = {name: getattr(self, name).health.call_async() for name in BACKENDS}
        services = {"gateway": {"status": "ok"}}
        for name, reply in pending.items():
            try:
                with eventlet.Timeout(HEALTH_TIMEOUT):
                    services[name] = reply.result()
            except eventlet.Timeout:
                services[name] = {"status": "down", "detail": "no answer in time"}
            except Exception as exc:
                services[name] = {"status": "down", "detail": str(exc)}
        healthy = all(s["status"] == "ok" for s in services.values())
        return Reply({"status": "ok" if healthy else "degraded", "services": services},
                     200 if healthy else 503)

    @route("GET", "/openapi.json", "This document", public=True)
    def openapi(self, call):
        return build_openapi(type(self))

    @route("PUT", "/entities/{code}", "Add an entity to the directory or change it",
           body=EntityIn, response=Entity, tag="directory")
    def put_entity(self, call, code):
        with located(path=("code",)):
            entity = validated(Entity, {"code": code, **call.body.model_dump(mode="json")})
        return self.intake.register_entity(call.who, entity.model_dump(mode="json"))

    list_entities = route("GET", "/entities", "The directory of entities", response=[Entity],
                          tag="directory")(forward("intake.list_entities"))
    get_entity = route("GET", "/entities/{code}", "One entity", response=Entity,
                       tag="directory")(forward("intake.get_entity"))

    @UnknownRoute.under(PREFIX)
    def unknown_route(self, request, rest):
        """Never called: UnknownRoute answers itself."""
