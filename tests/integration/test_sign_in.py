"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider.py, its own
process, RSA keys, discovery, JWKS, authorization and token endpoints), driven over plain HTTP
as a browser would: the person in the directory signs in and acts in their role; everything a
forged or broken provider sends is refused with a page, an audit entry and no session."""
import html
import re

import pytest
import requests

from tests.helpers import eventually
from tests.identities import PASSWORD, new_email

pytestmark = pytest.mark.integration


def provider_sign_in(stack, email: str, password: str = PASSWORD, target: str = "/"):
    """A browser's way through the provider: the portal's link, the provider's form, back to
    the portal's callback. The browser (its cookies) and the callback's answer."""
    browser = requests.Session()
    at_provider = browser.get(f"{stack.base_url}/sign-in/provider", params={"next": target},
                              timeout=30)
    assert at_provider.status_code == 200 and "Test identity provider" in at_provider.text
    back = browser.post(at_provider.url, data={"email": email, "password": password},
                        timeout=30, allow_redirects=False)
    assert back.status_code == 302, back.text
    callback = back.headers["Location"]
    assert callback.startswith(f"{stack.base_url}/sign-in/provider/callback?code=")
    return browser, browser.get(callback, timeout=30), callback


def audited(api, email: str, action: str) -> list[dict]:
    return api.get("/audit", params={"actor": email, "action": action})["items"]


def test_a_person_signs_in_with_the_provider_and_acts_in_their_role(
        stack, api, identity_provider, unique_code):
    entity, email = unique_code("SSO"), new_email("focal")
    api.put(f"/entities/{entity}", {"name": f"Office {entity}", "category": "other"})
    api.put(f"/people/{email}", {"name": "Sam Focal", "roles": [
        {"role": "focal_point", "entity": entity}]})
    identity_provider.add_person(email)
    page = requests.get(f"{stack.base_url}/sign-in", timeout=30).text
    assert 'id="sign-in-provider"' in page and "Sign in with the test provider" in page

    browser, answer, _ = provider_sign_in(stack, email)
    assert answer.status_code == 200 and 'http-equiv="refresh"' in answer.text
    target = re.search(r'id="continue" href="([^"]+)"', answer.text).group(1)
    assert target == f"/focal/{entity}"
    home = browser.get(stack.base_url + target, timeout=30)
    assert home.status_code == 200 and f"Office {entity}" in home.text
    assert email in home.text  # signed in as the person
    other = browser.get(f"{stack.base_url}/focal/EO", timeout=30)
    assert other.status_code == 403
    [entry] = audited(api, email, "sign_in")
    assert entry["service"] == "gateway" and entry["detail"].startswith("identity provider")


def test_an_unknown_person_gets_a_clear_page_and_no_account(stack, api, identity_provider):
    email = new_email("stranger")
    identity_provider.add_person(email)
    browser, answer, _ = provider_sign_in(stack, email)
    assert answer.status_code == 401
    assert "not in the platform's directory of people" in html.unescape(answer.text)
    assert email in answer.text
    assert browser.get(f"{stack.base_url}/", timeout=30, allow_redirects=False
                       ).status_code == 303  # no session
    assert all(p["email"] != email for p in api.get("/people"))
    [entry] = audited(api, email, "sign_in_refused")
    assert entry["detail"] == "unknown_person"


@pytest.mark.parametrize("mode, reason, says", [
    ("bad_signature", "bad_signature", "not signed with its published keys"),
    ("wrong_audience", "wrong_audience", "meant for another application"),
    ("expired", "expired", "has expired"),
    ("wrong_issuer", "wrong_issuer", "another issuer"),
])
def test_a_forged_or_broken_id_token_is_refused(stack, api, identity_provider, mode, reason,
                                                says):
    email = new_email("forged")
    api.put(f"/people/{email}", {"name": "Forged", "roles": [{"role": "auditor"}]})
    identity_provider.add_person(email)
    before = len(api.get("/audit", params={"action": "sign_in_refused", "limit": 1000})["items"])
    identity_provider.mode(mode)
    try:
        browser, answer, _ = provider_sign_in(stack, email)
    finally:
        identity_provider.mode("normal")
    assert answer.status_code == 401 and says in html.unescape(answer.text)
    assert f'data-reason="{reason}"' in answer.text
    assert browser.get(f"{stack.base_url}/reports", timeout=30,
                       allow_redirects=False).status_code == 303
    refused = api.get("/audit", params={"action": "sign_in_refused", "limit": 1000})["items"]
    assert len(refused) == before + 1 and refused[-1]["detail"] == reason
    assert audited(api, email, "sign_in") == []


def test_a_replayed_sign_in_is_refused(stack, api, identity_provider):
    email = new_email("replay")
    api.put(f"/people/{email}", {"name": "Replay", "roles": [{"role": "auditor"}]})
    identity_provider.add_person(email)
    browser, answer, callback = provider_sign_in(stack, email)
    assert answer.status_code == 200
    attacker = requests.Session()  # the callback's address, taken and sent again
    again = attacker.get(callback, timeout=30)
    assert again.status_code == 401 and 'data-reason="wrong_state"' in again.text
    replayed = requests.Session()  # ... even with the pending sign-in's cookie
    replayed.cookies.update({c.name: c.value for c in browser.cookies
                             if c.name == "epun_sign_in"})
    assert replayed.get(callback, timeout=30).status_code == 401


def test_with_the_provider_down_the_sign_in_page_says_so_and_sessions_go_on(
        stack, api, identity_provider):
    email = new_email("steady")
    api.put(f"/people/{email}", {"name": "Steady", "roles": [{"role": "auditor"}]})
    identity_provider.add_person(email)
    browser, answer, _ = provider_sign_in(stack, email)
    assert answer.status_code == 200
    identity_provider.stop()
    try:
        eventually(lambda: 'id="provider-down"' in requests.get(
            f"{stack.base_url}/sign-in", timeout=30).text, seconds=20)
        start = requests.get(f"{stack.base_url}/sign-in/provider", timeout=30)
        assert start.status_code == 503 and 'id="provider-down"' in start.text
        still = browser.get(f"{stack.base_url}/reports", timeout=30)
        assert still.status_code == 200 and email in still.text
    finally:
        identity_provider.start()
    eventually(lambda: 'id="sign-in-provider"' in requests.get(
        f"{stack.base_url}/sign-in", timeout=30).text, seconds=20)
