"""Reporting against the running platform: events published to the services' exchanges (or
written to their outboxes), reports read through the HTTP API like a client.

Each test uses a period of its own (a year far from the demo's) and fresh entity codes, so the
Ethics Office's programme-wide figures of that period hold only the test's events."""
import csv
import datetime as dt
import io
import random
import re
import uuid

import pytest
import requests
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from openpyxl import load_workbook

from shared.contracts.periods import last_finished_period
from shared.contracts import EVENTS
from shared.contracts.common import Actor, Role
from shared.contracts.envelope import Envelope

from ..helpers import eventually
from .test_platform import metric_value

pytestmark = pytest.mark.integration
ACTOR = Actor(role=Role.admin, label="reporting-test")


def fresh_year() -> int:
    """A year no other test's records are in (and one the API's years, 2000-2100, take)."""
    return random.randrange(2040, 2099)


def period_of_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def env(event_type: str, fields: dict, entity: str = "EO") -> Envelope:
    payload = EVENTS[event_type][1].model_validate(fields)
    return Envelope.of(payload, entity=entity, actor=ACTOR)


def scenario(year: int, dm: str, pk: str, un: str) -> list[Envelope]:
    """The Ethics Office's period `year`: 9 requests (4 advice), 2 activities (30 participants),
    3 inquiries (1 outside mandate, 1 not prima facie, 1 pending), the `year` cycle with 5 filers
    (1 first time, all filed, 1 with 2 conflicts, 1 eligible and published, sample of 2), one
    formal Panel meeting and one consultation; `un`, a Panel member, submits figures twice and
    records one activity of its own."""
    period = period_of_year(year)
    day = f"{year}-09-01"
    tag = uuid.uuid4().hex[:6]

    def request(i, category, source, topic=None):
        return {"id": f"{tag}-R{i}", "entity": "EO", "period": period, "received_on": day,
                "category": category, "advice_topic": topic, "source": source}

    def filer(staff_id, entity, grade="D-1", first_time=False):
        return {"staff_id": staff_id, "entity": entity, "duty_station": "Geneva", "grade": grade,
                "designation": "senior_official", "first_time": first_time}

    def ref(staff_id, entity):
        return {"year": year, "staff_id": staff_id, "entity": entity}

    rows = ([request(i, "advice", "headquarters", "outside_activities") for i in range(4)]
            + [request(i, "training", "regional_commissions") for i in range(4, 7)])
    filers = [filer(f"{tag}1", dm, "ASG", True), filer(f"{tag}2", dm), filer(f"{tag}3", dm),
              filer(f"{tag}4", pk), filer(f"{tag}5", pk)]
    events = [env("entity_registered", {"code": code, "name": f"Entity {code}", "category": c},
                  code) for code, c in ((dm, "secretariat"), (pk, "peacekeeping"), (un, "other"))]
    events += [env("service_request_batch_logged", {"entity": "EO", "requests": rows}),
               env("service_request_logged", request(7, "outreach", "political_missions")),
               env("service_request_logged", request(8, "outreach", "political_missions"))]
    events += [env("activity_recorded", {"id": f"{tag}-A{i}", "entity": "EO", "period": period,
                                         "held_on": day, "kind": "outreach_visit",
                                         "participants": n}) for i, n in ((1, 10), (2, 20))]
    for i, decisions in enumerate([["outside_mandate"], ["preliminary_review", "not_prima_facie"],
                                   ["preliminary_review"]]):
        inquiry = f"{tag}-I{i}"
        events.append(env("retaliation_inquiry_received", {
            "id": inquiry, "entity": "EO", "period": period, "received_on": day}))
        status = "received"
        for decision in decisions:
            events.append(env("retaliation_decision_recorded", {
                "id": inquiry, "entity": "EO", "period": period, "decision": decision,
                "decided_on": day, "previous_status": status, "status": decision}))
            status = decision
    events += [env("cycle_opened", {"year": year, "opens_on": f"{year}-03-01",
                                    "deadline": f"{year}-05-31", "programme_cost": 1000.0}),
               env("filers_enrolled", {"year": year, "filers": filers})]
    events += [env("statement_filed", {**ref(f["staff_id"], f["entity"]),
                                       "filed_on": f"{year}-05-01"}, f["entity"])
               for f in filers]
    events += [env("review_recorded", {**ref(f"{tag}1", dm), "outcome": "conflicts_found",
                                       "conflicts": {"financial_holding": 2}}, dm),
               env("public_disclosure_decided", {**ref(f"{tag}1", dm), "publish": True}, dm),
               env("verification_sample_drawn", {"year": year, "size": 2, "seed": tag,
                                                 "strata": ["entity"],
                                                 "by_entity": {dm: 1, pk: 1}}),
               env("meeting_recorded", {"id": f"{tag}-M", "kind": "formal", "held_on": day,
                                        "period": period, "attendees": ["EO", un],
                                        "decisions": 2}),
               env("consultation_opened", {"id": f"{tag}-C", "topic": f"Topic {tag}",
                                           "respond_by": day, "opened_on": day,
                                           "period": period}),
               env("activity_recorded", {"id": f"{tag}-U", "entity": un, "period": period,
                                         "held_on": day, "kind": "training_session",
                                         "participants": 15}, un)]
    events.append(env("panel_member_joined", {"entity": un, "head": "Head"}, un))
    for version, total in ((1, 50), (2, 60)):
        events.append(env("annual_figures_submitted", {
            "entity": un, "period": period, "version": version, "figures": {
                "total_requests": total, "requests_by_category": {"advice": total},
                "advice_by_topic": {"other": total}, "requests_by_source": {"headquarters": total},
                "retaliation": {"inquiries": 2, "preliminary_reviews": 1, "prima_facie": 0},
                "disclosure": {"filers": 30, "filed": 30},
                "activities": {"total": 8, "participants": 200}}}, un))
    return events


