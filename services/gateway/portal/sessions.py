"""The portal's session cookie, and the CSRF token each session's forms carry.

The cookie holds `{sid, exp, signed_in, pending}` signed with HMAC-SHA256. A signed-in visitor's
`sid` names the session the gateway keeps (who, in which role, until when: read again on every
request, see `use_cases.session_actor`), so ending it anywhere ends it everywhere. A visitor who
has not signed in still gets a session, so that the sign-in form itself carries a CSRF token;
`pending` holds what a sign-in under way must find again (the identity provider's state, nonce
and PKCE verifier, or the e-mail whose password was right, waiting for its second factor).
"""
import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

COOKIE = "epun_session"
LANG_COOKIE = "epun_lang"
SIGNED_IN_SECONDS = 8 * 3600
ANONYMOUS_SECONDS = 24 * 3600
_process_secret: bytes | None = None


@dataclass
class Session:
    sid: str
    exp: int
    signed_in: bool = False
    pending: dict | None = None


def secret_from(configured: str | None) -> bytes:
    """The configured secret, or one random secret for this process (sessions then end when the
    gateway restarts, and are not shared between gateway processes)."""
    global _process_secret
    if configured:
        return configured.encode()
    if _process_secret is None:
        _process_secret = secrets.token_bytes(32)
        log.warning("SESSION_SECRET is empty: portal sessions are signed with a random secret "
                    "of this process; they end when it restarts and other gateway processes "
                    "do not accept them")
    return _process_secret


def new_session(session_id: str | None = None, now: float | None = None,
                pending: dict | None = None) -> Session:
    """A signed-in visitor's session (`session_id`: the gateway's record), or an anonymous one."""
    now = time.time() if now is None else now
    if session_id:
        return Session(session_id, int(now + SIGNED_IN_SECONDS), True)
    return Session(secrets.token_urlsafe(18), int(now + ANONYMOUS_SECONDS), False, pending)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, message: bytes) -> bytes:
    return hmac.new(secret, message, hashlib.sha256).digest()


def seal(session: Session, secret: bytes) -> str:
    payload = json.dumps({"sid": session.sid, "exp": session.exp, "in": session.signed_in,
                          "pending": session.pending},
                         separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def unseal(cookie: str | None, secret: bytes, now: float | None = None) -> Session | None:
    """The session in a cookie, or None when it is missing, tampered with or expired."""
    if not cookie or "." not in cookie:
        return None
    body, _, mac = cookie.partition(".")
    try:
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(mac), _mac(secret, payload)):
            return None
        data = json.loads(payload)
        session = Session(str(data["sid"]), int(data["exp"]), bool(data.get("in")),
                          data.get("pending"))
    except (ValueError, KeyError, TypeError):
        return None
    if session.exp <= (time.time() if now is None else now):
        return None
    return session


def csrf_token(session: Session, secret: bytes) -> str:
    return _b64(_mac(secret, b"csrf:" + session.sid.encode()))


def csrf_ok(session: Session, secret: bytes, sent: str | None) -> bool:
    if not sent:
        return False
    return hmac.compare_digest(sent, csrf_token(session, secret))


def safe_next(target: str | None, default: str = "/") -> str:
    """Where to go after a form: only a path on this site (never `//host` or `http://...`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
