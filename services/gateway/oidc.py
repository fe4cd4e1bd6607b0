"""Single sign-on with the organisation's identity provider (OpenID Connect, the authorization
code flow with PKCE), as its client: authlib's OAuth2Session makes the authorization request and
redeems the code; joserfc (authlib's JOSE library) checks the ID token.

An ID token is accepted when its signature verifies with a key of the provider's JWKS, its
issuer is the configured issuer, its audience names this client, its nonce is the one this
sign-in sent, and it has not expired. The discovery document and the keys are cached; the keys
are fetched again when a token names a key the cache does not hold (the provider rotated them).
"""
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, cast

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from joserfc import jwt
from joserfc.errors import (BadSignatureError, ClaimError, ExpiredTokenError, InvalidClaimError,
                            JoseError, MissingClaimError)
from joserfc.jwk import KeySet, KeySetSerialization
from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 5
METADATA_SECONDS = 300    # the discovery document and the keys are read again after this
PROBE_SECONDS = 5         # how long "the provider answers" (or does not) is believed
LEEWAY_SECONDS = 60       # clocks differ a little
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
SCOPE = "openid email profile"


class ProviderUnavailable(Exception):
    """The identity provider does not answer (or answers nonsense)."""


class IdTokenRefused(Exception):
    """An ID token (or the answer it came in) that is not accepted; `reason` says why in one
    word, for the refusal page and the audit log."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


def verify_id_token(id_token: str, keys: KeySet, issuer: str, client_id: str, nonce: str,
                    now: float | None = None) -> dict:
    """The claims of `id_token`, or IdTokenRefused: bad_signature, wrong_issuer,
    wrong_audience, wrong_nonce, expired, malformed."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except BadSignatureError:
        raise IdTokenRefused("bad_signature", "the ID token's signature does not verify")
    except JoseError as exc:
        kind = "bad_signature" if "key" in type(exc).__name__.lower() else "malformed"
        raise IdTokenRefused(kind, f"the ID token cannot be read: {type(exc).__name__}")
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        now=int(now if now is not None else time.time()), leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise IdTokenRefused("expired", "the ID token has expired")
    except (InvalidClaimError, MissingClaimError) as exc:
        name = getattr(exc, "claim", "") or ""
        reason = {"iss": "wrong_issuer", "aud": "wrong_audience",
                  "nonce": "wrong_nonce"}.get(name, "malformed")
        raise IdTokenRefused(reason, f"the ID token's {name or 'claims'} claim is not right")
    except ClaimError as exc:
        raise IdTokenRefused("malformed", str(exc))
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("wrong_audience", "the ID token was issued to another client")
    return claims


@dataclass
class _Cached:
    value: Any = None
    until: float = 0.0


