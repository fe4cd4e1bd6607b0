"""People sign in as themselves, in the browser: with the organisation's identity provider (the
suite's own OpenID Connect provider), with a local account enrolled from a QR code, then a TOTP
code; failures lock the account; a person acting in several roles switches between them; access
removed (the person, a role, a token) ends at the next request, in the portal and the API."""
import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.identities import PASSWORD, grant, local_person, new_email

from .portal_steps import PortalVisitor, sign_in, sign_out

pytestmark = pytest.mark.e2e
PERIOD = "2014-15"


def test_a_focal_point_signs_in_with_the_provider_acts_and_signs_out(
        stack, api, identity_provider, open_page, screenshot, unique_code):
    entity, email = unique_code("SSO"), new_email("focal")
    api.put(f"/entities/{entity}", {"name": f"Ethics office {entity}", "category": "other"})
    api.put(f"/people/{email}", {"name": "Sam Focal", "roles": [grant("focal_point", entity)]})
    identity_provider.add_person(email)

    page = open_page()
    page.goto(f"/focal/{entity}")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    screenshot(page, "sign-in-choices")
    page.get_by_role("link", name="Sign in with the test provider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    expect(page).to_have_url(re.compile(rf"/focal/{entity}$"))
    expect(page.locator("#who")).to_contain_text(email)
    expect(page.locator("#who-entity")).to_have_text(entity)

    page.goto(f"/focal/{entity}/figures/{PERIOD}")  # acts as the focal point
    page.get_by_label("Total service requests").fill("4")
    page.get_by_label("Training").fill("4")
    page.get_by_role("button", name="Submit a new version").click()
    expect(page.locator(".note")).to_contain_text("Saved as version 1")
    figures = api.get(f"/annual-figures/{entity}/{PERIOD}")
    assert figures["version"] == 1
    [submitted] = api.get("/audit", params={"actor": email,
                                            "action": "submit_annual_figures"})["items"]
    assert submitted["service"] == "intake" and submitted["entity"] == entity
    screenshot(page, "signed-in-with-provider")

    sign_out(page)
    page.goto(f"/focal/{entity}")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_a_person_enrols_with_the_qr_code_signs_in_with_a_code_and_switches_roles(
        stack, api, open_page, screenshot, unique_code):
    entity, email = unique_code("TOTP"), new_email("head")
    api.put(f"/entities/{entity}", {"name": f"Ethics office {entity}", "category": "other"})
    api.put(f"/people/{email}", {"name": "Head of office", "roles": [
        grant("focal_point", entity), grant("panel_member", entity)]})
    invitation = api.post(f"/people/{email}/enrolment")

    page = open_page()
    page.goto(invitation["enrolment_path"])
    expect(page.locator("figure.qr svg")).to_be_visible()
    screenshot(page, "enrolment-qr-code")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    page.get_by_label("The code the app shows").fill("000000")
    page.get_by_role("button", name="Set up my account").click()
    expect(page.locator("#f-code-error")).to_contain_text("not the one your app shows")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    enrolment_code = totp.now()
    page.get_by_label("The code the app shows").fill(enrolment_code)
    page.get_by_role("button", name="Set up my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is set up")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    recovery = page.locator("#recovery-codes li").first.inner_text()

    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.get_by_label("Code", exact=True).fill(enrolment_code)  # used already: refused
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#f-code-error")).to_contain_text("used already")
    page.get_by_label("Code", exact=True).fill(recovery)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".note")).to_contain_text("recovery code; 9 remain")
    expect(page.locator("#who")).to_contain_text(email)

    switcher = page.get_by_label("Acting as")
    expect(switcher).to_have_value(f"focal_point:{entity}")
    screenshot(page, "role-switcher")
    switcher.select_option(f"panel_member:{entity}")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(re.compile(r"/panel\?note=role_switched$"))
    expect(page.locator("#who .role")).to_have_text("Panel member")
    assert page.goto(f"/focal/{entity}").status == 403  # the Panel member is not the focal point
    switched = api.get("/audit", params={"actor": email, "action": "switch_role"})["items"]
    assert [e["detail"] for e in switched] == [f"panel_member:{entity}"]


def test_failed_attempts_lock_the_account_and_are_audited(stack, api, open_page, screenshot):
    person = local_person(api, stack.base_url, grant("auditor"))
    page = open_page()
    for attempt in range(5):
        page.goto("/sign-in")
        page.get_by_label("E-mail address").fill(person.email)
        page.get_by_label("Password").fill(f"not the password {attempt}")
        page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("this account is locked")
    screenshot(page, "sign-in-locked")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(person.password)  # the right one, while locked
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("this account is locked")
    expect(page.locator("#who")).to_have_count(0)
    refusals = api.get("/audit", params={"actor": person.email,
                                         "action": "sign_in_refused"})["items"]
    assert [e["detail"] for e in refusals] == ["wrong_password"] * 5 + ["locked"]


def test_access_removed_ends_at_the_next_request_in_the_portal_and_the_api(
        stack, api, open_page, unique_code):
    entity = unique_code("GONE")
    api.put(f"/entities/{entity}", {"name": f"Office {entity}", "category": "other"})
    person = local_person(api, stack.base_url, grant("focal_point", entity), grant("auditor"))
    token = api.post("/tokens", {"role": "focal_point", "entity": entity, "label": "uploads",
                                 "person": person.email})
    program = api.as_token(token["token"])
    assert program.call("GET", f"/annual-figures/{entity}/{PERIOD}/versions").status_code == 404

    page = open_page()
    sign_in(page, person)
    assert page.goto(f"/focal/{entity}").status == 200
    api.put(f"/people/{person.email}", {"name": "x", "roles": [grant("auditor")]})  # role gone
    page.goto(f"/focal/{entity}")
    expect(page).to_have_url(re.compile(r"/sign-in\?"))
    expect(page.locator(".note")).to_contain_text("Your session has ended")
    assert program.call("GET", "/entities").status_code == 401  # the person's token too

    visitor = PortalVisitor(stack.base_url, person)  # now as the auditor
    assert visitor.get("/reports").status_code == 200
    api.call("DELETE", f"/people/{person.email}")
    gone = visitor.get("/reports", allow_redirects=False)
    assert gone.status_code == 303 and "/sign-in" in gone.headers["Location"]
    again = PortalVisitor(stack.base_url)
    again.post("/sign-in", {"email": person.email, "password": person.password})
    assert again.get("/sign-in/code", allow_redirects=False).status_code == 303

    service = api.post("/tokens", {"role": "auditor", "label": "a report robot"})
    robot = api.as_token(service["token"])
    assert robot.call("GET", "/entities").status_code == 200
    listed = {t["id"]: t for t in api.get("/tokens")}
    assert service["token"] not in str(listed) and listed[service["id"]]["revoked_at"] is None
    api.call("DELETE", f"/tokens/{service['id']}")
    refused = robot.call("GET", "/entities")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
