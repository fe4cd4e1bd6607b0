"""The portal's guards in the browser: a focal point cannot reach another entity's pages by
editing the address, a form without its CSRF token is refused, the session cookie is HttpOnly and
SameSite=Strict, and every label follows the language the visitor chose."""
import re

import pytest
from playwright.sync_api import expect

from .portal_steps import PortalVisitor, sign_in, sign_out

pytestmark = pytest.mark.e2e
PERIOD = "2014-15"


def test_a_focal_point_is_kept_to_its_entity_and_forms_need_their_csrf_token(
        stack, api, open_page, screenshot, unique_code, person_as):
    own, other = unique_code("OWN"), unique_code("OTH")
    for code in (own, other):
        api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "other"})
    page = open_page()
    sign_in(page, person_as("focal_point", own))
    cookie = next(c for c in page.context.cookies() if c["name"] == "epun_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    for path in (f"/focal/{other}", f"/focal/{other}/figures/{PERIOD}",
                 f"/focal/{other}/service-requests/upload"):
        answer = page.goto(path)
        assert answer.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_contain_text("You may not see this page")
    screenshot(page, "forbidden-other-entity")
    assert page.goto(f"/focal/{own}").status == 200
    assert page.goto("/focal/NO-SUCH/x/y").status == 404

    page.goto(f"/focal/{own}/figures/{PERIOD}")
    page.get_by_label("Total service requests").fill("3")
    page.locator("form:has(#f-total_requests) input[name=csrf]").evaluate("e => e.remove()")
    page.get_by_role("button", name="Submit a new version").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The form was refused")
    screenshot(page, "csrf-refused")
    outsider = PortalVisitor(stack.base_url, person_as("focal_point", own))  # its own session
    ours = re.search(r'name="csrf" value="([^"]+)"', page.content()).group(1)
    forged = outsider.session.post(f"{stack.base_url}/focal/{own}/figures/{PERIOD}",
                                   data={"csrf": ours, "total_requests": "3",
                                         "action": "submit"}, allow_redirects=False)
    assert forged.status_code == 403
    missing = api.call("GET", f"/annual-figures/{own}/{PERIOD}/versions")
    assert missing.status_code == 404, "a refused form must change nothing"

    page.goto(f"/focal/{own}")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="年度数据")).to_be_visible()
    page.goto(f"/focal/{own}/figures/{PERIOD}")
    expect(page.get_by_label("服务请求总数")).to_be_visible()
    screenshot(page, "focal-figures-zh")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    sign_out(page)
    page.goto(f"/focal/{own}")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Ffocal%2F"))
    page.context.add_cookies([{**cookie, "value": cookie["value"][:-4] + "AAAA"}])
    page.goto(f"/focal/{own}")
    expect(page).to_have_url(re.compile(r"/sign-in"))
