"""Domain errors at the edges: one table gives each kind its HTTP status and title, and every
kind is registered with nameko, so an error raised inside a service arrives at the gateway as
the same type with its `errors`."""
from nameko.exceptions import deserialize_to_instance

from .kernel import errors as e

PROBLEM = "application/problem+json"

# kind -> (HTTP status, title); a subclass takes its nearest listed base's
STATUS: dict[type, tuple[int, str]] = {
    e.Malformed: (400, "Bad request"),
    e.LengthRequired: (411, "Length required"),
    e.Unauthenticated: (401, "Unauthorized"),
    e.Forbidden: (403, "Forbidden"),
    e.NotFound: (404, "Not found"),
    e.Conflict: (409, "Conflict"),
    e.TooLarge: (413, "Payload too large"),
    e.UnsupportedMediaType: (415, "Unsupported media type"),
    e.Invalid: (422, "Unprocessable content"),
    e.RateLimited: (429, "Too many requests"),
    e.Unavailable: (503, "Service unavailable"),
    e.DomainError: (500, "Internal error"),
}
KINDS = [e.DomainError, e.Malformed, e.LengthRequired, e.Unauthenticated, e.Forbidden,
         e.NotFound, e.Conflict, e.StaleState, e.TooLarge, e.UnsupportedMediaType, e.Invalid,
         e.RateLimited, e.Unavailable]

for _kind in KINDS:
    deserialize_to_instance(_kind)


def status_of(exc: e.DomainError) -> tuple[int, str]:
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return STATUS[e.DomainError]


def problem(exc: e.DomainError) -> dict:
    """The RFC 9457 body of a domain error."""
    status, title = status_of(exc)
    body = {"type": "about:blank", "title": title, "status": status, "detail": exc.detail}
    if exc.errors:
        body["errors"] = [public(err) for err in exc.errors]
    return body


def public(error: dict) -> dict:
    """An error as the API tells it: `{loc, msg}` (and a batch row's `status`); the kind of
    error and its constraint are for the portal's wording."""
    return {k: v for k, v in error.items() if k not in ("kind", "ctx")}
