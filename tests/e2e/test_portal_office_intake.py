"""The Ethics Office's own intake over plain HTTP: it logs service requests (a form, an upload),
lists, filters and downloads them, records an activity, and keeps a retaliation inquiry's case
file from its receipt to its referral to OIOS, with the preliminary review's 45 days."""
import datetime as dt
import re
from urllib.parse import urlparse

import pytest

from shared.contracts.periods import period_of

from .portal_steps import PortalVisitor

pytestmark = pytest.mark.e2e
REQUESTS, ACTIVITIES, INQUIRIES = ("/office/service-requests", "/office/activities",
                                   "/office/retaliation")


def day(offset: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def shown(response, pattern: str) -> bool:
    return re.search(pattern, response.text, re.S) is not None


def received_days(response, entity: str) -> list[str]:
    return re.findall(rf"<tr><td>(\d{{4}}-\d\d-\d\d)</td><td>{entity}</td>", response.text)


def test_the_office_logs_requests_and_activities_and_keeps_a_case_file(
        stack, api, unique_code, person_as):
    code = unique_code("OI")
    api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "other"})
    office = PortalVisitor(stack.base_url, person_as("ethics_office"))
    assert all(f'href="{p}"' in office.get("/").text for p in (REQUESTS, ACTIVITIES, INQUIRIES))

    request = {"entity": code, "received_on": day(-3), "category": "advice",
               "source": "headquarters"}
    refused = office.post(REQUESTS, request, REQUESTS)
    assert refused.status_code == 422 and shown(
        refused, r'id="f-advice_topic-error">.*?An advice request needs its advice topic\.')
    logged = office.post(REQUESTS, {**request, "advice_topic": "gifts_honours_awards"}, REQUESTS)
    assert "The service request is logged." in logged.text
    office.post(REQUESTS, {**request, "received_on": day(-30), "category": "training"}, REQUESTS)
    upload = REQUESTS + "/upload"
    rows = (f"entity,received_on,category,advice_topic,source\n"
            f"{code},{day(-10)},outreach,,regional_commissions\n"
            f"{code},{day(-9)},gossip,,headquarters\n")
    uploaded = office.post(upload, {}, upload, files={"file": ("r.csv", rows.encode(), "text/csv")})
    assert "2 rows read: 1 accepted, 1 rejected." in uploaded.text

    listed = office.get(REQUESTS, params={"entity": code})
    assert received_days(listed, code) == [day(-3), day(-10), day(-30)]  # newest first
    offered = re.findall(r'<option value="(\d{4}-\d\d)"', re.search(
        r'<select id="q-period".*?</select>', listed.text, re.S).group(0))
    assert offered == sorted(offered, reverse=True) and "1999-00" not in offered
    assert {period_of(dt.date.fromisoformat(day(-3))), period_of(
        dt.date.fromisoformat(day(-30)))} <= set(offered)  # the periods with records
    advice = office.get(REQUESTS, params={"entity": code, "category": "advice"})
    assert received_days(advice, code) == [day(-3)] and "Gifts, honours and awards" in advice.text
    nothing = office.get(REQUESTS, params={"entity": code, "period": "1999-00"})
    assert received_days(nothing, code) == [] and 'id="empty"' in nothing.text
    table = office.get(REQUESTS + ".csv", params={"entity": code})
    assert table.headers["Content-Type"].startswith("text/csv")
    lines = table.text.splitlines()
    assert lines[0] == "id,entity,period,received_on,category,advice_topic,source"
    assert [line.split(",")[3] for line in lines[1:]] == [day(-3), day(-10), day(-30)]

    recorded = office.post(ACTIVITIES, {"entity": code, "held_on": day(-2),
                                        "kind": "training_session", "participants": "25"},
                           ACTIVITIES)
    assert "The activity is recorded." in recorded.text
    training = office.get(ACTIVITIES, params={"entity": code, "kind": "training_session"})
    assert shown(training, rf"<td>{day(-2)}</td><td>{code}</td>.*?Training session.*?>25<")

    received = office.post(INQUIRIES, {"entity": code, "received_on": day(-50)}, INQUIRIES)
    assert "The inquiry is recorded." in received.text
    case = urlparse(received.url).path
    inquiry = case.rsplit("/", 1)[1]
    opened = office.post(case + "/decisions", {"decision": "preliminary_review",
                                                "decided_on": day(-40)}, case)
    assert shown(opened, rf'id="review-due">{day(5)} · <span class="tag warn">5 days left')
    office.post(case + "/protection-measures", {"measure": "Temporary reassignment",
                                                "decided_on": day(-39)}, case)
    noted = office.post(case + "/notes", {"text": "Spoke to the manager",
                                          "noted_on": day(-38)}, case)
    assert "The note is added." in noted.text
    assert shown(noted, rf"<td>{day(-39)}</td><td>Temporary reassignment</td>")
    assert shown(noted, rf"{day(-38)} · [^<]+</p><p>Spoke to the manager</p>")
    queue = office.get(INQUIRIES)
    assert f'<tr id="inquiry-{inquiry}" class="urgent">' in queue.text  # due within 10 days

    referred = office.post(case + "/decisions", {"decision": "prima_facie_referred",
                                                  "decided_on": day(-1)}, case)
    assert shown(referred, rf'id="referral-on">Referred to OIOS on {day(-1)}')
    assert f"<dd>{day(-50)}</dd>" in referred.text  # the dated case file: received,
    for step in (day(-40), day(-1)):                # then each decision
        assert f"<td>{step}</td>" in referred.text
    assert shown(referred, r'id="determination-of">Pending\.')
    assert f'<tr id="inquiry-{inquiry}">' in office.get(INQUIRIES).text  # open, not urgent

    office.session.cookies.set("epun_lang", "zh")
    early = office.post(case + "/protection-measures", {"measure": "Too early",
                                                        "decided_on": day(-60)}, case)
    assert early.status_code == 422 and shown(
        early, rf'id="f-measure-decided_on-error">.*?此日期早于收到问询的日期（{day(-50)}）')
    missing = office.post(REQUESTS, {"entity": code, "category": "training",
                                     "source": "headquarters"}, REQUESTS)
    assert missing.status_code == 422 and shown(missing, r'id="f-received_on-error">.*?请')
    assert "服务请求" in missing.text and "Fill in" not in missing.text

    auditor = PortalVisitor(stack.base_url, person_as("auditor"))
    read = auditor.get(case)
    assert read.status_code == 200 and "Temporary reassignment" in read.text
    assert f'action="{case}/notes"' not in read.text
    focal = PortalVisitor(stack.base_url, person_as("focal_point", code))
    for path in (REQUESTS, ACTIVITIES, INQUIRIES, case, REQUESTS + ".csv"):
        assert focal.get(path).status_code == 403, path
