"""Signing in and out, the language switch, the home page, the style sheet and unknown pages."""
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Response

from shared.errors import NotFound

from . import i18n, sessions
from .forms import FormErrors
from .navigation import home_of
from .web import page

STATIC = Path(__file__).parents[1] / "static"
AREAS = "any(focal,panel,review,filer,reports,public,static)"


class AccountPages:
    @page("GET", "/sign-in", public=True)
    def portal_sign_in_form(self, visit):
        if visit.session.signed_in:
            return visit.redirect(sessions.safe_next(visit.query.get("next")))
        return visit.render("sign_in.html", next=sessions.safe_next(visit.query.get("next")))

    @page("POST", "/sign-in", public=True)
    def portal_sign_in(self, visit):
        token = (visit.form.get("token") or "").strip()
        target = sessions.safe_next(visit.form.get("next"))
        actor = self.storage.actor_for(token) if token else None
        if actor is None:
            errors = FormErrors([{"loc": ["token"], "msg": visit.t(
                "sign_in.unknown" if token else "sign_in.missing")}])
            return visit.render("sign_in.html", 401, next=target, errors=errors)
        visit.sign_in(actor)
        return visit.redirect(target if target != "/" else home_of(actor))

    @page("POST", "/sign-out", public=True)
    def portal_sign_out(self, visit):
        visit.sign_out()
        return visit.redirect("/sign-in", note="signed_out")

    @page("POST", "/language", public=True)
    def portal_language(self, visit):
        lang = visit.form.get("lang")
        if lang in i18n.LANGUAGES:
            visit.set_language(lang)
        return visit.redirect(sessions.safe_next(visit.form.get("next")))

    @page("GET", "/")
    def portal_home(self, visit):
        return visit.render("home.html")

    @page("GET", "/static/<name>", public=True)
    def portal_static(self, visit, name):
        files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
        if name not in files:
            raise NotFound(f"no file {name}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(files[name].read_bytes(), content_type=content_type,
                        headers={"Cache-Control": "public, max-age=3600"})

    @page("GET", f"/<{AREAS}:area>/<path:rest>", public=True)
    def portal_unknown_page(self, visit, area, rest):
        raise NotFound(f"/{area}/{rest}")