class Publishers:
    def __init__(self, stack):
        self.stack, self.by_source = stack, {}

    def publish(self, envelope: Envelope):
        source = EVENTS[envelope.type][0]
        if source not in self.by_source:
            exchange = get_event_exchange(source, {})
            self.by_source[source] = Publisher(self.stack.amqp_uri, exchange=exchange,
                                               declare=[exchange], use_confirms=True)
        self.by_source[source].publish(envelope.model_dump(mode="json"),
                                       routing_key=envelope.type)


def reports(api, period, year, *entities) -> dict:
    found = {e: api.get(f"/reports/annual/{period}", params={"entity": e})
             for e in ("EO", *entities)}
    found["system-wide"] = api.get(f"/reports/system-wide/{period}")
    found["annex"] = api.get(f"/reports/disclosure/{year}/annex")
    found["participation"] = api.get("/reports/disclosure/participation",
                                     params={"from": year, "to": year})
    return found


def scenario_complete(api, period):
    report = api.get(f"/reports/annual/{period}")
    fd = report["financial_disclosure"]
    done = (report["service_requests"]["total"] == 9 and report["activities"]["total"] == 2
            and report["retaliation"]["by_outcome"]["preliminary_reviews"]["total"] == 2
            and fd["filed"] == 5 and fd["conflicts"]["matters"] == 2
            and fd["public_disclosure"]["published"] == 1 and fd["verification_sample"] == 2
            and report["panel"]["formal_meetings"] == 1 and report["panel"]["consultations"] == 1)
    return report if done else None


@pytest.fixture(scope="module")
def published(stack, api):
    """The scenario, each event published once, and the reports once it is all in."""
    year, codes = fresh_year(), [f"R{uuid.uuid4().hex[:7].upper()}" for _ in range(3)]
    period = period_of_year(year)
    events = scenario(year, *codes)
    publishers = Publishers(stack)
    for envelope in events:
        publishers.publish(envelope)
    eventually(lambda: scenario_complete(api, period), 60)

    def submitted_in():
        un = api.get(f"/reports/annual/{period}", params={"entity": codes[2]})
        return un if un["service_requests"].get("version") == 2 else None
    eventually(submitted_in, 30)
    return {"year": year, "period": period, "codes": codes, "events": events,
            "publishers": publishers, "reports": reports(api, period, year, *codes)}


