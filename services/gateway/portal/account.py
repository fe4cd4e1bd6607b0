"""Signing out, the role switcher, the language switch, the home page, the style sheet and
unknown pages. Signing in is `sign_in.py`."""
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Response

from shared.kernel.errors import NotFound

from .. import use_cases as uc
from . import i18n, sessions
from .navigation import home_of
from .web import page

STATIC = Path(__file__).parents[1] / "static"
AREAS = "any(focal,panel,review,filer,reports,public,static,admin,audit)"


class AccountPages:
    @page("POST", "/sign-out", public=True)
    def portal_sign_out(self, visit):
        visit.sign_out()
        return visit.redirect("/sign-in", note="signed_out")

    @page("POST", "/role")
    def portal_switch_role(self, visit):
        """Act in another of the person's roles (the header's switcher)."""
        actor = uc.switch_role(self.uow(), visit.session.sid, visit.form.get("role") or "")
        return visit.redirect(home_of(actor), note="role_switched")

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
