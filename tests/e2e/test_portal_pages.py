"""The portal's other pages over plain HTTP, as a browser without JavaScript uses them: the
Panel's meetings, report reviews and chair reviews; the focal point's filer upload, compliance and
CSV downloads; the reports with their CSV and XLSX files; the public page without signing in."""
import datetime as dt
import re
import uuid
from urllib.parse import urlparse

import pytest

from .portal_steps import PortalVisitor, leave_panel, panel_members
from .test_portal_disclosure import open_cycle

pytestmark = pytest.mark.e2e
PERIOD = "2014-15"


def day(offset: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def path_of(response) -> str:
    """Where a form's answer landed (after its redirect), without the query."""
    return urlparse(response.url).path


def shown(response, pattern: str) -> bool:
    return re.search(pattern, response.text) is not None


@pytest.fixture
def members(api, client_as):
    codes = panel_members(api, client_as, 2)
    yield codes
    leave_panel(client_as, codes)


def test_meetings_report_reviews_and_chair_reviews_as_pages(stack, api, members, person_as):
    a, b = members
    chair = PortalVisitor(stack.base_url, person_as("panel_chair", "EO"))
    convened = chair.post("/panel/meetings/new", {
        "scheduled_for": day(0), "kind": "formal", "agenda": "Lessons learned\nSocial media"},
        form_page="/panel/meetings/new")
    assert convened.status_code == 200 and "The meeting is convened" in convened.text
    path = path_of(convened)
    no_one = chair.post(path + "/record", {"held_on": day(0), "minutes": "Minutes"}, path)
    assert no_one.status_code == 422 and shown(no_one, r'id="f-attendees-error"')
    recorded = chair.post(path + "/record", {"held_on": day(0), "attendees": [a, b],
                                             "decisions": "Adopt the note",
                                             "minutes": "Minutes"}, form_page=path)
    assert "The record of the meeting is saved." in recorded.text
    approved = chair.post(path + "/approve", {}, form_page=path)
    assert "The record is approved." in approved.text and "/record" not in approved.text

    member = PortalVisitor(stack.base_url, person_as("panel_member", b))
    submitted = member.post("/panel/report-reviews/new", {
        "period": PERIOD, "document": "A/70/307-like report"},
        form_page="/panel/report-reviews/new")
    assert "The annual report is submitted for review." in submitted.text
    review = path_of(submitted)
    other = PortalVisitor(stack.base_url, person_as("panel_member", a))
    assert "The comment is added." in other.post(review + "/comment",
                                                 {"comment": "Useful"}, review).text
    concluded = chair.post(review + "/conclude", {"summary": "Reviewed"}, review)
    assert "The review is concluded." in concluded.text

    requested = chair.post("/panel/chair-reviews/new", {
        "entity": a, "case_ref": f"CR-{uuid.uuid4().hex[:6]}", "requested_on": day(-50),
        "determination_notified_on": day(-60)}, form_page="/panel/chair-reviews/new")
    assert "The request for review is recorded." in requested.text
    case = path_of(requested)
    assert "The review has started." in chair.post(case + "/start", {}, case).text
    no_reasons = chair.post(case + "/conclude", {"outcome": "different_determination"}, case)
    assert no_reasons.status_code == 422 and shown(
        no_reasons, r'id="f-reasons-error">.*different determination needs its reasons')
    done = chair.post(case + "/conclude", {"outcome": "different_determination",
                                          "reasons": "The activity contributed"}, case)
    assert "The outcome is recorded." in done.text
    assert member.get(case).status_code == 403       # another member's case


def test_filers_upload_compliance_downloads_and_reports(stack, api, unique_code, person_as):
    code = unique_code("CF")
    api.put(f"/entities/{code}", {"name": f"Mission {code}", "category": "peacekeeping"})
    api.put(f"/disclosure/participants/{code}", {"cost_sharing": True, "focal_points": []})
    year = open_cycle(api)
    focal = PortalVisitor(stack.base_url, person_as("focal_point", code))
    assert f"/focal/{code}/filers/{year}/upload" in focal.get(f"/focal/{code}").text
    upload = f"/focal/{code}/filers/{year}/upload"
    staff = [f"{code}-{n}" for n in (1, 2, 3)]
    csv = ("staff_id,duty_station,grade,designation\n"
           f"{staff[0]},Kinshasa,D-1,senior_official\n"
           f"{staff[1]},Goma,P-9,procurement\n"
           f"{staff[2]},Goma,P-4,procurement\n")
    answer = focal.post(upload, {}, form_page=upload,
                        files={"file": ("filers.csv", csv.encode(), "text/csv")})
    assert answer.status_code == 200
    assert "3 rows read: 2 accepted, 1 rejected." in answer.text
    assert shown(answer, r"<td class=\"num\">3</td><td>grade</td>")

    compliance = focal.get(f"/focal/{code}/compliance/{year}")
    assert compliance.status_code == 200 and staff[0] in compliance.text
    table = focal.get(f"/focal/{code}/compliance/{year}/compliance.csv")
    assert table.headers["Content-Type"].startswith("text/csv")
    assert table.text.splitlines()[0] == "duty_station,required,filed,not_filed,reasons"
    non_filers = focal.get(f"/focal/{code}/compliance/{year}/non-filers.csv")
    assert "attachment" in non_filers.headers["Content-Disposition"]
    assert sorted(r.split(",")[0] for r in non_filers.text.splitlines()[1:]) == [staff[0],
                                                                                  staff[2]]
    assert focal.get(f"/reports/system-wide/{PERIOD}").status_code == 403

    office = PortalVisitor(stack.base_url, person_as("auditor"))
    page = office.get(f"/reports/annual/{PERIOD}?entity=EO")
    assert page.status_code == 200 and 'iframe class="report"' in page.text
    html = office.get(f"/reports/annual/{PERIOD}/report.html?entity=EO")
    assert html.headers["Content-Type"].startswith("text/html") and "<table" in html.text
    sheet = office.get(f"/reports/annual/{PERIOD}/report.xlsx?entity=EO")
    assert sheet.content[:2] == b"PK" and "attachment" in sheet.headers["Content-Disposition"]
    assert office.get(f"/reports/system-wide/{PERIOD}/report.csv").text.strip()
    assert office.get(f"/reports/annual/{PERIOD}?entity=not-a-code").status_code == 404

    anyone = PortalVisitor(stack.base_url)
    assert anyone.get("/public/disclosures").status_code == 200
    assert anyone.get(f"/focal/{code}", allow_redirects=False).status_code == 303


@pytest.mark.parametrize("role, entity, staff_id", [
    ("admin", None, None), ("ethics_office", None, None), ("panel_chair", "EO", None),
    ("panel_member", "EO", None), ("focal_point", "EO", None), ("reviewer", None, None),
    ("filer", None, "NOBODY-1"), ("auditor", None, None)])
def test_every_role_reaches_the_pages_of_its_menu(stack, api, role, entity, staff_id, person_as):
    api.put("/entities/EO", {"name": "Ethics Office", "category": "secretariat"})
    visitor = PortalVisitor(stack.base_url, person_as(role, entity, staff_id))
    home = visitor.get("/")
    assert home.status_code == 200 and 'id="who"' in home.text
    links = re.findall(r'<li><a href="(/[^"]*)"', home.text)
    assert links and "/public/disclosures" in links
    for link in links:
        answer = visitor.get(link)
        assert answer.status_code == 200, (role, link, answer.text[-500:])
        assert "Something went wrong" not in answer.text
