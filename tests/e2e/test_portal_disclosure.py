"""Financial disclosure in the browser: a filer files a statement with repeating rows, the
reviewer records a typed conflict on it, the filer publishes a summary that anyone can read once
the Ethics Office approves it (or returns it with a reason), and the Ethics Office reads the
cycle's annex as the reporting service renders it."""
import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect

from ..helpers import eventually
from .portal_steps import sign_in

pytestmark = pytest.mark.e2e


def open_cycle(api) -> int:
    """A cycle open today: one already open, or this year's (or the latest free year's)."""
    today = dt.date.today()
    cycles = api.get("/disclosure/cycles")
    for cycle in sorted(cycles, key=lambda c: -c["year"]):
        if cycle["status"] in ("open", "overdue"):
            return cycle["year"]
    taken = {c["year"] for c in cycles}
    year = next(y for y in range(today.year, 2000, -1) if y not in taken)
    api.post("/disclosure/cycles", {"year": year, "opens_on": f"{year}-01-01",
                                    "deadline": f"{year}-12-31", "programme_cost": 1000.0})
    return year


@pytest.fixture
def enrolled(api, unique_code):
    code = unique_code("FD")
    api.put(f"/entities/{code}", {"name": f"Department {code}", "category": "secretariat"})
    api.put(f"/disclosure/participants/{code}", {"cost_sharing": False, "focal_points": []})
    year = open_cycle(api)
    staff_id = f"S{uuid.uuid4().hex[:7].upper()}"
    answer = api.post(f"/disclosure/cycles/{year}/filers", {"items": [{
        "staff_id": staff_id, "entity": code, "duty_station": "New York", "grade": "ASG",
        "designation": "senior_official"}]})
    assert answer["accepted"] == 1, answer
    return {"year": year, "entity": code, "staff_id": staff_id}


def test_a_filer_files_and_the_reviewer_records_a_conflict_on_the_statement(
        api, open_page, screenshot, enrolled, person_as):
    year, staff_id = enrolled["year"], enrolled["staff_id"]
    filer = open_page()
    sign_in(filer, person_as("filer", staff_id=staff_id))
    expect(filer.locator(f"#status-{year}")).to_have_text("invited to file")
    filer.get_by_role("link", name="File your statement").click()
    filer.get_by_label("Asset, row 1").fill("Shares in an airline")
    filer.get_by_label("Value (US$), row 1").fill("25000")
    filer.get_by_label("Asset, row 2").fill("Flat in Geneva")
    filer.get_by_role("button", name="Add a row · Assets").click()   # a third row, kept rows
    expect(filer.get_by_label("Asset, row 1")).to_have_value("Shares in an airline")
    filer.get_by_label("Asset, row 3").fill("Savings account")
    filer.get_by_label("Value (US$), row 3").fill("a lot")            # not a number
    filer.get_by_label("Liability, row 1").fill("Mortgage")
    filer.get_by_label("Outside interest, row 1").fill("Board of a private school")
    filer.get_by_label("Role, row 1").fill("trustee")
    filer.get_by_label("Name, row 1").fill("A. Sibling")
    filer.get_by_label("Relationship, row 1").fill("sibling")
    filer.get_by_label("I certify that this statement is true and complete").check()
    filer.get_by_role("button", name="File the statement").click()
    expect(filer.locator("#f-assets-2-value_usd-error")).to_contain_text("Type a number")
    filer.get_by_label("Value (US$), row 3").fill("4000")
    screenshot(filer, "filer-statement-form")
    filer.get_by_role("button", name="File the statement").click()
    expect(filer.get_by_role("status")).to_have_text(
        f"Your statement for the {year} cycle is filed.")
    expect(filer.locator(f"#status-{year}")).to_have_text("filed")
    expect(filer.locator("#receipt-number")).to_have_text(f"FD-{year}-{staff_id}")
    expect(filer.locator("#receipt-certified")).to_have_text(
        "Certified true and complete by the filer")

    reviewer = open_page()
    sign_in(reviewer, person_as("reviewer"))
    reviewer.goto(f"/review?year={year}")
    reviewer.get_by_role("link", name=staff_id).click()
    expect(reviewer.locator("#st-assets + table tbody tr")).to_have_count(3)
    reviewer.get_by_label("Conflicts of interest found").check()
    reviewer.get_by_label("Type, row 1").select_option("financial_holding")
    reviewer.get_by_label("Recommendation, row 1").fill(
        "Divest the airline shares or recuse from aviation procurement.")
    screenshot(reviewer, "reviewer-review-form")
    reviewer.get_by_role("button", name="Record the review").click()
    expect(reviewer.get_by_role("status")).to_have_text("The review is recorded.")
    expect(reviewer.locator("#filer-status")).to_have_text("conflicts found")
    expect(reviewer.locator("#recorded-conflicts tbody tr")).to_have_text(re.compile(
        "financial holding.*Divest the airline shares"))
    assert api.get(f"/disclosure/cycles/{year}/filers/{staff_id}")["conflicts"] == [{
        "type": "financial_holding",
        "recommendation": "Divest the airline shares or recuse from aviation procurement."}]

    filer.goto("/filer")
    expect(filer.locator(f"#status-{year}")).to_have_text("conflicts found")
    filer.get_by_role("link", name="Decide on voluntary public disclosure").click()
    filer.get_by_label("Yes, publish the summary below").check()
    name = f"Official {uuid.uuid4().hex[:6]}"
    filer.get_by_label("Name as published").fill(name)
    filer.get_by_label("Assets").fill("Shares and a flat")
    filer.get_by_label("Outside interests").fill("Trustee of a school")  # no liabilities
    filer.get_by_role("button", name="Record the decision").click()
    expect(filer.get_by_role("status")).to_contain_text("decision on public disclosure")
    expect(filer.locator(f"#public-{year}")).to_contain_text(
        "awaiting the Ethics Office's approval")

    public = open_page()
    public.goto(f"/public/disclosures/{year}")
    expect(public.locator("#who")).to_have_count(0)                 # nobody signed in
    expect(public.get_by_role("heading", name=name)).to_have_count(0)  # not approved yet

    office = open_page()
    sign_in(office, person_as("ethics_office"))
    office.get_by_role("link", name="Public disclosures to approve").click()
    office.get_by_label("Cycle").select_option(str(year))
    office.get_by_role("button", name="Show", exact=True).click()
    waiting = office.locator(f"#pending-{staff_id}")
    expect(waiting).to_contain_text(name)
    expect(waiting.locator("dd").nth(1)).to_have_text("none")
    screenshot(office, "office-public-disclosures")
    waiting.get_by_role("button", name="Approve and publish").click()
    expect(office.get_by_role("status")).to_have_text(
        f"The summary of {staff_id} is approved; it is on the public page.")
    expect(office.locator(f"#pending-{staff_id}")).to_have_count(0)

    filer.goto("/filer")
    expect(filer.locator(f"#public-{year}")).to_contain_text("approved and public")
    public.reload()
    section = public.locator("section.disclosure", has=public.get_by_role("heading", name=name))
    expect(section).to_contain_text("Shares and a flat")
    expect(section.locator("dd").nth(1)).to_have_text("none")
    expect(public.locator("main")).not_to_contain_text(staff_id)
    screenshot(public, "public-disclosures")

    entity = enrolled["entity"]
    eventually(lambda: any(row["entity"] == entity for row in api.get(
        f"/reports/disclosure/{year}/annex")["rows"]))      # reporting has the events
    office.goto("/reports")
    office.get_by_label("Cycle").fill(str(year))
    office.locator("#annex").locator("..").get_by_role("button", name="Show").click()
    report = office.frame_locator("iframe.report")
    expect(report.locator(f"table.annex tr[data-key={entity}]")).to_contain_text(entity)
    expect(office.get_by_role("link", name="Download XLSX")).to_have_attribute(
        "href", f"/reports/annex/{year}/report.xlsx")
    screenshot(office, "reports-annex")
    office.goto(f"/reports/annual/{year - 1}-{year % 100:02d}?entity=EO")
    expect(office.frame_locator("iframe.report").locator("h1")).to_be_visible()
    screenshot(office, "reports-annual")


