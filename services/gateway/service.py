"""The gateway: the platform's only HTTP service. Routes authenticate, validate and call the
services over RPC; routes of each area live in their own module and are mixed in here."""
import eventlet
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from shared.auth import require
from shared.contracts.common import Actor, Role
from shared.contracts.directory import Entity, EntityIn
from shared.contracts.tokens import TokenIssued, TokenRequest
from shared.metrics import Metrics
from shared.storage import Storage

from .api import Reply, route, validated
from .openapi import build_openapi
from .portal import PortalRoutes
from .routes.disclosure import DisclosureRoutes
from .routes.intake import IntakeRoutes
from .routes.panel import PanelRoutes
from .routes.reports import ReportsRoutes
from .store import GatewayRepository

BACKENDS = ("intake", "disclosure", "panel", "reporting")
HEALTH_TIMEOUT = 3


class GatewayService(IntakeRoutes, DisclosureRoutes, PanelRoutes, ReportsRoutes, PortalRoutes):
    name = "gateway"
    storage = Storage(GatewayRepository)
    metrics = Metrics()
    intake = RpcProxy("intake")
    disclosure = RpcProxy("disclosure")
    panel = RpcProxy("panel")
    reporting = RpcProxy("reporting")
    config = Config()

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
        return build_openapi()

    @route("POST", "/tokens", "Issue an access token (admin)", body=TokenRequest,
           response=TokenIssued, status=201)
    def create_token(self, call):
        require(call.actor, [Role.admin])
        request: TokenRequest = call.body
        actor = Actor(**request.model_dump())
        token = self.storage.as_actor(call.actor).issue_token(actor)
        return {"token": token, **request.model_dump(mode="json")}

    @route("PUT", "/entities/{code}", "Add an entity to the directory or change it",
           body=EntityIn, response=Entity, tag="directory")
    def put_entity(self, call, code):
        entity = validated(Entity, {"code": code, **call.body.model_dump(mode="json")},
                           path={"code"})
        return self.intake.register_entity(call.who, entity.model_dump(mode="json"))

    @route("GET", "/entities", "The directory of entities", response=[Entity], tag="directory")
    def list_entities(self, call):
        return self.intake.list_entities(call.who)

    @route("GET", "/entities/{code}", "One entity", response=Entity, tag="directory")
    def get_entity(self, call, code):
        return self.intake.get_entity(call.who, code)


