"""The Panel's lists, the pages' periods and the uploads' lines, templates and rejected rows."""
import csv
import datetime as dt
import io

from services.gateway import domain as gateway_rules
from services.gateway.domain import uploads
from services.gateway.portal import focal, panel, reports, review
from shared.contracts.disclosure import FilerIn
from shared.contracts.intake import ServiceRequestIn


def meeting(id_, day, status="convened"):
    return {"id": id_, "scheduled_for": day, "status": status}


def test_meetings_are_upcoming_soonest_first_then_past_newest_first():
    found = panel.meetings_in_order([
        meeting("a", "2026-01-10", "approved"), meeting("b", "2026-12-20"),
        meeting("c", "2026-12-04"), meeting("d", "2026-06-01", "cancelled"),
        meeting("e", "2026-12-25", "cancelled"), meeting("f", "2026-12-03")], "2026-12-03")
    assert [m["id"] for m in found] == ["f", "c", "b", "e", "d", "a"]


def test_members_serving_come_first_by_entity_then_the_latest_to_leave():
    rows = panel.membership_rows([
        {"entity": "UNHCR", "head": "H", "status": "active", "joined_on": "2014-01-01"},
        {"entity": "OLD", "head": "O", "status": "left", "joined_on": "2010-01-01",
         "left_on": "2012-05-01"},
        {"entity": "UNDP", "head": "D", "status": "active", "joined_on": "2015-03-01",
         "contacts": []},
        {"entity": "LATER", "head": "L", "status": "left", "joined_on": "2011-01-01",
         "left_on": "2013-05-01"}])
    assert [(r["entity"], r["joined_on"], r["left_on"]) for r in rows] == [
        ("UNDP", "2015-03-01", None), ("UNHCR", "2014-01-01", None),
        ("LATER", "2011-01-01", "2013-05-01"), ("OLD", "2010-01-01", "2012-05-01")]
    assert set(rows[0]) == {"entity", "head", "status", "joined_on", "left_on"}


def test_the_focal_dashboard_lists_the_periods_with_records_and_chooses_the_current():
    listed, choices, chosen = focal.dashboard_periods(["2013-14", "2014-15", "2013-14"],
                                                      dt.date(2026, 12, 3))
    assert listed == ["2014-15", "2013-14"]
    assert choices == ["2026-27", "2025-26", "2024-25", "2014-15", "2013-14"]
    assert chosen == "2026-27"
    assert focal.dashboard_periods([], dt.date(2015, 7, 31))[0] == []


def test_the_review_queue_opens_on_the_newest_cycle_with_filers():
    filers = {2016: 0, 2015: 3, 2014: 5}
    assert review.opening_cycle([2014, 2016, 2015], filers.get) == 2015
    assert review.opening_cycle([2016], filers.get) == 2016
    assert review.opening_cycle([], filers.get) is None


def test_the_reports_home_offers_the_newest_period_with_records_first():
    catalogue = {"periods": [{"period": "2014-15"}, {"period": "2013-14"}],
                 "years": [{"year": 2014}]}
    assert reports.first_choices(catalogue, dt.date(2026, 12, 3)) == ("2014-15", 2014)
    assert reports.first_choices({"periods": [], "years": []},
                                 dt.date(2026, 12, 3)) == ("2025-26", 2026)


def test_a_batch_row_is_the_spreadsheet_line_after_the_header():
    assert uploads.spreadsheet_line(1) == 2
    text = "received_on,category,source\n2015-01-10,advice,headquarters\n\n2015-01-12,x\n"
    items, rejected = gateway_rules.parse_csv(text)
    answer = uploads.with_lines(gateway_rules.merge_batch_answers(
        {"accepted": 1, "rejected": []}, rejected))
    # the empty line 3 and the short line 4, as a spreadsheet numbers them
    assert [(r["row"], r["line"]) for r in answer["rejected"]] == [(2, 3), (3, 4)]


def test_the_rejected_rows_file_has_the_cells_as_typed_with_line_and_reason():
    text = ("received_on,category,source\n2015-01-10,advice,headquarters\n"
            "2015-01-11,gossip,headquarters\n2015-01-12,advice\n")
    header, cells = uploads.read_cells(text)
    rejected = [{"row": 2, "errors": [{"loc": ["category"], "msg": "not a category"}]},
                {"row": 3, "errors": [{"loc": [], "msg": "expected 3 columns, found 2"}]}]
    rows = list(csv.reader(io.StringIO(uploads.rejected_rows_csv(header, cells, rejected))))
    assert rows == [["received_on", "category", "source", "line", "reason"],
                    ["2015-01-11", "gossip", "headquarters", "3", "category: not a category"],
                    ["2015-01-12", "advice", "", "4", "expected 3 columns, found 2"]]


def test_the_template_is_a_header_and_one_example_row():
    text = uploads.template_csv(focal.REQUEST_COLUMNS,
                                focal.UPLOAD_KINDS["service_requests"].example)
    header, [example] = uploads.read_cells(text)
    assert header == focal.REQUEST_COLUMNS
    assert ServiceRequestIn.model_validate(dict(zip(header, example)))
    filers = focal.UPLOAD_KINDS["filers"].example
    assert FilerIn.model_validate(filers)


def test_the_upload_guide_names_the_required_columns_and_their_values():
    guide = {c.name: c for c in focal.upload_guide("service_requests", focal.REQUEST_COLUMNS)}
    assert [n for n, c in guide.items() if c.required] == ["received_on", "category", "source"]
    assert "advice" in guide["category"].values and "outside_activities" in guide[
        "advice_topic"].values and not guide["received_on"].values
    filers = {c.name: c for c in focal.upload_guide("filers", focal.FILER_COLUMNS)}
    assert "P-4" in filers["grade"].values and filers["language"].values[:2] == ("en", "zh")
    assert filers["staff_id"].required and not filers["entity"].required
    assert [c.required for c in focal.upload_guide("other", ["a"])] == [False]


def test_a_rejected_rows_file_is_named_after_the_upload():
    assert focal.rejected_filename("requests 2015.csv") == "rejected-requests-2015.csv"
    assert focal.rejected_filename("../\u4e2d.csv") == "rejected-upload.csv"
