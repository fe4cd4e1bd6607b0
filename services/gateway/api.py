"""The HTTP layer of the JSON API: one `route` decorator does authentication, body parsing,
idempotent replays and the mapping of every error to RFC 9457 problem+json, and records the route
for the OpenAPI document."""
import functools
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import eventlet
from nameko.exceptions import RemoteError, UnknownService
from nameko.web.handlers import HttpRequestHandler
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response

from shared.auth import token_hash
from shared.contracts.common import Actor
from shared.errors import (BadRequest, EpunError, Invalid, PayloadTooLarge, Unauthorized,
                           errors_from_validation)

from . import domain

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
PROBLEM = "application/problem+json"


@dataclass
class RouteSpec:
    method: str
    path: str
    summary: str
    body: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    public: bool = False
    batch: bool = False
    tag: str = "platform"
    query: dict = field(default_factory=dict)
    produces: tuple = ("application/json",)


ROUTES: list[RouteSpec] = []


@dataclass
class Call:
    """What a route handler receives: the actor, the parsed body, the query and the request."""
    actor: Actor | None
    body: Any
    query: dict
    request: Any
    pre_rejected: list = field(default_factory=list)

    @property
    def who(self) -> dict | None:
        return self.actor.model_dump(mode="json") if self.actor else None


@dataclass
class Reply:
    body: Any
    status: int = 200
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


class ApiEntrypoint(HttpRequestHandler):
    """nameko's http entrypoint, answering anything that escapes a handler as problem+json."""

    def response_from_exception(self, exc):
        return problem_response(exc)


def problem_response(exc) -> Response:
    if isinstance(exc, EpunError):
        body = exc.problem()
    elif isinstance(exc, ValidationError):
        body = Invalid("invalid values", errors_from_validation(exc)).problem()
    elif isinstance(exc, UnknownService):
        body = {"type": "about:blank", "title": "Service unavailable", "status": 503,
                "detail": str(exc)}
    else:
        if isinstance(exc, RemoteError):
            log.error("remote error: %s", exc)
        else:
            log.exception("unexpected error", exc_info=exc)
        body = {"type": "about:blank", "title": "Internal error", "status": 500,
                "detail": "the request could not be completed; the error was logged"}
    return Response(json.dumps(body), status=body["status"], mimetype=PROBLEM)


def _werkzeug_path(path: str) -> str:
    return re.sub(r"\{(\w+)\}", r"<\1>", PREFIX + path)


def route(method: str, path: str, summary: str, *, body=None, response=None, status=200,
          public=False, batch=False, tag="platform", query=None,
          produces=("application/json",)):
    spec = RouteSpec(method, path, summary, body, response, status, public, batch, tag,
                     query or {}, produces)
    ROUTES.append(spec)

    def decorate(fn: Callable):
        @functools.wraps(fn)
        def handler(self, request, **params):
            try:
                return _handle(self, spec, fn, request, params)
            except Exception as exc:
                return problem_response(exc)
        return ApiEntrypoint.decorator(method, _werkzeug_path(path))(handler)
    return decorate


def _handle(service, spec: RouteSpec, fn, request, params):
    actor = None if spec.public else authenticate(service.storage, request)
    raw = _read_body(request, service.config_max_body())
    key = request.headers.get("Idempotency-Key") if spec.method != "GET" else None
    if key:
        return _idempotent(service, spec, fn, request, params, actor, raw, key)
    return _to_response(_invoke(service, spec, fn, request, params, actor, raw))


def _invoke(service, spec, fn, request, params, actor, raw):
    call = Call(actor, None, request.args.to_dict(), request)
    if spec.batch:
        call.body, call.pre_rejected = _batch_items(request, raw)
    elif spec.body is not None:
        data = domain.load_json(raw)
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        try:
            call.body = spec.body.model_validate(data)
        except ValidationError as exc:
            raise Invalid("invalid values", errors_from_validation(exc, ("body",)))
    result = fn(service, call, **params)
    if isinstance(result, Reply):
        return result
    if spec.batch:
        result = domain.merge_batch_answers(result, call.pre_rejected)
    return Reply(result, spec.status)


def _batch_items(request, raw):
    if (request.mimetype or "").endswith("csv"):
        try:
            return domain.parse_csv(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise BadRequest("the CSV file must be UTF-8 text")
    return domain.parse_json_items(domain.load_json(raw)), []


def _idempotent(service, spec, fn, request, params, actor, raw, key):
    owner = actor.label if actor else "public"
    key_id = token_hash(f"{owner}|{key}")
    fingerprint = domain.body_fingerprint(spec.method, request.path, raw)
    store = service.storage
    for _ in range(50):
        stored = domain.replay_decision(store.idempotency_record(key_id), fingerprint)
        if stored:
            return Response(stored["body"], status=stored["status"],
                            content_type=stored["content_type"],
                            headers={"Idempotent-Replayed": "true"})
        if store.claim_idempotency_key(key_id, fingerprint):
            break
        eventlet.sleep(0.1)
    try:
        reply = _invoke(service, spec, fn, request, params, actor, raw)
    except Exception:
        store.release_idempotency_key(key_id)
        raise
    response = _to_response(reply)
    store.store_idempotent_answer(key_id, response.status_code, response.get_data(as_text=True),
                                  response.content_type)
    return response


def _to_response(reply: Reply) -> Response:
    body = reply.body
    if reply.content_type == "application/json" and not isinstance(body, (str, bytes)):
        body = json.dumps(body, default=str)
    return Response(body, status=reply.status, content_type=reply.content_type,
                    headers=reply.headers)


def _read_body(request, limit: int) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"the body is {length} bytes; the limit is {limit}")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
    return raw


def authenticate(store, request) -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <token>'")
    actor = store.actor_for(token.strip())
    if actor is None:
        raise Unauthorized("the token is not known or was revoked")
    return actor


def validated(model, data: dict, path=frozenset()):
    """`model` built from `data`; a 422 names the field, under `path` (for the names in `path`)
    or `body`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{"loc": ["path" if e["loc"] and e["loc"][0] in path else "body", *e["loc"]],
                   "msg": e["msg"]} for e in exc.errors()]
        raise Invalid("invalid values", errors)
