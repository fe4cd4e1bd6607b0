"""The chair's meetings, membership and conclusions with members outstanding; the focal point's
uploads by spreadsheet line, with their template and rejected rows; the pages that list the
periods with records. Over plain HTTP, in English and in Chinese."""
import csv
import datetime as dt
import html
import io
import re

import pytest

from ..helpers import eventually
from .portal_steps import PortalVisitor, leave_panel, panel_members
from .test_portal_pages import path_of, shown


def in_row(response, pattern: str) -> bool:
    return re.search(pattern, response.text, re.S) is not None

pytestmark = pytest.mark.e2e
PERIOD = "2014-15"
ISSUED = "2003-04"


def day(offset: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def hidden(response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', response.text)
    assert found, response.text[:500]
    return html.unescape(found.group(1))


@pytest.fixture
def members(api, client_as):
    codes = panel_members(api, client_as, 2)
    yield codes
    leave_panel(client_as, codes)


def test_the_chair_moves_and_cancels_meetings_keeps_the_membership_and_concludes_with_members_out(
        stack, api, members, person_as, unique_code):
    a, b = members
    chair = PortalVisitor(stack.base_url, person_as("panel_chair", "EO"))
    convened = chair.post("/panel/meetings/new", {
        "scheduled_for": day(20), "kind": "informal", "agenda": "Outreach"},
        form_page="/panel/meetings/new")
    meeting = path_of(convened)
    assert 'action="' + meeting + '/reschedule"' in convened.text
    too_early = chair.post(meeting + "/reschedule", {"scheduled_for": day(-400)}, meeting)
    assert too_early.status_code == 422 and shown(too_early, r'id="f-scheduled_for-error"')
    moved = chair.post(meeting + "/reschedule", {"scheduled_for": day(10)}, meeting)
    assert "The meeting is moved to its new date." in moved.text
    assert f"Meeting of {day(10)}" in moved.text
    board = chair.get("/panel").text
    listed = re.findall(r'data-meeting="([^"]+)"', board)
    assert meeting.rsplit("/", 1)[1] in listed
    cancelled = chair.post(meeting + "/cancel", {"on": ""}, meeting)
    assert "The meeting is cancelled." in cancelled.text and 'id="cancelled-on"' in cancelled.text
    assert "/reschedule" not in cancelled.text and "/cancel\"" not in cancelled.text
    member = PortalVisitor(stack.base_url, person_as("panel_member", a))
    assert "/reschedule" not in member.get(meeting).text

    code = unique_code("PJ")
    api.put(f"/entities/{code}", {"name": f"Ethics office {code}", "category": "other"})
    no_head = chair.post("/panel/members", {"entity": code, "head": ""}, "/panel/members")
    assert no_head.status_code == 422 and shown(no_head, r'id="f-head-error"')
    joined = chair.post("/panel/members", {"entity": code, "head": "Head of office",
                                           "joined_on": day(-30)}, "/panel/members")
    assert f"{code} is a member of the Panel." in joined.text
    assert in_row(joined, rf'data-member="{code}">.*?<td class="joined">{day(-30)}</td>'
                         r'<td class="left">—</td>')
    too_soon = chair.post(f"/panel/members/{code}/leave", {"on": day(-60)}, "/panel/members")
    assert too_soon.status_code == 422 and shown(too_soon, r'id="f-on-error"')
    left = chair.post(f"/panel/members/{code}/leave", {"on": day(0)}, "/panel/members")
    assert f"{code} has left the Panel." in left.text
    assert in_row(left, rf'data-member="{code}">.*?<td class="joined">{day(-30)}</td>'
                       rf'<td class="left">{day(0)}</td>')
    assert member.get("/panel/members").status_code == 403

    opened = chair.post("/panel/consultations/new", {
        "topic": "Gifts at conferences", "question": "May staff keep them?",
        "respond_by": day(14)}, form_page="/panel/consultations/new")
    consultation = path_of(opened)
    member.post(consultation + "/position", {"position": "Only of nominal value"},
                consultation)
    conclusion = {"outcome": "Agreed", "guidance": "Nominal value only"}
    warned = chair.post(consultation + "/conclude", conclusion, consultation)
    assert warned.status_code == 409 and shown(warned, r'id="f-confirm-error"')
    outstanding = re.search(r'<ul id="outstanding">(.*?)</ul>', warned.text, re.S).group(1)
    assert b in outstanding and a not in outstanding
    assert 'name="outcome"' in warned.text and ">Agreed</textarea>" in warned.text
    in_chinese = chair.post("/language", {"lang": "zh", "next": consultation}).text
    assert "个成员尚未答复" in in_chinese and "在没有他们答复的情况下结束" in in_chinese
    concluded = chair.post(consultation + "/conclude", {**conclusion, "confirm": "yes"},
                           consultation)
    assert concluded.status_code == 200 and 'id="outcome">Agreed' in concluded.text


def test_uploads_by_spreadsheet_line_and_the_pages_that_list_periods_with_records(
        stack, api, unique_code, person_as):
    code = unique_code("UP")
    api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "other"})
    api.call("PUT", f"/annual-figures/{code}/{PERIOD}",
             json={"total_requests": 1, "requests_by_category": {"advice": 1}})
    focal = PortalVisitor(stack.base_url, person_as("focal_point", code))
    dashboard = focal.get(f"/focal/{code}").text
    assert re.findall(r'<th scope="row">(\d{4}-\d\d)</th>', dashboard)[0] == PERIOD
    assert re.search(r'<datalist id="period-choices"><option value="(\d{4}-\d\d)">',
                     dashboard).group(1) != PERIOD  # the chooser offers recent ones too

    upload = f"/focal/{code}/service-requests/upload"
    form = focal.get(upload).text
    assert 'id="upload-columns"' in form and "<code>outside_activities</code>" in form
    assert 'src="/static/upload.js"' in form and focal.get("/static/upload.js").ok
    template = focal.get(f"/uploads/service_requests/template.csv?entity={code}")
    assert "attachment" in template.headers["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(template.text)))
    assert header == ["entity", "received_on", "category", "advice_topic", "source"]
    assert example[0] == code
    rows = ["received_on,category,advice_topic,source",
            "2015-01-10,advice,outside_activities,headquarters",
            "2015-01-11,gossip,,headquarters",
            "2015-01-12,training,,regional_commissions"]
    answer = focal.post(upload, {}, form_page=upload, files={
        "file": ("requests.csv", ("\n".join(rows) + "\n").encode(), "text/csv")})
    assert answer.status_code == 200
    assert "3 rows read: 2 accepted, 1 rejected." in answer.text
    assert shown(answer, r'<td class="num">3</td><td>category</td>')
    rejected = focal.post("/uploads/rejected-rows.csv", {
        "rows": hidden(answer, "rows"), "filename": hidden(answer, "filename")},
        form_page=upload)
    assert 'filename="rejected-requests.csv"' in rejected.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(rejected.text)))
    assert lines[0] == rows[0].split(",") + ["line", "reason"]
    assert lines[1][:5] == ["2015-01-11", "gossip", "", "headquarters", "3"]
    assert lines[1][5].startswith("category: ") and len(lines) == 2

    in_chinese = focal.post("/language", {"lang": "zh", "next": upload}).text
    assert "允许的值" in in_chinese and "<code>financial_disclosure</code>" in in_chinese
    assert "必填" in in_chinese and "下载模板" in in_chinese

    office = PortalVisitor(stack.base_url, person_as("ethics_office"))
    # a period of its own, so that no other test sees a version issued
    issued = api.call("POST", f"/reports/system-wide/{ISSUED}/issues",
                      json={"as_of": "2004-07-31"})
    assert issued.status_code in (200, 201), issued.text
    version = issued.json()["version"]
    # the reports' records hear of the issue through its event
    def listed():
        text = office.get("/reports").text
        return text if f'data-period="{ISSUED}"' in text else None
    home = eventually(listed)
    periods = re.findall(r'<tr data-period="([^"]+)">', home)
    assert ISSUED in periods and periods == sorted(periods, reverse=True)
    assert f'/reports/system-wide/{ISSUED}?version={version}"' in home
