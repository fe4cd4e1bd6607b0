"""Signing in: with the organisation's identity provider (OpenID Connect) where it is configured,
with a local account (a password, then a TOTP code or a recovery code) where local accounts are
on, and the enrolment of a local account from an administrator's invitation (a QR code of the
TOTP secret, drawn on the server as SVG: no JavaScript). Every refusal is a page in the visitor's
language and an audit entry, and leaves no session."""
import time
from typing import Any

import qrcode
import qrcode.image.svg
from markupsafe import Markup

from shared.kernel.errors import Invalid

from .. import use_cases as uc
from ..domain.accounts import PASSWORD_MIN, SignInRefused
from ..oidc import IdTokenRefused, ProviderUnavailable
from . import sessions
from .forms import FormErrors
from .navigation import home_of
from .web import page

SECOND_STEP_SECONDS = 300  # between a right password and its code
PROVIDER_COOKIE = "epun_sign_in"
CALLBACK = "/sign-in/provider/callback"


def qr_svg(text: str) -> Markup:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return Markup(image.to_string(encoding="unicode"))


def grouped(secret: str) -> str:
    """A TOTP secret in groups of four, to type into an authenticator by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class SignInPages:
    # given by the gateway service, of which these pages are a part
    config: Any
    identity_provider: Any

    # ---- where sign-in begins ----

    def _local_accounts(self) -> bool:
        setting = str(self.config.get("LOCAL_ACCOUNTS") or "auto").lower()  # YAML: on is True
        if setting in ("on", "true", "yes", "1"):
            return True
        if setting in ("off", "false", "no", "0"):
            return False
        return not self.identity_provider.configured

    def _sign_in_page(self, visit, status=200, errors=None, target=None, provider_down=False):
        provider = self.identity_provider
        offered = provider.configured
        up = offered and not provider_down and provider.available()
        return visit.render("sign_in.html", status, next=target or sessions.safe_next(
            visit.query.get("next")), provider=provider if offered else None, provider_up=up,
            local=self._local_accounts(), errors=errors or FormErrors())

    @page("GET", "/sign-in", public=True)
    def portal_sign_in_form(self, visit):
        if visit.actor is not None:
            return visit.redirect(sessions.safe_next(visit.query.get("next")))
        return self._sign_in_page(visit)

    def _refusal(self, visit, reason: str, status: int = 401, **values):
        return visit.render("refused.html", status, reason=reason, values=values)

    def _signed_in(self, visit, signed_in, target: str | None):
        visit.sign_in(signed_in)
        return target if target and target != "/" else home_of(signed_in.actor)

    # ---- a local account: the password, then the code ----

    @page("POST", "/sign-in", public=True)
    def portal_sign_in(self, visit):
        target = sessions.safe_next(visit.form.get("next"))
        if not self._local_accounts():
            return self._refusal(visit, "local_accounts_off", 403)
        email, password = visit.form.get("email") or "", visit.form.get("password") or ""
        try:
            email = uc.sign_in_with_password(self.uow(), uc.PasswordSignIn(email, password))
        except SignInRefused as refused:
            return self._sign_in_page(visit, 401, self._refused_form(visit, refused),
                                      target)
        visit.hold({"second": email, "until": int(time.time()) + SECOND_STEP_SECONDS,
                    "next": target})
        return visit.redirect("/sign-in/code")

    def _refused_form(self, visit, refused: SignInRefused) -> FormErrors:
        if refused.locked_until is not None:
            minutes = max(1, round((refused.locked_until.timestamp() - time.time()) / 60))
            return FormErrors(general=[visit.t("sign_in.locked", minutes=minutes)])
        key = "sign_in.not_enrolled" if refused.reason == "not_enrolled" else "sign_in.wrong"
        return FormErrors(general=[visit.t(key)])

    def _second_step(self, visit) -> dict | None:
        pending = visit.session.pending or {}
        if pending.get("second") and pending.get("until", 0) > time.time():
            return pending
        return None

    @page("GET", "/sign-in/code", public=True)
    def portal_sign_in_code_form(self, visit):
        if self._second_step(visit) is None:
            return visit.redirect("/sign-in", note="start_again")
        return visit.render("sign_in_code.html")

    @page("POST", "/sign-in/code", public=True)
    def portal_sign_in_code(self, visit):
        pending = self._second_step(visit)
        if pending is None:
            return visit.redirect("/sign-in", note="start_again")
        try:
            signed_in = uc.sign_in_second_factor(self.uow(), uc.SecondFactor(
                pending["second"], visit.form.get("code") or ""))
        except SignInRefused as refused:
            if refused.locked_until is not None:
                visit.hold(None)
                return self._sign_in_page(visit, 401, self._refused_form(visit, refused))
            errors = FormErrors([{"loc": ["code"], "msg": visit.t(
                "sign_in.code_reused" if refused.reason == "code_reused"
                else "sign_in.wrong_code")}])
            return visit.render("sign_in_code.html", 401, errors=errors)
        target = self._signed_in(visit, signed_in, pending.get("next"))
        if signed_in.recovery_codes_left is not None:
            return visit.redirect(target, note="recovery_used",
                                  left=signed_in.recovery_codes_left)
        return visit.redirect(target)

    # ---- the identity provider ----

    def _callback_url(self, visit) -> str:
        base = (self.config.get("PUBLIC_URL") or visit.request.host_url).rstrip("/")
        return base + CALLBACK

    @page("GET", "/sign-in/provider", public=True)
    def portal_sign_in_with_provider(self, visit):
        """A link, not a form: the browser is sent on to the provider (a form could not be,
        the portal's CSP allows forms to post to itself only)."""
        provider = self.identity_provider
        if not provider.configured:
            return self._refusal(visit, "no_provider", 404)
        if not provider.available():
            return self._sign_in_page(visit, 503, provider_down=True)
        try:
            url, pending = provider.authorization(self._callback_url(visit))
        except ProviderUnavailable:
            return self._sign_in_page(visit, 503, provider_down=True)
        pending["next"] = sessions.safe_next(visit.query.get("next"))
        response = visit.redirect(url)
        # its own cookie, SameSite=Lax: the provider's redirect back is a cross-site navigation
        response.set_cookie(PROVIDER_COOKIE, sessions.seal(sessions.Session(
            pending["state"], int(time.time()) + 600, pending=pending), visit.secret),
            max_age=600, httponly=True, samesite="Lax", path=CALLBACK,
            secure=visit.request.scheme == "https")
        return response

    @page("GET", CALLBACK, public=True)
    def portal_sign_in_callback(self, visit):
        provider = self.identity_provider
        held = sessions.unseal(visit.request.cookies.get(PROVIDER_COOKIE), visit.secret)
        pending = held.pending if held else None
        try:
            claims = provider.complete(self._callback_url(visit), pending,
                                       visit.request.args.to_dict())
            signed_in = uc.sign_in_by_provider(self.uow(), uc.ProviderSignIn(
                claims.get("email"), claims.get("email_verified") is True, claims["nonce"],
                claims["sub"]))
        except IdTokenRefused as refused:
            uc.refuse_sign_in(self.uow(), None, refused.reason)
            response = self._refusal(visit, refused.reason)
        except ProviderUnavailable:
            response = self._sign_in_page(visit, 503, provider_down=True)
        except SignInRefused as refused:
            response = self._refusal(visit, refused.reason, email=claims.get("email"))
        else:
            target = self._signed_in(visit, signed_in, (pending or {}).get("next"))
            # a page of ours moves on, so the next request is same-site and carries the
            # (SameSite=Strict) session cookie
            response = visit.render("signed_in.html", target=target)
        response.delete_cookie(PROVIDER_COOKIE, path=CALLBACK)
        return response

    # ---- enrolment of a local account ----

    @page("GET", "/enrol/<code>", public=True)
    def portal_enrolment_form(self, visit, code):
        return self._enrolment_page(visit, code)

    def _enrolment_page(self, visit, code, status=200, errors=None):
        shown = uc.enrolment_for(self.uow(), code)
        if shown is None:
            return self._refusal(visit, "bad_enrolment_code", 404)
        return visit.render("enrol.html", status, code=code, email=shown["email"],
                            qr=qr_svg(shown["uri"]), secret=grouped(shown["secret"]),
                            errors=errors or FormErrors())

    @page("POST", "/enrol/<code>", public=True)
    def portal_enrol(self, visit, code):
        form = visit.form
        password = form.get("password") or ""
        if password != (form.get("password_again") or ""):
            return self._enrolment_page(visit, code, 422, FormErrors(
                [{"loc": ["password_again"], "msg": visit.t("enrol.passwords_differ")}]))
        try:
            recovery = uc.enrol(self.uow(), uc.Enrol(code, password, form.get("code") or ""))
        except SignInRefused as refused:
            return self._refusal(visit, refused.reason, 404)
        except Invalid as exc:  # the field at fault, said in the visitor's language
            fields = {e["loc"][-1] for e in exc.errors} or {"password"}
            return self._enrolment_page(visit, code, 422, FormErrors(
                [{"loc": [name], "msg": visit.t(f"enrol.wrong.{name}", min=PASSWORD_MIN)}
                 for name in sorted(fields)]))
        return visit.render("enrolled.html", recovery=recovery)
