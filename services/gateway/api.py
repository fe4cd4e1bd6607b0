"""The HTTP layer of the JSON API: one `route` decorator does authentication, body parsing,
idempotent replays and the mapping of every error to RFC 9457 problem+json, and records the route
for the OpenAPI document."""
import functools
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from nameko.exceptions import RemoteError, UnknownService
from nameko.web.handlers import HttpRequestHandler
from pydantic import BaseModel, ValidationError
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from shared import logs, problems
from shared.contracts.common import SYSTEM, Actor
from shared.kernel import errors
from shared.kernel.batch import batch_items
from shared.kernel.errors import (DomainError, Invalid, Malformed, TooLarge, Unauthenticated,
                                  errors_from_validation, located)

from . import domain
from . import use_cases as uc
from .domain import IdempotencyRecord
from .domain.bodies import CSV, JSON, check_media_type
from .headers import secured, trusted_proxies
from .parameters import check_parameters, parameters_fit

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
PROBLEM = problems.PROBLEM
RETRY_AFTER_SECONDS = 5  # a 503's Retry-After when the error says none
PAGING = {"limit": "page size: default 100, at most 1000",
          "cursor": "next_cursor of the previous page"}


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
    also: dict = field(default_factory=dict)  # other success statuses, with what they mean

    @property
    def path_names(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


ROUTES: list[RouteSpec] = []


@dataclass
class Call:
    """What a route handler receives: the actor, the parsed body, the query, the request, and
    the path's parameters in the path's order."""
    actor: Actor | None
    body: Any
    query: dict
    request: Any
    pre_rejected: list = field(default_factory=list)
    path_args: list = field(default_factory=list)

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

    _routes = None

    def response_from_exception(self, exc):
        return problem_response(exc)

    def handle_request(self, request):
        """A path whose parameters this route's schemas refuse but another method's route
        takes (GET of `/service-requests/batch`) is that route's path: a 405 naming its
        methods, answered without a worker."""
        spec = route_spec_of(self)
        if spec is not None and not parameters_fit(spec.path, request.path_values):
            if self._routes is None:
                self._routes = routes_map(self.server)
            allowed = allowed_methods(self._routes, request)
            if allowed and request.method not in allowed:
                response = method_not_allowed(request, allowed)
                return secured(response, request, trusted_proxies(self.container.config))
        return super().handle_request(request)


def problem_response(exc) -> Response:
    headers = {}
    if isinstance(exc, (errors.Unavailable, UnknownService, ConnectionFailure)):
        headers["Retry-After"] = str(getattr(exc, "retry_after", RETRY_AFTER_SECONDS))
    if isinstance(exc, DomainError):
        body = problems.problem(exc)
    elif isinstance(exc, ValidationError):
        body = problems.problem(Invalid("invalid values", errors_from_validation(exc)))
    elif isinstance(exc, HTTPException):
        body = {"type": "about:blank", "title": exc.name, "status": exc.code,
                "detail": exc.description}
    elif isinstance(exc, UnknownService):
        body = {"type": "about:blank", "title": "Service unavailable", "status": 503,
                "detail": str(exc)}
    elif isinstance(exc, ConnectionFailure):
        log.warning("the gateway's database failed: %s", exc)
        body = {"type": "about:blank", "title": "Service unavailable", "status": 503,
                "detail": "the gateway's database does not answer; try again shortly"}
    else:
        if isinstance(exc, RemoteError):
            log.error("remote error: %s", exc)
        else:
            log.exception("unexpected error", exc_info=exc)
        body = {"type": "about:blank", "title": "Internal error", "status": 500,
                "detail": "the request could not be completed; the error was logged"}
    if isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return Response(json.dumps(body), status=body["status"], mimetype=PROBLEM, headers=headers)


class UnknownRoute(ApiEntrypoint):
    """Whatever reaches /api/v1 and no route there: a 405 naming the methods the path takes,
    or a 404, both problem+json (a path with `..` or an encoded slash included). It answers
    itself, without a worker."""
    METHODS = "GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS"
    _routes = None

    @classmethod
    def under(cls, prefix: str):
        return cls.decorator(cls.METHODS, prefix + "/<path:rest>")

    def handle_request(self, request):
        allowed = allowed_methods(self._other_routes(), request)
        if allowed:
            response = method_not_allowed(request, allowed)
        else:
            response = problem_response(errors.NotFound(f"no route of the API at {request.path}"))
        return secured(response, request, trusted_proxies(self.container.config))

    def _other_routes(self) -> Map:
        if self._routes is None:
            self._routes = routes_map(self.server)
        return self._routes


def route_spec_of(entrypoint) -> "RouteSpec | None":
    """The API route an entrypoint serves (None for the portal's pages and the catch-all)."""
    handler = getattr(entrypoint.container.service_cls, entrypoint.method_name, None)
    return getattr(handler, "route_spec", None)


def routes_map(server) -> Map:
    """The server's routes but the catch-all, each rule naming its entrypoint."""
    return Map([Rule(p.url, methods=p.method.split(","), endpoint=p)
                for p in server._providers if not isinstance(p, UnknownRoute)])


def allowed_methods(routes: Map, request) -> list[str]:
    """The methods of the routes this path matches with parameters their schemas allow
    (`/service-requests/batch` is not a request id, so GET is not among its methods)."""
    adapter = routes.bind_to_environ(request.environ)
    allowed = []
    for method in sorted(adapter.allowed_methods()):
        try:
            entrypoint, values = adapter.match(method=method)
        except HTTPException:
            continue
        spec = route_spec_of(entrypoint)
        if spec is None or parameters_fit(spec.path, values):
            allowed.append(method)
    return allowed


def method_not_allowed(request, allowed: list[str]) -> Response:
    return Response(json.dumps({
        "type": "about:blank", "title": "Method not allowed", "status": 405,
        "detail": f"{request.method} is not allowed here; this path takes "
                  + ", ".join(allowed)}),
        status=405, mimetype=PROBLEM, headers={"Allow": ", ".join(allowed)})


def _werkzeug_path(path: str) -> str:
    return re.sub(r"\{(\w+)\}", r"<\1>", PREFIX + path)


def route(method: str, path: str, summary: str, *, body=None, response=None, status=200,
          public=False, batch=False, tag="platform", query=None,
          produces=("application/json",), also=None):
    spec = RouteSpec(method, path, summary, body, response, status, public, batch, tag,
                     query or {}, produces, also or {})
    ROUTES.append(spec)

    def decorate(fn: Callable):
        @functools.wraps(fn)
        def handler(self, request, **params):
            try:
                response = _handle(self, spec, fn, request, params)
            except Exception as exc:
                response = problem_response(exc)
            response.headers[logs.REQUEST_ID_HEADER] = self.log_context.request_id() or ""
            return secured(response, request, trusted_proxies(self.config))
        # the OpenAPI document names the operation by its attribute
        setattr(handler, "route_spec", spec)
        return ApiEntrypoint.decorator(method, _werkzeug_path(path))(handler)
    return decorate


# ---- routes that only pass the call on ----

Input = Callable[[Call], Any]


def query_string(call: Call) -> dict:
    return call.query


def query_value(name: str, default=None) -> Input:
    """One value of the query string; missing or empty is `default`."""
    return lambda call: call.query.get(name) or default


def body_json(call: Call) -> dict:
    return call.body.model_dump(mode="json")


def given_fields(call: Call) -> dict:
    """The body's fields that were given (those left empty are not sent on)."""
    return call.body.model_dump(mode="json", exclude_none=True)


def batch_rows(call: Call) -> list:
    return call.body


def optional_body(call: Call, model: type[BaseModel] | None = None, **dump) -> dict:
    """The JSON object of a body that may be left out (no body is `{}`); as `model`, when given,
    dumped with `dump`'s options."""
    raw = call.request.get_data(cache=True)
    if not raw.strip():
        return {}
    data = domain.load_json(raw)
    if not isinstance(data, dict):
        raise Malformed("the body must be a JSON object")
    if model is None:
        return data
    with located():
        return strictly(model, data).model_dump(mode="json", **dump)


def forward(rpc: str, *inputs: Input, answer: Callable | None = None) -> Callable:
    """A route's handler that passes the call on: `rpc` ("service.method") with the actor, the
    path's parameters in order, then each of `inputs` of the call; `answer` shapes the result."""
    service_name, method = rpc.split(".")

    def handler(self, call: Call, **_path):
        result = getattr(getattr(self, service_name), method)(
            call.who, *call.path_args, *(take(call) for take in inputs))
        return answer(result) if answer else result
    handler.__name__ = handler.__qualname__ = method
    return handler


def list_route(path: str, summary: str, rpc: str, *, response, tag: str, query: dict):
    """GET `path`: one page of what `rpc` lists, as the query string filters it."""
    return route("GET", path, summary, response=response, tag=tag, query=query)(
        forward(rpc, query_string))


def batch_route(path: str, summary: str, rpc: str, *, body: type[BaseModel], tag: str,
                status: int = 200):
    """POST `path`: rows of `body` (JSON items or CSV), up to a batch's limit, for `rpc` to sort
    into accepted and rejected rows."""
    return route("POST", path, summary, body=body, batch=True, status=status, tag=tag)(
        forward(rpc, batch_rows))


# ---- the handling of one request ----

def _handle(service, spec: RouteSpec, fn, request, params):
    credential = None if spec.public else authenticate(service.uow(), request)
    if credential is not None:
        service.rate_limits.take(credential.token_id)
    actor = credential.actor if credential else None
    check_parameters(spec.path, params, spec.query, request.args)
    raw = _read_body(request, service.config_max_body())
    key = request.headers.get("Idempotency-Key") if spec.method != "GET" else None
    if key:
        domain.check_idempotency_key(key)
        owner = credential.token_id if credential else "public"
        return _idempotent(service, spec, fn, request, params, actor, raw, (owner, key))
    return _to_response(_invoke(service, spec, fn, request, params, actor, raw))


def _invoke(service, spec, fn, request, params, actor, raw):
    call = Call(actor, None, request.args.to_dict(), request,
                path_args=[params[name] for name in spec.path_names])
    if spec.method != "GET" and raw.strip():
        check_media_type(request.mimetype, (JSON, CSV) if spec.batch else (JSON,))
    if spec.batch:
        call.body, call.pre_rejected = _batch_items(request, raw, spec.body)
    elif spec.body is not None:
        data = domain.load_json(raw)
        if not isinstance(data, dict):
            raise Malformed("the body must be a JSON object")
        call.body = strictly(spec.body, data, "body")
    result = fn(service, call, **params)
    if isinstance(result, Reply):
        return result
    if spec.batch:
        result = domain.merge_batch_answers(result, call.pre_rejected)
    return Reply(result, spec.status)


def _batch_items(request, raw, row_model) -> tuple[list, list]:
    """The rows of a batch (TooLarge past the limit) and the rows rejected already: CSV rows
    of the wrong width, JSON rows that are not of the row's JSON types (a row rejected here is
    None in the rows)."""
    if (request.mimetype or "").endswith("csv"):
        try:
            items, rejected = domain.parse_csv(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise Malformed("the CSV file must be UTF-8 text")
        return batch_items(items), rejected
    items = batch_items(domain.parse_json_items(domain.load_json(raw)))
    if row_model is None:
        return items, []
    rejected = []
    for number, item in enumerate(items, start=1):
        try:
            strictly(row_model, item)
        except Invalid as exc:
            items[number - 1] = None
            rejected.append({"row": number, "errors": [problems.public(e) for e in exc.errors]})
    return items, rejected


def strictly(model: type[BaseModel], data, where: str | None = None):
    """`data`, parsed from JSON, as `model` with JSON's own types: a boolean is not a number, a
    number with a fraction (or a float) not an integer, a string not a number (Invalid, naming
    each field under `where`)."""
    try:
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        raise Invalid("invalid values", errors_from_validation(exc, (where,) if where else ()))


def _idempotent(service, spec, fn, request, params, actor, raw, owner_and_key):
    """Keys are scoped by the token's own id; a claim left unanswered (its request died before
    the answer was kept) lapses after IDEMPOTENCY_CLAIM_SECONDS."""
    claim = IdempotencyRecord(domain.idempotency_key(*owner_and_key),
                              domain.body_fingerprint(spec.method, request.path, raw))
    lapse = float(service.config.get("IDEMPOTENCY_CLAIM_SECONDS") or domain.CLAIM_SECONDS)
    stored = uc.claim_idempotency_key(service.uow(SYSTEM), claim, claim_seconds=lapse)
    if stored is not None and not stored.answered:
        service.call_keys.retake()  # an earlier request with this key may have done the work
    elif stored is not None:
        return Response(stored.body, status=stored.status, content_type=stored.content_type,
                        headers={"Idempotent-Replayed": "true"})
    try:
        reply = _invoke(service, spec, fn, request, params, actor, raw)
    except Exception:
        uc.release_idempotency_key(service.uow(SYSTEM), claim.key)
        raise
    response = _to_response(reply)
    uc.keep_answer(service.uow(SYSTEM), claim.answer(
        response.status_code, response.get_data(as_text=True), response.content_type))
    return response


def _to_response(reply: Reply) -> Response:
    body = reply.body
    if reply.content_type == "application/json" and not isinstance(body, (str, bytes)):
        body = json.dumps(body, default=str)
    return Response(body, status=reply.status, content_type=reply.content_type,
                    headers=reply.headers)


def _read_body(request, limit: int) -> bytes:
    length = request.content_length
    if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        raise errors.LengthRequired("send the body with its Content-Length (not chunked)")
    if length is not None and length > limit:
        raise TooLarge(f"the body is {length} bytes; the limit is {limit}")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise TooLarge(f"the body is over the limit of {limit} bytes")
    return raw


def authenticate(uow, request) -> uc.Credential:
    """Who the bearer token stands for, read on every request (no cache: a revoked token is
    refused at once by every gateway process)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    credential = uc.credential_for_token(uow, token.strip())
    if credential is None:
        raise Unauthenticated("the token is not known, has expired or was revoked")
    return credential

