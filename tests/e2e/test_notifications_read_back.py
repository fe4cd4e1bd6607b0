"""The notices read back, against the running notifications service and the stack's SMTP
server: a reminder queued through the API reaches the focal point (in Chinese) and the filer,
the Ethics Office lists the deliveries over the API and on its portal page, and the focal
point's compliance page shows the day its entity was last reminded."""
import datetime as dt
import time
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from ..helpers import eventually
from ..integration.test_disclosure import ahead, filer, open_cycle
from .portal_steps import sign_in

pytestmark = pytest.mark.e2e


def received_by(stack, address: str) -> list:
    """The messages the stack's SMTP server kept for `address`."""
    found = []
    for path in sorted(stack.mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found


def all_sent(api, address: str, count: int | None = None, seconds: float = 90) -> list:
    """The deliveries to `address` once there are `count` (or some) and all were sent; fails
    saying what there was."""
    deadline, there = time.monotonic() + seconds, []
    while time.monotonic() < deadline:
        items = api.get("/notifications", params={"recipient": address})["items"]
        if items and len(items) == (count or len(items)) and all(
                d["state"] == "sent" for d in items):
            return items
        there = [(d["kind"], d["state"], d.get("reason")) for d in items]
        time.sleep(0.2)
    pytest.fail(f"deliveries to {address} not all sent within {seconds} s: {there}")


@pytest.fixture
def reminded(api, unique_code):
    """An entity whose focal point reads Chinese, a filer with an address, and a reminder of
    the cycle queued for the entity."""
    code = unique_code("NR")
    focal_address = f"focal-point@{code.lower()}.example.org"
    filer_address = f"{code.lower()}-1@{code.lower()}.example.org"
    api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "secretariat"})
    api.put(f"/disclosure/participants/{code}", {"cost_sharing": True, "focal_points": [
        {"name": "Li Wei", "email": focal_address, "language": "zh"}]})
    year = open_cycle(api, deadline=ahead(20))
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        {**filer(f"{code}-1", code), "email": filer_address}]})
    queued = api.call("POST", f"/disclosure/cycles/{year}/reminders",
                      json={"days_before": 20, "entity": code})
    assert queued.status_code == 202 and queued.json()["non_filers"] == 1
    return {"code": code, "year": year, "focal": focal_address, "filer": filer_address}


def test_a_queued_reminder_is_sent_and_read_back(api, client_as, stack, reminded):
    to_focal = all_sent(api, reminded["focal"])
    assert {d["language"] for d in to_focal} == {"zh"}
    # enrolled in an open cycle, the filer is also told that it opened
    to_filer = all_sent(api, reminded["filer"], count=2)
    assert sorted(d["kind"] for d in to_filer) == ["cycle_opened_filer", "filing_reminder"]
    [reminder] = [d for d in to_filer if d["kind"] == "filing_reminder"]
    assert reminder["attempts"] >= 1 and reminder["sent_at"]

    mails = received_by(stack, reminded["filer"])
    assert sorted(str(m["Subject"]).strip() for m in mails) == sorted(
        d["subject"] for d in to_filer)
    assert any(received_by(stack, reminded["focal"]))

    only_reminders = api.get("/notifications", params={"kind": "filing_reminder",
                                                       "recipient": reminded["filer"]})
    assert [d["id"] for d in only_reminders["items"]] == [reminder["id"]]
    assert client_as("auditor").get("/notifications", params={"limit": 1})["items"]
    for role, entity in (("focal_point", reminded["code"]), ("panel_chair", "EO"),
                         ("reviewer", None)):
        assert client_as(role, entity).call("GET", "/notifications").status_code == 403
    refused = api.call("GET", "/notifications", params={"since": "July"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["query", "since"]


def test_the_ethics_office_page_and_the_focal_points_last_reminder(
        api, open_page, screenshot, person_as, reminded):
    eventually(lambda: api.get("/notifications", params={
        "recipient": reminded["filer"]})["items"] or None, 60)
    page = open_page()
    sign_in(page, person_as("ethics_office"))
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications sent")
    page.get_by_label("Recipient").fill(reminded["filer"])
    page.get_by_label("Kind").select_option("filing_reminder")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#deliveries tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reminded["filer"])
    expect(rows.first).to_contain_text("Filing reminder")
    expect(rows.first).to_contain_text("Sent")
    screenshot(page, "notifications-ethics-office")

    focal = open_page()
    sign_in(focal, person_as("focal_point", reminded["code"]))
    focal.goto(f"/focal/{reminded['code']}/compliance/{reminded['year']}")
    expect(focal.locator("#last-reminder")).to_have_text(
        f"Last reminder received: {dt.date.today().isoformat()}")
    screenshot(focal, "compliance-last-reminder")
