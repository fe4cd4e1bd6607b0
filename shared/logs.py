"""Logs an operator can search: one JSON object per line, and one request followed through every
service.

- `LOG_FORMAT: json` in a service's config makes its console handler use `JsonFormatter`:
  `{"time", "level", "service", "logger", "message", "request_id", "actor", "entity"}` (and
  `exception` with the traceback when there is one) on one line.
- `LogContext`, a dependency provider of every service, puts what a worker does for whom into
  the log lines it writes: the request id (nameko's context data `request_id`, which the gateway
  sets for every HTTP request and every RPC carries; for an event, its envelope's), the actor and
  the entity. It logs one line per call or event handled. The gateway's takes the request id
  from `X-Request-Id` when the client sent a usable one, else makes one.
"""
import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from nameko.extensions import DependencyProvider

REQUEST_ID = "request_id"  # the key in nameko's context data (shared.dependencies reads it too)
REQUEST_ID_HEADER = "X-Request-Id"
USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
FIELDS = ("request_id", "actor", "entity")

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("epun_log_context", default={})
# made when first used: a logger that exists while nameko applies LOGGING (which imports this
# module for its formatter) would be disabled by it
WORK_LOGGER = "epun.work"


def current(field: str) -> str | None:
    return _context.get().get(field)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "", **_ignored):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname, "service": self.service, "logger": record.name,
            "message": record.getMessage()}
        line.update({f: _context.get().get(f) for f in FIELDS})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _actor_of(value) -> tuple[str | None, str | None]:
    """(actor, entity) of an actor as the gateway passes it: role and staff id, entity code."""
    if isinstance(value, dict) and "role" in value:
        actor = str(value["role"]) + (f":{value['staff_id']}" if value.get("staff_id") else "")
        return actor, value.get("entity")
    return None, None


def chosen_request_id(request) -> str:
    given = (request.headers.get(REQUEST_ID_HEADER) or "").strip()
    return given if USABLE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class LogContext(DependencyProvider):
    """`assign=True` (the gateway): an HTTP request's worker gets its request id here."""

    def __init__(self, assign: bool = False):
        self.assign = assign
        self._started: dict[object, float] = {}

    def worker_setup(self, worker_ctx):
        data, args = worker_ctx.data, worker_ctx.args
        first = args[0] if args else None
        fields = {}
        if self.assign and hasattr(first, "headers") and hasattr(first, "method"):
            data[REQUEST_ID] = chosen_request_id(first)
        envelope = getattr(first, "envelope", None)  # an event's Delivery
        if envelope is not None:
            if envelope.request_id and not data.get(REQUEST_ID):
                data[REQUEST_ID] = envelope.request_id  # and so into the events it causes
            actor = envelope.actor
            fields["actor"] = actor.role.value + (f":{actor.staff_id}" if actor.staff_id else "")
            fields["entity"] = envelope.entity
        else:
            fields["actor"], fields["entity"] = _actor_of(first)
        fields["request_id"] = data.get(REQUEST_ID)
        _context.set(fields)
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        took = (time.perf_counter() - started) * 1000 if started is not None else 0
        outcome = "failed" if exc_info else "done"
        logging.getLogger(WORK_LOGGER).info("%s %s %s in %.0f ms", self.container.service_name,
                 worker_ctx.entrypoint.method_name, outcome, took)

    def get_dependency(self, worker_ctx):
        return self

    @staticmethod
    def request_id() -> str | None:
        return current("request_id")