def test_the_office_returns_a_summary_and_the_filer_reads_why_in_chinese(
        api, open_page, enrolled, person_as):
    year, staff_id = enrolled["year"], enrolled["staff_id"]
    api.post(f"/disclosure/cycles/{year}/statements", {"items": [{
        "staff_id": staff_id, "assets": [{"description": "A flat"}], "certified": True}]})
    filer = open_page()
    sign_in(filer, person_as("filer", staff_id=staff_id))
    filer.goto(f"/filer/{year}/public-disclosure")
    filer.get_by_label("Yes, publish the summary below").check()
    filer.get_by_label("Assets").fill("A flat")
    filer.get_by_role("button", name="Record the decision").click()
    expect(filer.locator(f"#public-{year}")).to_contain_text("awaiting")

    office = open_page()
    sign_in(office, person_as("ethics_office"))
    office.goto(f"/review/public-disclosures?year={year}")
    waiting = office.locator(f"#pending-{staff_id}")
    waiting.get_by_role("button", name="Return to the official").click()  # no reason
    expect(office.locator("#f-reason-error")).to_be_visible()
    office.locator(f"#pending-{staff_id}").get_by_label("Reason for returning").fill(
        "Say where the flat is")
    office.locator(f"#pending-{staff_id}").get_by_role(
        "button", name="Return to the official").click()
    expect(office.get_by_role("status")).to_have_text(
        f"The summary of {staff_id} is returned to the official.")

    filer.goto("/filer")
    filer.get_by_role("button", name="中文").click()
    expect(filer.locator(f"#public-{year}")).to_have_text(
        "公开 · 已被道德操守办公室退回: Say where the flat is")
    filer.get_by_role("link", name="决定是否自愿公开披露").click()
    expect(filer.locator("#public-review")).to_contain_text("Say where the flat is")
    expect(filer.get_by_label("资产")).to_have_value("A flat")   # the summary as it was
    filer.get_by_label("资产").fill("A flat in Geneva")
    filer.get_by_role("button", name="记录决定").click()
    expect(filer.locator(f"#public-{year}")).to_have_text("公开 · 等待道德操守办公室批准")
    filer.get_by_role("button", name="English").click()
    expect(filer.locator(f"#public-{year}")).to_have_text(
        "published · awaiting the Ethics Office's approval")
    assert [d["summary"]["assets"] for d in api.get(
        f"/disclosure/cycles/{year}/public-disclosures/pending")
        if d["staff_id"] == staff_id] == ["A flat in Geneva"]
