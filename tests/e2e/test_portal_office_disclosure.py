"""The Ethics Office runs the financial disclosure programme from the portal, over plain HTTP:
it opens a cycle (an error next to its field, in English and in Chinese), adds a participant
with its focal point, draws the verification sample and records a verification, reads the cost
shares with the unit cost drawn as SVG; the focal point reminds one non-filer, then all, and
sees the days; the Office closes the cycle once it has confirmed. A focal point may not open the
Office's pages."""
import datetime as dt
import random
import re

import pytest

from ..helpers import eventually
from ..integration.test_disclosure import ahead, filer, statement
from .portal_steps import PortalVisitor
from .test_notifications_read_back import all_sent, received_by

pytestmark = pytest.mark.e2e
FREE_YEARS = range(2011, 2016)  # no other test opens a cycle of these years


def error_of(response, name: str) -> str:
    found = re.search(rf'id="f-{name}-error">(.*?)</p>', response.text, re.S)
    assert found, f"no error next to {name}: {response.status_code} {response.text[:400]}"
    return re.sub(r"<[^>]+>", "", found.group(1))


def a_free_year(api) -> int:
    taken = {c["year"] for c in api.get("/disclosure/cycles")}
    free = [y for y in FREE_YEARS if y not in taken]
    if not free:
        pytest.fail(f"every year of {FREE_YEARS} has a cycle on this platform")
    return random.choice(free)


def test_the_office_runs_a_cycle_and_the_focal_point_reminds_its_non_filers(
        stack, api, unique_code, person_as):
    office = PortalVisitor(stack.base_url, person_as("ethics_office"))
    year, today = a_free_year(api), dt.date.today().isoformat()
    cycle = {"year": year, "opens_on": f"{year}-03-01", "programme_cost": "12,000"}

    refused = office.post("/office/cycles", {**cycle, "deadline": f"{year}-02-01"},
                          form_page="/office/cycles")
    assert refused.status_code == 422
    assert "The deadline comes after the opening." in error_of(refused, "deadline")
    office.session.cookies.set("epun_lang", "zh")
    in_chinese = office.post("/office/cycles", {**cycle, "deadline": f"{year}-02-01"},
                             form_page="/office/cycles")
    assert "截止日期须晚于开启日期。" in error_of(in_chinese, "deadline")
    office.session.cookies.set("epun_lang", "en")
    opened = office.post("/office/cycles", {**cycle, "deadline": ahead(30)},
                         form_page="/office/cycles")
    assert f"The {year} cycle is open." in opened.text
    row = re.search(rf'<tr id="cycle-{year}">.*?</tr>', opened.text, re.S).group(0)
    assert "open" in row and f"{year}-03-01" in row

    code = unique_code("OD")
    focal_mail, mails = f"focal@{code.lower()}.example.org", {}
    api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "secretariat"})
    saved = office.post("/office/participants", {
        "entity": code, "cost_sharing": "yes", "focal_points.0.name": "Li Wei",
        "focal_points.0.email": focal_mail, "focal_points.0.language": "zh"},
        form_page="/office/participants")
    assert f"{code} is saved as a participant." in saved.text
    assert re.search(rf'id="participant-{code}">.*?Li Wei', saved.text, re.S)
    staff = [f"{code}-{n}" for n in (1, 2, 3)]
    for staff_id in staff:
        mails[staff_id] = f"{staff_id.lower()}@{code.lower()}.example.org"
    assert api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        {**filer(s, code), "email": mails[s]} for s in staff]})["accepted"] == 3
    api.post(f"/disclosure/cycles/{year}/statements", {"items": [
        {"staff_id": staff[0], **statement()}]})

    sample_page = f"/office/cycles/{year}/sample"
    drawn = office.post(sample_page, {"size": "1", "seed": "office"}, form_page=sample_page)
    assert "The verification sample is drawn." in drawn.text
    assert f'id="sampled-{staff[0]}"' in drawn.text
    verification = f"{sample_page}/{staff[0]}/verification"
    no_outcome = office.post(verification, {"outcome": ""}, form_page=sample_page)
    assert no_outcome.status_code == 422 and error_of(no_outcome, f"outcome-{staff[0]}")
    verified = office.post(verification, {"outcome": "verified"}, form_page=sample_page)
    assert f"The verification of {staff[0]} is recorded." in verified.text
    assert "verified: accurate and complete" in verified.text

    def cost_shares_with_this_cycle():
        page = office.get(f"/office/cycles/{year}/cost-shares")
        return page if f">{year}</text>" in page.text else None
    shares = eventually(cost_shares_with_this_cycle, 30, 0.3)
    assert re.search(rf"<th scope=\"row\">{code}</th><td class=\"num\">3</td>", shares.text)
    assert '<svg id="unit-cost-chart"' in shares.text and "<polyline" in shares.text
    assert 'id="trend-table"' in shares.text
    csv = office.get(f"/office/cycles/{year}/cost-shares.csv")
    assert csv.headers["Content-Type"].startswith("text/csv") and code in csv.text

    focal = PortalVisitor(stack.base_url, person_as("focal_point", code))
    compliance = f"/focal/{code}/compliance/{year}"
    one = focal.post(f"{compliance}/non-filers/{staff[1]}/reminder", {}, form_page=compliance)
    assert f"A reminder is on its way to {staff[1]}." in one.text
    again = focal.post(f"{compliance}/non-filers/{staff[1]}/reminder", {},
                       form_page=compliance)
    assert f"No reminder was sent to {staff[1]}" in again.text
    everyone = focal.post(f"{compliance}/reminders", {}, form_page=compliance)
    assert "A reminder is on its way to 2 non-filers." in everyone.text
    cell = re.search(rf'<td id="remind-{staff[1]}">(.*?)</td>', everyone.text, re.S)
    assert cell, everyone.text[-3000:]
    assert f"reminded on {today}" in cell.group(1)
    sent = re.search(r'<table id="reminders".*?</table>', everyone.text, re.S).group(0)
    assert sent.count(today) == 2 and "all non-filers (2)" in sent and staff[1] in sent
    listed = api.get(f"/disclosure/cycles/{year}/reminders", params={"entity": code})
    assert [r["staff_id"] for r in listed] in ([None, staff[1]], [staff[1], None])

    # the first filer was reminded alone, then with everyone: two reminders, and its opening
    to_reminded = all_sent(api, mails[staff[1]], count=3)
    assert sorted(d["kind"] for d in to_reminded).count("filing_reminder") == 2
    assert any("Reminder" in str(m["Subject"]) for m in received_by(stack, mails[staff[1]]))

    assert focal.get("/office/cycles").status_code == 403
    assert focal.get(f"/office/cycles/{year}/cost-shares").status_code == 403

    confirm = office.get(f"/office/cycles/{year}/close")
    assert "2 filers of the" in confirm.text
    confirm_zh = office.get(f"/office/cycles/{year}/close", cookies={"epun_lang": "zh"})
    assert f"关闭 {year} 周期？" in confirm_zh.text and "仍有 2 名申报人" in confirm_zh.text
    closed = office.post(f"/office/cycles/{year}/close", {},
                         form_page=f"/office/cycles/{year}/close")
    assert f"The {year} cycle is closed." in closed.text
    assert api.get(f"/disclosure/cycles/{year}")["status"] == "closed"