def test_the_annual_report_counts_every_kind_of_event(published):
    report = published["reports"]["EO"]
    assert report["period"] == published["period"]
    req = report["service_requests"]
    assert (req["total"], req["advice"], req["provenance"]) == (9, 4, "records")
    assert req["by_source"]["political_missions"] == 2
    assert req["trend"][-1] == {"period": published["period"], "total": 9,
                                "provenance": "records"}
    fd = report["financial_disclosure"]
    assert (fd["cycle"], fd["filers"], fd["first_time"], fd["compliance_rate"]) == (
        published["year"], 5, 1, 100.0)
    assert fd["conflicts"]["filers"] == 1 and fd["conflicts"]["by_type"]["financial_holding"] == 2
    assert fd["public_disclosure"] == {"eligible": 1, "published": 1, "declined": 0}
    assert report["retaliation"]["by_outcome"] == {
        "outside_mandate": 1, "advice_only": 0, "awaiting_decision": 0,
        "preliminary_reviews": {"total": 2, "withdrawn": 0, "resolved_informally": 0,
                                "not_prima_facie": 1, "prima_facie": 0, "pending": 1}}
    assert report["activities"]["participants"] == 30
    dm, pk, un = published["codes"]
    assert [(s["category"], s["required"]) for s in report["annex"]["subtotals"]] == [
        ("secretariat", 3), ("peacekeeping", 2)]
    row = {"year": published["year"], "peacekeeping": 2, "secretariat": 3, "other": 0,
           "total": 5, "as_of": report["as_of"]}  # the cycle is open: its filers so far
    assert report["participation"]["rows"] == [row]
    assert published["reports"]["participation"]["rows"] == [row]


def test_provenance_is_chosen_per_section_when_records_and_figures_both_exist(published):
    un = published["reports"][published["codes"][2]]
    assert un["service_requests"]["provenance"] == "submitted"
    assert (un["service_requests"]["version"], un["service_requests"]["total"]) == (2, 60)
    assert un["activities"]["provenance"] == "records"
    assert (un["activities"]["total"], un["activities"]["participants"]) == (1, 15)
    assert un["retaliation"]["provenance"] == "submitted"
    assert un["panel"]["formal_meetings"] == 1
    rows = {r["entity"]: r for r in published["reports"]["system-wide"]["rows"]}
    # in the roll-up, the member's certified figures make its row; its records stand beside
    member = rows[published["codes"][2]]
    assert (member["source"], member["version"], member["requests"]) == ("submitted", 2, 60)
    assert (member["activities"], member["records"]["activities"]) == (8, 1)
    assert rows["EO"]["source"] == "records"
    assert published["codes"][0] not in rows  # no Panel member


def test_every_event_delivered_twice_gives_the_same_reports(stack, api, published):
    before = metric_value(stack, "reporting", "epun_events_consumed_total", outcome="ok")
    for envelope in published["events"]:
        published["publishers"].publish(envelope)
    eventually(lambda: metric_value(stack, "reporting", "epun_events_consumed_total",
                                    outcome="ok") >= before + len(published["events"]), 60)
    again = reports(api, published["period"], published["year"], *published["codes"])
    assert again == published["reports"]


def test_each_format_reads_back_to_the_json_numbers(api, published):
    period = published["period"]
    report = published["reports"]["EO"]
    as_csv = api.call("GET", f"/reports/annual/{period}", params={"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.headers["Content-Disposition"] == (
        f'attachment; filename="annual-report-EO-{period}.csv"')
    read = {(r["table"], r["key"], r["column"]): r["value"]
            for r in csv.DictReader(io.StringIO(as_csv.text))}
    assert int(read[("summary", "requests", "value")]) == report["service_requests"]["total"]
    assert int(read[("by_category", "advice", "requests")]) == 4
    assert int(read[("retaliation", "pending", "inquiries")]) == 1
    assert int(read[("annex", "total", "filed")]) == 5
    as_xlsx = api.call("GET", f"/reports/annual/{period}", params={"format": "xlsx"})
    assert as_xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in as_xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(as_xlsx.content))
    summary = {row[0]: row[2] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["requests"] == 9 and summary["filers"] == 5
    assert summary["compliance_rate"] == 100.0 and summary["formal_meetings"] == 1
    as_html = api.call("GET", f"/reports/annual/{period}", params={"format": "html",
                                                                     "lang": "zh"})
    assert as_html.headers["Content-Type"].startswith("text/html")
    assert re.findall(r'<figure class="chart" id="figure-([\w-]+)"', as_html.text) == [
        "I", "II", "III", "IV", "V", "unit-cost", "VI"]
    assert len(re.findall(r"<svg\b", as_html.text)) == 7 and "图五" in as_html.text
    system = api.call("GET", f"/reports/system-wide/{period}", params={"format": "csv"})
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(system.text))}
    assert int(rows["total"]["requests"]) == published["reports"]["system-wide"]["total"][
        "requests"]


