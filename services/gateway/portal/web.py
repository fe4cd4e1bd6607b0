"""The portal's HTTP layer: one `page` decorator loads the session (the cookie, then the
gateway's record of it and the person it belongs to, on every request), checks the CSRF token of
every POST, requires a signed-in visitor (unless the page is public) and turns the services'
errors into pages: Forbidden a 403 page, NotFound a 404 page, anything unexpected a 500 page."""
import functools
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from nameko.exceptions import RemoteError, UnknownService
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from shared import logs, problems
from shared.contracts.common import Actor
from shared.kernel.errors import (Conflict, Forbidden, Invalid, Malformed, NotFound, TooLarge,
                                  Unauthenticated, Unavailable)

from .. import use_cases as uc
from ..domain.people import Person, grant_of
from . import i18n, sessions
from .forms import FormErrors
from .messages import refusal, sentence
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


class CsrfRefused(Forbidden):
    """A form sent without its session's CSRF token."""


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
    request: Request
    session: sessions.Session
    secret: bytes
    lang: str
    new_session: bool = False
    cookies: list = field(default_factory=list)
    actor: Actor | None = None      # the role the signed-in person acts in
    person: Person | None = None    # who is signed in (their roles: the role switcher)

    @property
    def who(self) -> dict | None:
        """The actor as the services take it over RPC."""
        return self.actor.model_dump(mode="json") if self.actor else None

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
        errors = context.pop("errors", None) or FormErrors()
        body = templates.get_template(template).render(
            t=self.t, lang=self.lang, portal_languages=list(i18n.NAMES.items()),
            lang_tag=i18n.tag(self.lang), direction=i18n.direction(self.lang), actor=actor,
            csrf=self.csrf, path=self.request.path,
            here=self.here, menu=menu(actor), errors=errors.in_language(self.lang),
            note=self._note(), switcher=self._switcher(), visitor=self.person, **context)
        return Response(body, status=status, content_type=HTML)

    @property
    def here(self) -> str:
        """This page's address, to come back to (the language switch, signing in again). A
        form's answer (a refused form shown again) is at an address that takes only a POST:
        coming back is to the page that held the form, the one that referred the POST."""
        if self.request.method == "POST":
            referrer = urlsplit(self.request.referrer or "")
            if referrer.netloc != self.request.host or not referrer.path.startswith("/"):
                return "/"
            return referrer.path + (f"?{referrer.query}" if referrer.query else "")
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

    def _switcher(self) -> list[tuple[str, Actor, bool]]:
        """The person's roles, when they hold several: (key, actor, the one acted in)."""
        if self.person is None or self.actor is None or len(self.person.roles) < 2:
            return []
        now = grant_of(self.actor)
        return [(g.key, g.actor(self.person.email), g == now) for g in self.person.roles]

    def sign_in(self, signed_in: "uc.SignedIn"):
        """The cookie of a new session (a new id, so a session fixed before sign-in is
        useless)."""
        self.session = sessions.new_session(signed_in.session_id)
        self.actor, self.new_session = signed_in.actor, True

    def sign_out(self):
        """End the gateway's session and give the browser a fresh anonymous one."""
        if self.session.signed_in:
            uc.end_session(self.service.uow(), self.session.sid)
        self.forget()

    def forget(self):
        self.session, self.actor, self.person = sessions.new_session(), None, None
        self.new_session = True

    def hold(self, pending: dict | None):
        """Keep what a sign-in under way must find again (in the signed cookie)."""
        self.session = sessions.new_session(pending=pending)
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
        response.headers[logs.REQUEST_ID_HEADER] = logs.current("request_id") or ""
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
    ended = False
    if visit.session.signed_in:
        found = uc.session_actor(service.uow(), visit.session.sid)
        if found is None:  # ended, expired, or the person lost the role: signed out now
            visit.forget()
            ended = True
        else:
            visit.actor, visit.person = found[0].actor, found[1]
            if not request.cookies.get(sessions.LANG_COOKIE):
                visit.lang = found[1].language  # the person's own, until they choose
    try:
        if not public and visit.actor is None:
            note = {"note": "session_ended"} if ended else {}
            return visit.finish(visit.redirect("/sign-in", next=visit.here, **note))
        if request.method == "POST" and not sessions.csrf_ok(visit.session, secret,
                                                            request.form.get("csrf")):
            raise CsrfRefused("csrf")
        response = fn(service, visit, **params)
    except Exception as exc:  # every error becomes a page in the visitor's language
        response = error_page(visit, exc)
    return visit.finish(response)


def error_page(visit: Visit, exc: Exception) -> Response:
    if isinstance(exc, Unauthenticated):
        visit.sign_out()
        return visit.redirect("/sign-in", next=visit.here)
    if isinstance(exc, RequestEntityTooLarge):
        exc = TooLarge(str(exc))
    if isinstance(exc, CsrfRefused):
        return visit.render("error.html", 403, code=403, kind="csrf", detail=None)
    if isinstance(exc, (Forbidden, NotFound, Conflict, Malformed, TooLarge, Invalid)):
        status = problems.status_of(exc)[0]
        fields = [(".".join(map(str, p.get("loc") or [])), sentence(p, visit.lang))
                  for p in exc.errors]
        detail = None if fields else refusal(exc.detail, visit.lang, "error.refused")
        return visit.render("error.html", status, code=status, kind=ERROR_PAGES[status],
                            detail=detail, problems=fields)
    if isinstance(exc, (UnknownService, Unavailable)):
        page = visit.render("error.html", 503, code=503, kind="unavailable", detail=None)
        page.headers["Retry-After"] = str(getattr(exc, "retry_after", 5))
        return page
    if isinstance(exc, RemoteError):
        log.error("remote error: %s", exc)
    else:
        log.exception("page failed", exc_info=exc)
    return visit.render("error.html", 500, code=500, kind="internal", detail=None)
