"""The portal's HTTP layer: one `page` decorator loads the session, checks the CSRF token of every
POST, requires a signed-in visitor (unless the page is public) and turns the services' errors into
pages: Forbidden a 403 page, NotFound a 404 page, anything unexpected a 500 page."""
import functools
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from nameko.exceptions import RemoteError, UnknownService
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from shared.contracts.common import Actor
from shared.errors import (BadRequest, Conflict, EpunError, Forbidden, Invalid, NotFound,
                           PayloadTooLarge, Unauthorized)

from . import i18n, sessions
from .forms import FormErrors
from .navigation import menu

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parents[1] / "templates"
HTML = "text/html; charset=utf-8"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; "
                                "style-src 'self' 'unsafe-inline'; script-src 'self'; "
                                "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"),
}
ERROR_PAGES = {400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict",
               413: "too_large", 422: "invalid", 500: "internal", 503: "unavailable"}

templates = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)


class CsrfRefused(EpunError):
    status, title = 403, "Forbidden"


class PageEntrypoint(HttpRequestHandler):
    """nameko's http entrypoint; what escapes a page (it should not) is a plain 500 page."""

    def response_from_exception(self, exc):
        log.exception("page failed", exc_info=exc)
        return Response("<!doctype html><html lang=en><title>Error</title>"
                        "<p>The page could not be shown; the error was logged.</p>",
                        status=500, content_type=HTML)


def page(method: str, path: str, *, public: bool = False):
    """A portal page at `path` (outside /api/v1). The function receives a `Visit` and the path's
    parameters and returns a Response (from visit.render or visit.redirect)."""
    def decorate(fn):
        @functools.wraps(fn)
        def handler(self, request, **params):
            return serve(self, fn, request, params, public)
        return PageEntrypoint.decorator(method, path)(handler)
    return decorate


@dataclass
class Visit:
    """One request to the portal: who is visiting, in which language, and their session."""
    service: object
    request: object
    session: sessions.Session
    secret: bytes
    lang: str
    new_session: bool = False
    cookies: list = field(default_factory=list)

    @property
    def actor(self) -> Actor | None:
        return Actor.model_validate(self.session.actor) if self.session.actor else None

    @property
    def who(self) -> dict | None:
        """The actor as the services take it over RPC."""
        return self.session.actor

    @property
    def form(self):
        return self.request.form

    @property
    def query(self):
        return self.request.args

    @property
    def csrf(self) -> str:
        return sessions.csrf_token(self.session, self.secret)

    def t(self, key: str, **values) -> str:
        return i18n.translate(self.lang, key, **values)

    def render(self, template: str, status: int = 200, **context) -> Response:
        actor = self.actor
        body = templates.get_template(template).render(
            t=self.t, lang=self.lang, actor=actor, csrf=self.csrf, path=self.request.path,
            here=self.here, menu=menu(actor), errors=context.pop("errors", FormErrors()),
            note=self._note(), **context)
        return Response(body, status=status, content_type=HTML)

    @property
    def here(self) -> str:
        query = self.request.query_string.decode()
        return self.request.path + (f"?{query}" if query else "")

    def _note(self) -> str | None:
        key = self.query.get("note")
        return self.t(f"note.{key}", **self.query.to_dict()) if key and i18n.has_label(
            f"note.{key}") else None

    def redirect(self, location: str, **query) -> Response:
        if query:
            location += ("&" if "?" in location else "?") + urlencode(query)
        return Response("", status=303, headers={"Location": location})

    def sign_in(self, actor: Actor):
        """A new session for `actor` (a new id, so a session fixed before sign-in is useless)."""
        self.session = sessions.new_session(actor.model_dump(mode="json"))
        self.new_session = True

    def sign_out(self):
        self.session = sessions.new_session()
        self.new_session = True

    def set_language(self, lang: str):
        self.lang = lang
        self.cookies.append((sessions.LANG_COOKIE, lang, {"max_age": 365 * 86400,
                                                           "httponly": True,
                                                           "samesite": "Strict"}))

    def finish(self, response: Response) -> Response:
        secure = self.request.scheme == "https" or \
            self.request.headers.get("X-Forwarded-Proto") == "https"
        if self.new_session:
            response.set_cookie(sessions.COOKIE, sessions.seal(self.session, self.secret),
                                max_age=max(0, self.session.exp - int(time.time())), httponly=True,
                                samesite="Strict", secure=secure, path="/")
        for name, value, options in self.cookies:
            response.set_cookie(name, value, secure=secure, path="/", **options)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Cookie")
        return response


def serve(service, fn, request, params: dict, public: bool) -> Response:
    secret = sessions.secret_from(service.config.get("SESSION_SECRET"))
    session = sessions.unseal(request.cookies.get(sessions.COOKIE), secret)
    visit = Visit(service, request, session or sessions.new_session(), secret,
                  i18n.choose(request.cookies.get(sessions.LANG_COOKIE),
                              request.headers.get("Accept-Language")),
                  new_session=session is None)
    request.max_content_length = service.config_max_body()
    try:
        if request.method == "POST" and not sessions.csrf_ok(visit.session, secret,
                                                            request.form.get("csrf")):
            raise CsrfRefused("csrf")
        if not public and not visit.session.signed_in:
            return visit.finish(visit.redirect("/sign-in", next=visit.here))
        response = fn(service, visit, **params)
    except Exception as exc:  # every error becomes a page in the visitor's language
        response = error_page(visit, exc)
    return visit.finish(response)


def error_page(visit: Visit, exc: Exception) -> Response:
    if isinstance(exc, Unauthorized):
        visit.sign_out()
        return visit.redirect("/sign-in", next=visit.here)
    if isinstance(exc, RequestEntityTooLarge):
        exc = PayloadTooLarge(str(exc))
    if isinstance(exc, CsrfRefused):
        return visit.render("error.html", 403, code=403, kind="csrf", detail=None)
    if isinstance(exc, (Forbidden, NotFound, Conflict, BadRequest, PayloadTooLarge, Invalid)):
        return visit.render("error.html", exc.status, code=exc.status,
                            kind=ERROR_PAGES[exc.status], detail=exc.detail,
                            problems=getattr(exc, "errors", []))
    if isinstance(exc, UnknownService):
        return visit.render("error.html", 503, code=503, kind="unavailable", detail=None)
    if isinstance(exc, RemoteError):
        log.error("remote error: %s", exc)
    else:
        log.exception("page failed", exc_info=exc)
    return visit.render("error.html", 500, code=500, kind="internal", detail=None)