def test_bad_report_requests_are_refused(api, client_as, published):
    period = published["period"]
    bad_format = api.call("GET", f"/reports/annual/{period}", params={"format": "odt"})
    assert bad_format.status_code == 422
    assert bad_format.json()["errors"][0]["loc"] == ["query", "format"]
    assert api.call("GET", "/reports/annual/2014-16").status_code == 422
    assert api.call("GET", f"/reports/annual/{period}",
                    params={"lang": "xx"}).json()["errors"][0]["loc"] == ["query", "lang"]
    dm = published["codes"][0]
    focal = client_as("focal_point", dm)
    assert focal.call("GET", f"/reports/annual/{period}", params={"entity": "EO"}
                      ).status_code == 403
    own = focal.get(f"/reports/annual/{period}")
    assert own["entity"] == dm and own["financial_disclosure"]["filers"] == 3
    assert focal.call("GET", f"/reports/system-wide/{period}").status_code == 403
    assert client_as("filer", staff_id="X1").call(
        "GET", f"/reports/annual/{period}").status_code == 403


def test_the_figures_gauge_follows_members_and_their_submissions(stack, published):
    member = f"G{uuid.uuid4().hex[:7].upper()}"
    period = last_finished_period(dt.date.today())
    publish = published["publishers"].publish
    publish(env("panel_member_joined", {"entity": member, "head": "Head"}, member))
    eventually(lambda: metric_value(stack, "reporting", "epun_annual_figures_missing",
                                    entity=member) == 1, 30)
    publish(env("annual_figures_submitted", {"entity": member, "period": period, "version": 1,
                                             "figures": {}}, member))
    eventually(lambda: _gauge_shown(stack, member) and metric_value(
        stack, "reporting", "epun_annual_figures_missing", entity=member) == 0, 30)
    publish(env("panel_member_left", {"entity": member}, member))
    eventually(lambda: not _gauge_shown(stack, member), 30)


def _gauge_shown(stack, entity) -> bool:
    text = requests.get(f"http://127.0.0.1:{stack.metrics_port('reporting')}/metrics",
                        timeout=5).text
    return f'epun_annual_figures_missing{{entity="{entity}"}}' in text


def test_the_report_command_writes_the_html_report(api, published, monkeypatch, tmp_path):
    from epun import cli
    monkeypatch.setenv("EPUN_URL", api.base_url)
    monkeypatch.setenv("EPUN_TOKEN", api.token)
    out = tmp_path / "report.html"
    assert cli.main(["report", "annual", published["period"], "--format", "html",
                     "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert len(re.findall(r'<figure class="chart"', html)) == 7
    assert "received 9 requests" in html
    assert cli.main(["report", "annual", published["period"], "--format", "xlsx"]) == 1


def test_documents_written_before_key_ids_get_them(mongo, stack):
    from services.reporting.store import adopt_key_ids
    db = mongo[f"{stack.db_prefix}_scratch_{uuid.uuid4().hex[:6]}"]
    db.directory.insert_one({"entity": "OLD", "name": "Old", "category": "other",
                             "registrations": 2})
    adopt_key_ids(db, 0)
    assert list(db.directory.find({})) == [{"_id": "OLD", "entity": "OLD", "name": "Old",
                                            "category": "other", "registrations": 2}]
    mongo.drop_database(db.name)


def test_the_report_command_issues_versions_and_lists_missing_names(api, monkeypatch, capsys,
                                                                    tmp_path):
    from epun import cli
    monkeypatch.setenv("EPUN_URL", api.base_url)
    monkeypatch.setenv("EPUN_TOKEN", api.token)
    year = 2001  # a cycle no test records: its annex is empty, and issuing it touches nothing
    issue = ["report", "issue", "annex", str(year), "--as-of", f"{year}-12-31", "--symbol",
             "A/56/1"]
    assert cli.main(issue) == 0
    assert f"annex {year}: issued version 1 (as of {year}-12-31)" in capsys.readouterr().out
    assert cli.main(issue) == 0
    assert "already issued as version 1" in capsys.readouterr().out
    assert cli.main(["report", "issue", "annex", str(year), "--as-of", f"{year}-02-28"]) == 1
    assert "as_of" in capsys.readouterr().err
    out = tmp_path / "annex.docx"
    assert cli.main(["report", "annex", str(year), "--version", "1", "--format", "docx",
                     "--lang", "ru", "-o", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"
    capsys.readouterr()
    assert cli.main(["report", "labels", "--missing"]) == 0
    assert "ar\tentities\tRSCE" in capsys.readouterr().out.splitlines()
