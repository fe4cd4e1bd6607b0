"""Domain exceptions, one per HTTP problem type.

Registered with nameko so that an exception raised inside a service arrives at the gateway as
the same type (with its arguments), where `problem()` maps it to RFC 9457 problem+json.
"""
from nameko.exceptions import deserialize_to_instance


class EpunError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, detail="", errors=None):
        super().__init__(detail, errors or [])
        self.detail = detail
        self.errors = errors or []

    def problem(self):
        body = {"type": "about:blank", "title": self.title, "status": self.status,
                "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


@deserialize_to_instance
class BadRequest(EpunError):
    status, title = 400, "Bad request"


@deserialize_to_instance
class Unauthorized(EpunError):
    status, title = 401, "Unauthorized"


@deserialize_to_instance
class Forbidden(EpunError):
    status, title = 403, "Forbidden"


@deserialize_to_instance
class NotFound(EpunError):
    status, title = 404, "Not found"


@deserialize_to_instance
class Conflict(EpunError):
    status, title = 409, "Conflict"


@deserialize_to_instance
class PayloadTooLarge(EpunError):
    status, title = 413, "Payload too large"


@deserialize_to_instance
class Invalid(EpunError):
    """422: `errors` is a list of {loc, msg}, loc being the path of the field that fails."""
    status, title = 422, "Unprocessable content"

    @classmethod
    def field(cls, loc, msg):
        loc = list(loc) if isinstance(loc, (list, tuple)) else [loc]
        return cls(f"{'.'.join(map(str, loc))}: {msg}", [{"loc": loc, "msg": msg}])


def errors_from_validation(exc, prefix=()):
    """Turn a pydantic ValidationError into our [{loc, msg}] list."""
    return [{"loc": [*prefix, *err["loc"]], "msg": err["msg"]} for err in exc.errors()]


class PermanentFailure(Exception):
    """A message that can never be processed: it goes to the dead-letter queue."""
