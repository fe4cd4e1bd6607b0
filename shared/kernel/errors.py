"""Refusals in the domain's own words.

An error says what is wrong and, through `errors`, which fields are at fault: `[{loc, msg}]`,
each `loc` the path of a field inside the command. Where a field came from (the body, the path,
the query) is added at the service's boundary (`located`), and the HTTP status of each kind is
chosen in one table at the edges (`shared.problems`), never here.
"""
from contextlib import contextmanager
from typing import Iterable, Sequence

from pydantic import BaseModel, TypeAdapter, ValidationError

WHERE = ("body", "path", "query")


class DomainError(Exception):
    """Base of every refusal; `detail` is a sentence, `errors` the fields at fault."""

    def __init__(self, detail: str = "", errors: list | None = None):
        super().__init__(detail, list(errors or []))
        self.detail = detail
        self.errors = list(errors or [])


class Malformed(DomainError):
    """The request cannot be read at all (not JSON, not CSV, not a list)."""


class LengthRequired(Malformed):
    """A body sent without its length (chunked), which the API does not read."""


class Unauthenticated(DomainError):
    """Nobody we know is asking."""


class Forbidden(DomainError):
    """The actor may not do this."""


class NotFound(DomainError):
    """No such record, or none the actor may see."""


class Conflict(DomainError):
    """The record's state does not allow this, or it exists already."""


class StaleState(Conflict):
    """The record changed between reading and writing it; the use case may run again."""


class TooLarge(DomainError):
    """More than the platform takes at once."""


class UnsupportedMediaType(DomainError):
    """A body in a format the operation does not read (not JSON, not CSV where CSV is taken)."""


class RateLimited(DomainError):
    """More requests than the caller may send in a minute; `retry_after` is in seconds."""

    def __init__(self, detail: str = "", errors: list | None = None, retry_after: int = 1):
        super().__init__(detail, errors)
        self.retry_after = retry_after


class Invalid(DomainError):
    """Values that break a rule; `errors` names each field."""

    @classmethod
    def field(cls, loc, msg: str) -> "Invalid":
        found = problem(loc, msg)
        return cls(f"{'.'.join(map(str, found['loc']))}: {msg}", [found])

    @classmethod
    def of(cls, problems: list[dict], detail: str = "invalid values") -> "Invalid":
        return cls(detail, [{"loc": list(p["loc"]), "msg": p["msg"],
                             **{k: p[k] for k in ("kind", "ctx") if k in p}} for p in problems])


class Unavailable(DomainError):
    """A part of the platform that this needs does not answer now; try again later."""


class PermanentFailure(Exception):
    """A message that can never be processed (it goes to the dead-letter queue)."""


def problem(loc, msg: str, **extra) -> dict:
    """One field's problem: `{loc, msg}` (plus, for batch rows, their `status`)."""
    return {"loc": list(loc) if isinstance(loc, (list, tuple)) else [loc], "msg": msg, **extra}


def refuse(problems: Sequence[dict], detail: str | None = None):
    """Raise `Invalid` for `problems`, when there are any."""
    if problems:
        raise Invalid.of(list(problems), detail or "; ".join(p["msg"] for p in problems))


CONSTRAINTS = ("ge", "gt", "le", "lt", "min_length", "max_length", "expected", "pattern")


def errors_from_validation(exc: ValidationError, prefix: Iterable = ()) -> list[dict]:
    """A pydantic ValidationError as our `[{loc, msg}]` list; a rule's own sentence is given
    without pydantic's "Value error, " before it. Each error also keeps pydantic's `kind` of
    error and the constraint it broke (`ctx`), so the portal can word it."""
    return [{"loc": [*prefix, *err["loc"]], "msg": err["msg"].removeprefix("Value error, "),
             "kind": err["type"], "ctx": constraints(err.get("ctx") or {})}
            for err in exc.errors()]


def constraints(ctx: dict) -> dict:
    """The plain values of a pydantic error's `ctx` (it may also hold the exception raised)."""
    return {k: v if isinstance(v, (int, float, str)) else str(v)
            for k, v in ctx.items() if k in CONSTRAINTS}


def validated(model: type[BaseModel], data, where: str | None = None):
    """`data` as `model`, or `Invalid` naming every field that fails (under `where`, when given).

    This is the one validation of a message crossing into a service."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise Invalid("invalid values", errors_from_validation(exc, (where,) if where else ()))


def with_where(loc: list, where: str, path: Iterable[str] = (), query: Iterable[str] = ()) -> list:
    """`loc` placed where its field came from, unless it says so already."""
    if loc and loc[0] in WHERE:
        return list(loc)
    head = loc[0] if loc else None
    if head in set(path):
        return ["path", *loc]
    if head in set(query):
        return ["query", *loc]
    return [where, *loc] if loc else []


@contextmanager
def located(where: str = "body", path: Iterable[str] = (), query: Iterable[str] = ()):
    """Errors raised inside name where their fields came from: `path` and `query` list the
    fields of the path and the query string, every other field is under `where`."""
    path, query = tuple(path), tuple(query)
    try:
        yield
    except DomainError as exc:
        exc.errors = [{**e, "loc": with_where(list(e.get("loc", [])), where, path, query)}
                      for e in exc.errors]
        exc.args = (exc.detail, exc.errors)
        raise


_ADAPTERS: dict = {}


def checked(type_, value, field: str):
    """One value of the path or the query string as `type_` (an annotated type of the
    contracts), or `Invalid` naming `field`."""
    adapter = _ADAPTERS.get(type_)
    if adapter is None:
        adapter = _ADAPTERS[type_] = TypeAdapter(type_)
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        first = errors_from_validation(exc)[0]
        raise Invalid(f"{field}: {first['msg']}", [{**first, "loc": [field]}])


class NotYetKnown(Exception):
    """An event names records whose own events have not arrived yet (they come on other
    queues): its consumer tries it again a little later."""
