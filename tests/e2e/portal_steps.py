"""Steps the portal's browser tests share."""
import re

from playwright.sync_api import expect


def sign_in(page, token: str):
    page.goto("/sign-in")
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))


def field_error(page, name: str):
    """The error shown next to the form field `name` (a contract path such as retaliation.filed)."""
    return page.locator(f"#f-{name.replace('.', '-')}-error")
