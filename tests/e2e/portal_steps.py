"""Steps the portal's tests share."""
import re
import uuid

import requests
from playwright.sync_api import expect


def sign_in(page, person):
    """Sign in with a local account as a person does: e-mail, password, then the code."""
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("authenticator app")
    page.get_by_label("Code", exact=True).fill(person.code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))


def field_error(page, name: str):
    """The error shown next to the form field `name` (a contract path such as retaliation.filed)."""
    return page.locator(f"#f-{name.replace('.', '-')}-error")


class PortalVisitor:
    """The portal over plain HTTP, as a browser without JavaScript would use it: a session
    cookie, and each form sent with the CSRF token of the page that holds it."""

    def __init__(self, base_url: str, person=None):
        self.base_url = base_url
        self.session = requests.Session()
        if person is not None:
            self.post("/sign-in", {"email": person.email, "password": person.password},
                      form_page="/sign-in")
            signed_in = self.post("/sign-in/code", {"code": person.code()},
                                  form_page="/sign-in/code")
            assert 'id="who"' in signed_in.text, signed_in.text[:300]

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=60, **kwargs)

    def post(self, path: str, data: dict, form_page: str | None = None,
             **kwargs) -> requests.Response:
        page = self.get(form_page or "/sign-in").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        return self.session.post(self.base_url + path, data={**data, "csrf": token},
                                 timeout=60, **kwargs)


def panel_members(api, client_as, count: int = 3) -> list[str]:
    """Fresh entities that joined the Panel (the chair adds them)."""
    tag = uuid.uuid4().hex[:6].upper()
    codes = [f"P{chr(65 + i)}{tag}" for i in range(count)]
    chair = client_as("panel_chair", "EO")
    for code in codes:
        api.put(f"/entities/{code}", {"name": f"Ethics office {code}", "category": "other"})
        chair.put(f"/panel/members/{code}", {"head": f"Head of {code}"})
    return codes


def leave_panel(client_as, codes: list[str]):
    for code in codes:
        client_as("panel_chair", "EO").call("DELETE", f"/panel/members/{code}")
