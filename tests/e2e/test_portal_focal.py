"""A focal point in the browser: annual figures with an inconsistency, then a CSV upload."""
import pytest
from playwright.sync_api import expect

from .portal_steps import field_error, sign_in

pytestmark = pytest.mark.e2e
PERIOD = "2014-15"


def test_a_focal_point_corrects_its_figures_and_sees_the_bad_rows_of_an_upload(
        api, open_page, screenshot, unique_code, person_as):
    code = unique_code("FP")
    api.put(f"/entities/{code}", {"name": "Ethics office of a fund", "category": "other"})
    page = open_page()
    sign_in(page, person_as("focal_point", code))
    expect(page.locator("#who-entity")).to_have_text(code)
    screenshot(page, "focal-dashboard")

    page.get_by_label("Another period").fill(PERIOD)
    page.get_by_role("button", name="Open its figures").click()
    page.get_by_label("Total service requests").fill("10")
    page.get_by_label("Ethics advice").fill("6")
    page.get_by_label("Training").fill("4")
    page.get_by_label("Inquiries").fill("3")
    page.get_by_label("Preliminary reviews").fill("2")
    page.get_by_label("Prima facie cases").fill("5")  # more than the preliminary reviews

    page.get_by_role("button", name="Check the figures").click()
    expect(field_error(page, "retaliation.prima_facie")).to_contain_text(
        "5 prima facie cases but only 2 preliminary reviews")
    expect(page.get_by_label("Prima facie cases")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.get_by_text("No version has been submitted")).to_be_visible()

    page.get_by_role("button", name="Submit a new version").click()  # sent as it is: refused
    expect(field_error(page, "retaliation.prima_facie")).to_contain_text("preliminary reviews")
    expect(page.get_by_text("No version has been submitted")).to_be_visible()
    screenshot(page, "focal-figures-error")

    page.get_by_label("Prima facie cases").fill("1")
    page.get_by_role("button", name="Submit a new version").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as version 1")
    expect(page.locator("table[aria-labelledby=versions] tbody tr")).to_have_count(1)
    expect(page.get_by_role("rowheader", name="Version 1")).to_be_visible()
    expect(page.locator(".field.has-error")).to_have_count(0)
    assert api.get(f"/annual-figures/{code}/{PERIOD}")["figures"]["retaliation"][
        "prima_facie"] == 1
    screenshot(page, "focal-figures-saved")

    page.goto(f"/focal/{code}")
    page.get_by_role("link", name="Upload service requests (CSV)").click()
    rows = ["received_on,category,advice_topic,source",
            "2015-01-10,advice,outside_activities,headquarters",
            "2015-01-11,gossip,,headquarters",             # no such category
            "2015-01-12,training,,regional_commissions",
            "2015-01-13,advice,post_employment"]           # a column short
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "requests.csv", "mimeType": "text/csv",
        "buffer": ("\n".join(rows) + "\n").encode()}])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-summary")).to_have_text("4 rows read: 2 accepted, 2 rejected.")
    rejected = page.locator("#rejected-rows tbody tr")
    expect(rejected).to_have_count(2)
    # the spreadsheet's lines: the header is line 1
    expect(rejected.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(rejected.nth(0).locator("td").nth(1)).to_have_text("category")
    expect(rejected.nth(1).locator("td").nth(0)).to_have_text("5")
    expect(rejected.nth(1)).to_contain_text("expected 4 columns, found 3")
    screenshot(page, "focal-upload-rejections")
    listed = api.get("/service-requests", params={"entity": code})["items"]
    assert sorted(r["received_on"] for r in listed) == ["2015-01-10", "2015-01-12"]
