"""Form errors in the visitor's language, next to their fields: a filer in Chinese leaves a
required cell empty and types 12,000 for an amount, and a focal point types a period that does
not exist into the dashboard's and the reports' forms."""
import pytest
from playwright.sync_api import expect

from .portal_steps import field_error, sign_in
from .test_portal_disclosure import enrolled  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


def test_errors_are_chinese_sentences_by_their_fields_and_12_000_is_a_number(
        api, client_as, open_page, screenshot, enrolled, person_as):  # noqa: F811
    year, staff_id = enrolled["year"], enrolled["staff_id"]
    filer = open_page()
    sign_in(filer, person_as("filer", staff_id=staff_id))
    filer.get_by_role("button", name="中文").click()
    filer.goto(f"/filer/{year}/statement")
    filer.locator("#f-assets-0-value_usd").fill("12,000")      # no description: required
    filer.locator("#f-assets-1-description").fill("Savings account")
    filer.locator("#f-assets-1-value_usd").fill("12,5")        # a comma that says nothing sure
    filer.locator("button[name=action][value=file]").click()
    expect(field_error(filer, "assets.0.description")).to_contain_text("请填写此项")
    expect(field_error(filer, "assets.1.value_usd")).to_contain_text("请输入数字")
    expect(filer.locator("#f-assets-0-value_usd-error")).to_have_count(0)
    expect(filer.locator("main")).not_to_contain_text("Input should")
    screenshot(filer, "filer-statement-errors-zh")

    filer.locator("#f-assets-0-description").fill("Shares in an airline")
    filer.locator("#f-assets-1-value_usd").fill("12 500")
    filer.locator("button[name=action][value=file]").click()
    expect(field_error(filer, "certified")).to_contain_text("请勾选证明")
    filer.locator("#f-certified").check()
    filer.locator("button[name=action][value=file]").click()
    expect(filer.get_by_role("status")).to_have_text(f"您的 {year} 年周期申报表已提交。")
    statement = client_as("filer", staff_id=staff_id).get(
        f"/disclosure/cycles/{year}/filers/{staff_id}/statement")
    assert [a["value_usd"] for a in statement["assets"]] == [12000, 12500]

    focal = open_page()
    sign_in(focal, person_as("focal_point", enrolled["entity"]))
    focal.get_by_role("button", name="中文").click()
    focal.locator("#f-period").fill("1999-01")
    focal.locator("#f-period").press("Enter")
    expect(field_error(focal, "period")).to_contain_text("报告期须从一年跨到下一年")
    expect(focal.get_by_role("heading", level=1)).to_contain_text(enrolled["entity"])

    focal.goto("/reports")
    focal.locator("#f-annual-period").fill("1999-01")
    focal.locator("#f-annual-period").press("Enter")
    expect(field_error(focal, "annual.period")).to_contain_text("没有报告期 1999-01")
    expect(focal.locator("#f-annual-period")).to_have_value("1999-01")
