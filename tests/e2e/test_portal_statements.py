"""The filer's statement from one year to the next: filed with its certification, the next
year's form prefilled with last year's items marked, kept as a draft across sessions, refused
without the certification, filed with its receipt; and, in Chinese, the filer's acknowledgement
of the reviewer's recommendation, which the reviewer then reads."""
import pytest
from playwright.sync_api import expect

from ..integration.test_disclosure import filer, open_cycle, participants, statement
from .portal_steps import PortalVisitor, field_error, sign_in, sign_out

pytestmark = pytest.mark.e2e
CERTIFY = "I certify that this statement is true and complete"


def two_cycles(api, unique_code) -> tuple[int, int, str, str]:
    [entity] = participants(api, unique_code)
    years = sorted((open_cycle(api), open_cycle(api)))
    staff_id = f"{entity}-1"
    for year in years:
        api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(staff_id, entity)]})
    return years[0], years[1], entity, staff_id


def test_next_year_s_statement_starts_from_last_year_is_kept_as_a_draft_and_is_certified(
        api, open_page, person_as, unique_code):
    earlier, later, _, staff_id = two_cycles(api, unique_code)
    person = person_as("filer", staff_id=staff_id)
    page = open_page()
    sign_in(page, person)
    page.goto(f"/filer/{earlier}/statement")
    page.get_by_label("Asset, row 1").fill("Flat in Geneva")
    page.get_by_label(CERTIFY).check()
    page.get_by_role("button", name="File the statement").click()
    expect(page.locator("#receipt-number")).to_have_text(f"FD-{earlier}-{staff_id}")

    page.goto(f"/filer/{later}/statement")
    expect(page.get_by_label("Asset, row 1")).to_have_value("Flat in Geneva")
    expect(page.locator("#f-assets-0-from_last_year-tag")).to_have_text("from last year")
    page.get_by_label("Asset, row 2").fill("Savings account")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("status")).to_have_text("Your draft is saved. It is not filed yet.")

    sign_out(page)
    sign_in(page, person)
    page.goto(f"/filer/{later}/statement")
    expect(page.locator("#draft-saved")).to_be_visible()
    expect(page.get_by_label("Asset, row 2")).to_have_value("Savings account")
    page.locator("#f-assets-0-confirmed").check()
    page.get_by_role("button", name="File the statement").click()
    expect(field_error(page, "certified")).to_contain_text("Tick the certification")
    page.get_by_label(CERTIFY).check()
    page.get_by_role("button", name="File the statement").click()
    expect(page.locator("#receipt-number")).to_have_text(f"FD-{later}-{staff_id}")
    expect(page.locator("#receipt-certified")).to_have_text(
        "Certified true and complete by the filer")
    expect(page.locator("#st-assets + table tbody tr")).to_have_count(2)


def test_the_filer_acknowledges_the_recommendation_in_chinese_and_the_reviewer_reads_it(
        stack, api, client_as, person_as, unique_code):
    [entity] = participants(api, unique_code)
    year = open_cycle(api)
    staff_id = f"{entity}-1"
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(staff_id, entity)]})
    client_as("filer", staff_id=staff_id).post(
        f"/disclosure/cycles/{year}/filers/{staff_id}/statement", statement("ack"))
    client_as("reviewer").post(f"/disclosure/cycles/{year}/filers/{staff_id}/review", {
        "outcome": "conflicts_found",
        "conflicts": [{"type": "financial_holding", "recommendation": "Divest the shares"}]})
    visitor = PortalVisitor(stack.base_url, person_as("filer", staff_id=staff_id))
    visitor.session.cookies.set("epun_lang", "zh")
    home = visitor.get("/filer").text
    assert "Divest the shares" in home and "确认该建议" in home
    done = visitor.post(f"/filer/{year}/acknowledgement", {"comment": "我将出售股份"},
                        form_page="/filer")
    assert "您对建议的确认已记录" in done.text and "确认于" in done.text
    assert "确认该建议" not in done.text  # once
    reviewer = PortalVisitor(stack.base_url, person_as("reviewer"))
    reviewer.session.cookies.set("epun_lang", "zh")
    review = reviewer.get(f"/review/{year}/{staff_id}").text
    assert "我将出售股份" in review and "剥离资产" in review
