"""Headers every API answer carries: no content sniffing, no framing, no caching of what a
token could read, HSTS when the request came over TLS, and the Bearer challenge on a 401."""
from werkzeug.wrappers import Response

HSTS = "max-age=31536000; includeSubDomains"
ALWAYS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
          "Content-Security-Policy": "frame-ancestors 'none'",
          "Referrer-Policy": "no-referrer"}


def trusted_proxies(config) -> set[str]:
    """`TRUSTED_PROXIES`: the addresses whose `X-Forwarded-Proto` is believed (comma-separated)."""
    return {a.strip() for a in str(config.get("TRUSTED_PROXIES") or "").split(",") if a.strip()}


def over_tls(request, proxies: set[str]) -> bool:
    if request.scheme == "https":
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and request.remote_addr in proxies


def secured(response: Response, request, proxies: set[str]) -> Response:
    response.headers.update(ALWAYS)
    if request.headers.get("Authorization"):
        response.headers["Cache-Control"] = "no-store"
    if over_tls(request, proxies):
        response.headers["Strict-Transport-Security"] = HSTS
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = challenge(request)
    return response


def challenge(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return 'Bearer realm="epun", error="invalid_token"'
    return 'Bearer realm="epun"'