@dataclass
class IdentityProvider:
    """The configured provider: `issuer` empty means none is configured."""
    issuer: str
    client_id: str
    client_secret: str
    name: str = ""
    _metadata: _Cached = field(default_factory=_Cached)
    _keys: _Cached = field(default_factory=_Cached)
    _probe: _Cached = field(default_factory=_Cached)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_config(cls, config) -> "IdentityProvider":
        issuer = (config.get("OIDC_ISSUER") or "").rstrip("/")
        return cls(issuer, config.get("OIDC_CLIENT_ID") or "",
                   config.get("OIDC_CLIENT_SECRET") or "", config.get("OIDC_NAME") or "")

    @property
    def configured(self) -> bool:
        return bool(self.issuer and self.client_id)

    # ---- what the provider publishes ----

    def _get_json(self, url: str) -> dict:
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            found = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{url}: {type(exc).__name__}")
        if not isinstance(found, dict):
            raise ProviderUnavailable(f"{url}: not a JSON object")
        return found

    def metadata(self) -> dict:
        """The discovery document (its issuer must be ours, as OpenID Connect Discovery says)."""
        cached = self._metadata
        if cached.value is not None and cached.until > time.monotonic():
            return cached.value
        found = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
        if found.get("issuer", "").rstrip("/") != self.issuer or not all(
                found.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
            raise ProviderUnavailable("the discovery document does not describe this issuer")
        self._metadata = _Cached(found, time.monotonic() + METADATA_SECONDS)
        return found

    def keys(self, refresh: bool = False) -> KeySet:
        cached = self._keys
        if not refresh and cached.value is not None and cached.until > time.monotonic():
            return cached.value
        try:
            found = self._get_json(self.metadata()["jwks_uri"])  # checked as it is imported
            keys = KeySet.import_key_set(cast(KeySetSerialization, found))
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable(f"the provider's keys cannot be read: {exc}")
        self._keys = _Cached(keys, time.monotonic() + METADATA_SECONDS)
        return keys

    def available(self) -> bool:
        """Whether the provider answers now (asked at most every PROBE_SECONDS)."""
        probe = self._probe
        if probe.until > time.monotonic():
            return bool(probe.value)
        try:
            self._metadata = _Cached()  # read it again: the provider may have gone
            self.metadata()
            up = True
        except ProviderUnavailable as exc:
            log.warning("the identity provider does not answer: %s", exc)
            up = False
        self._probe = _Cached(up, time.monotonic() + PROBE_SECONDS)
        return up

    # ---- one sign-in ----

    def _session(self, redirect_uri: str, state: str | None = None) -> OAuth2Session:
        return OAuth2Session(self.client_id, self.client_secret, scope=SCOPE,
                             redirect_uri=redirect_uri, state=state,
                             code_challenge_method="S256",
                             token_endpoint_auth_method="client_secret_basic")

    def authorization(self, redirect_uri: str) -> tuple[str, dict]:
        """Where to send the browser, and what the callback must find again (kept in the
        visitor's signed cookie): the state, the nonce and the PKCE verifier."""
        pending = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
                   "verifier": secrets.token_urlsafe(48)}
        url, _ = self._session(redirect_uri, pending["state"]).create_authorization_url(
            self.metadata()["authorization_endpoint"], state=pending["state"],
            nonce=pending["nonce"], code_verifier=pending["verifier"])
        return url, pending

    def complete(self, redirect_uri: str, pending: dict, args: dict) -> dict:
        """The verified claims of the callback's sign-in, or IdTokenRefused."""
        if args.get("error"):
            raise IdTokenRefused("provider_refused", str(args.get("error"))[:80])
        if not pending or not args.get("state") or args.get("state") != pending.get("state"):
            raise IdTokenRefused("wrong_state", "this answer does not belong to a sign-in "
                                                "begun in this browser")
        try:
            answer = self._session(redirect_uri, pending["state"]).fetch_token(
                self.metadata()["token_endpoint"], code=args.get("code") or "",
                code_verifier=pending["verifier"], grant_type="authorization_code")
        except OAuth2Error as exc:
            raise IdTokenRefused("code_refused", f"the provider refused the code: {exc.error}")
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"the token endpoint: {type(exc).__name__}")
        id_token = answer.get("id_token")
        if not id_token:
            raise IdTokenRefused("malformed", "the provider sent no ID token")
        try:
            return verify_id_token(id_token, self.keys(), self.issuer, self.client_id,
                                   pending["nonce"])
        except IdTokenRefused as refused:
            if refused.reason != "bad_signature":
                raise
            with self._lock:  # a key we do not hold yet: the provider may have rotated them
                keys = self.keys(refresh=True)
            return verify_id_token(id_token, keys, self.issuer, self.client_id,
                                   pending["nonce"])


class IdentityProviderDependency(DependencyProvider):
    """`self.identity_provider` in the gateway: the configured provider, one per process (so
    its cached discovery document and keys are shared by the workers)."""

    def setup(self):
        self.provider = IdentityProvider.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.provider
