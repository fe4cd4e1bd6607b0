"""Headers and limits of the API: security headers on every answer, the Bearer challenge on a
401, HSTS behind a trusted TLS proxy, and the per-token rate limit (429, Retry-After, counted)."""
import re

import pytest
import requests

from epun.client import Client

from ..helpers import platform_of_its_own

pytestmark = pytest.mark.integration

PER_MINUTE = 5


def secure(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/entities", "/activities?entity=nope", "/no-such-route"])
def test_authenticated_answers_are_secured_and_not_stored(api, path):
    response = api.call("GET", path)
    secure(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP, no trusted proxy


def test_public_answers_carry_the_security_headers_too(stack):
    response = requests.get(f"{stack.base_url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200
    secure(response)


def test_a_401_challenges_for_a_bearer_token(stack):
    none = requests.get(f"{stack.base_url}/api/v1/entities", timeout=30)
    assert none.status_code == 401
    assert none.headers["WWW-Authenticate"] == 'Bearer realm="epun"'
    secure(none)
    wrong = requests.get(f"{stack.base_url}/api/v1/entities", timeout=30,
                         headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="epun", error="invalid_token"'
    assert wrong.headers["Content-Type"] == "application/problem+json"


def test_a_forwarded_proto_from_an_untrusted_address_does_not_turn_hsts_on(api):
    response = api.call("GET", "/entities", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """A platform whose gateway allows PER_MINUTE requests a minute per token and believes
    the proxy on 127.0.0.1."""
    with platform_of_its_own(tmp_path_factory.mktemp("limited"),
                             {"RATE_LIMIT": str(PER_MINUTE),
                              "TRUSTED_PROXIES": "127.0.0.1"}) as stack:
        yield stack


def rate_limited_total(stack) -> float:
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port('gateway')}/metrics",
                        timeout=10).text
    found = re.search(r"^epun_gateway_rate_limited_total (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def test_a_token_over_its_rate_limit_is_refused_with_retry_after_and_counted(limited):
    admin = Client(limited.base_url, limited.admin_token())
    first = admin.as_token(admin.token_for("ethics_office"))
    other = admin.as_token(admin.token_for("ethics_office"))
    counted = rate_limited_total(limited)
    answers = [first.call("GET", "/entities") for _ in range(PER_MINUTE + 2)]
    assert [a.status_code for a in answers] == [200] * PER_MINUTE + [429, 429]
    refused = answers[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60 // PER_MINUTE
    secure(refused)
    # the limit is each token's own
    assert other.call("GET", "/entities").status_code == 200
    assert rate_limited_total(limited) == counted + 2


def test_hsts_when_a_trusted_proxy_says_the_request_came_over_tls(limited):
    response = requests.get(f"{limited.base_url}/api/v1/health", timeout=30,
                            headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = requests.get(f"{limited.base_url}/api/v1/health", timeout=30)
    assert "Strict-Transport-Security" not in plain.headers
