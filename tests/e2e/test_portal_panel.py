"""The Panel in the browser: a consultation opened by the chair, answered by two members, refused
to a third after its date, and concluded by the chair, who sees who answered and who did not."""
import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect

from .portal_steps import leave_panel, panel_members, sign_in

pytestmark = pytest.mark.e2e


def day(offset: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def members(api, client_as):
    codes = panel_members(api, client_as)
    yield codes
    leave_panel(client_as, codes)


def answer(page, url: str, text: str, button: str = "Send the position"):
    page.goto(url)
    page.get_by_label("Position", exact=True).fill(text)
    page.get_by_role("button", name=button).click()


def test_the_chair_concludes_a_consultation_two_members_answered_and_a_late_one_could_not(
        api, open_page, screenshot, members, person_as):
    a, b, c = members
    topic = f"Use of social media {uuid.uuid4().hex[:4]}"
    chair = open_page()
    sign_in(chair, person_as("panel_chair", "EO"))
    chair.goto("/panel")
    chair.get_by_role("link", name="Open a consultation").click()
    chair.get_by_label("Topic").fill(topic)
    chair.get_by_label("Question").fill("May staff comment on the Organization's work online?")
    chair.get_by_label("Answer by", exact=True).fill(day(-1))
    chair.get_by_label("Tags").fill("social media")
    chair.get_by_label("Opened on").fill(day(-7))
    chair.get_by_role("button", name="Open the consultation").click()
    expect(chair.get_by_role("status")).to_have_text("The consultation is open.")
    expect(chair.locator("#respond-by")).to_contain_text("date passed")
    url = chair.url

    late = open_page()
    sign_in(late, person_as("panel_member", c))
    answer(late, url, "Our view, a day late")
    expect(late.get_by_role("alert")).to_contain_text(f"the date to answer by ({day(-1)}) "
                                                      "has passed")
    expect(late.locator("#answered")).to_have_text("nobody")
    screenshot(late, "panel-position-refused-after-date")

    chair.get_by_label("New date to answer by").fill(day(7))
    chair.get_by_role("button", name="Extend").click()
    expect(chair.get_by_role("status")).to_have_text("The date to answer by is extended.")

    first = open_page()
    sign_in(first, person_as("panel_member", a))
    answer(first, url, "A first view")
    expect(first.get_by_role("status")).to_have_text(f"The position of {a} is recorded.")
    answer(first, url, "A considered view", button="Amend the position")
    expect(first.get_by_role("status")).to_have_text(f"The position of {a} is amended.")
    screenshot(first, "panel-member-position")

    second = open_page()
    sign_in(second, person_as("panel_member", b))
    answer(second, url, "We agree with guidance")
    expect(second.get_by_role("status")).to_have_text(f"The position of {b} is recorded.")

    chair.goto(url)
    expect(chair.locator("#answered li")).to_have_text(sorted([a, b]))
    expect(chair.locator("#not-answered")).to_contain_text(c)
    expect(chair.locator("#positions")).to_be_visible()
    chair.get_by_label("Outcome").fill("Common approach agreed")
    chair.get_by_label("Guidance").fill("A guidance note goes to every member office.")
    expect(chair.locator("#outstanding-warning")).to_contain_text(c)
    chair.locator("#f-confirm").check()  # c has not answered: concluding needs the chair's word
    chair.get_by_role("button", name="Conclude").click()
    expect(chair.get_by_role("status")).to_have_text("The consultation is concluded.")
    expect(chair.locator("#consultation-status")).to_have_text("concluded")
    expect(chair.locator("#answered li")).to_have_text(sorted([a, b]))
    expect(chair.locator("#not-answered")).to_contain_text(c)
    screenshot(chair, "panel-consultation-concluded")

    consultation_id = url.rstrip("/").rsplit("/", 1)[-1]
    stored = api.get(f"/panel/consultations/{consultation_id}")
    assert stored["status"] == "concluded" and sorted(stored["answered"]) == sorted([a, b])
    assert [p["versions"] for p in stored["positions"] if p["entity"] == a] == [2]
