"""Each format of a report carries the JSON's numbers: CSV and XLSX are read back, the HTML holds
one chart per figure; labels come in English and Chinese from the translation files."""
import base64
import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from services.reporting.labels import FOLDER, labels, languages
from services.reporting.render import render
from services.reporting.report import annex, annual_report, participation, system_wide
from services.reporting.tables import annual_tables

from .test_reporting_projections import built, world


@pytest.fixture(scope="module")
def view():
    return built(world()).view()


@pytest.fixture(scope="module")
def report(view):
    return annual_report(view, "EO", "2014-15")


def key_figures(report) -> dict:
    """Figures picked from the JSON, by (table, row key, column) as CSV and XLSX hold them."""
    req, fd = report["service_requests"], report["financial_disclosure"]
    reviews = report["retaliation"]["by_outcome"]["preliminary_reviews"]
    figures = {("summary", "requests", "value"): req["total"],
               ("summary", "advice", "value"): req["advice"],
               ("summary", "filers", "value"): fd["filers"],
               ("summary", "compliance_rate", "value"): fd["compliance_rate"],
               ("disclosure", "conflict_matters", "value"): fd["conflicts"]["matters"],
               ("disclosure", "conflict.family_relationship", "value"):
                   fd["conflicts"]["by_type"]["family_relationship"],
               ("disclosure", "eligible", "value"): fd["public_disclosure"]["eligible"],
               ("retaliation", "inquiries", "inquiries"): report["retaliation"]["inquiries"],
               ("retaliation", "pending", "inquiries"): reviews["pending"],
               ("activities", "participants", "value"): report["activities"]["participants"],
               ("panel", "formal_meetings", "value"): report["panel"]["formal_meetings"],
               ("annex", "total", "required"): report["annex"]["total"]["required"]}
    figures.update({("by_category", k, "requests"): v for k, v in req["by_category"].items()})
    figures.update({("by_source", k, "requests"): v for k, v in req["by_source"].items()})
    figures.update({("trend", r["period"], "total"): r["total"] for r in req["trend"]})
    for row in req["advice_trend"]:
        figures.update({("advice_by_topic", t, row["period"]): n
                        for t, n in row["by_topic"].items()})
    for row in report["participation"]["rows"]:
        figures.update({("participation", str(row["year"]), c): row[c]
                        for c in ("peacekeeping", "secretariat", "other", "total")})
    return figures


def number(text):
    return float(text) if "." in str(text) else int(text)


def test_the_csv_reads_back_to_the_json_figures(report):
    rendered = render("annual", report, "csv", None)
    assert rendered["content_type"].startswith("text/csv")
    assert rendered["filename"] == "annual-report-EO-2014-15.csv"
    rows = list(csv.DictReader(io.StringIO(rendered["body"])))
    read = {(r["table"], r["key"], r["column"]): r["value"] for r in rows}
    for where, value in key_figures(report).items():
        assert number(read[where]) == value, where
    assert read[("disclosure", "provenance", "value")] == "records"
    assert read[("retaliation", "provenance", "inquiries")] == "records"


def test_the_xlsx_has_a_sheet_per_table_and_reads_back_to_the_json_figures(report):
    rendered = render("annual", report, "xlsx", "en")
    book = load_workbook(io.BytesIO(base64.b64decode(rendered["body"])))
    tables = annual_tables(report)
    assert len(book.sheetnames) == len(tables)
    read = {}
    for sheet, table in zip(book.worksheets, tables):
        assert sheet.title == labels("en")(f"table.{table.name}")
        for key, _, *values in list(sheet.iter_rows(values_only=True))[1:]:
            read.update({(table.name, str(key), c): v for c, v in zip(table.columns, values)})
    for where, value in key_figures(report).items():
        assert read[where] == value, where


def test_the_html_holds_one_chart_per_figure_the_headline_and_the_annex(report):
    html = render("annual", report, "html", None)["body"]
    figures = re.findall(r'<figure class="chart" id="figure-(\w+)"', html)
    assert figures == ["I", "II", "III", "IV", "V", "VI"]
    for block in re.split(r'<figure class="chart"', html)[1:]:
        assert block.count("<svg") == 1
    assert len(re.findall(r"<svg\b", html)) == 6
    assert "received 9 requests for ethics services" in html
    assert 'data-table="annex"' in html and 'data-key="subtotal.secretariat"' in html


def test_chinese_labels(report):
    html = render("annual", report, "html", "zh")["body"]
    assert '<html lang="zh">' in html
    assert "图一" in html and "图六" in html and "财务披露方案" in html
    assert "办公室收到 9 项道德操守服务请求" in html
    as_json = render("annual", report, "json", "zh")["body"]
    assert as_json["lang"] == "zh" and "申报人" in as_json["headline"]
    assert as_json["service_requests"] == report["service_requests"]


def test_every_language_file_has_the_same_keys():
    keys = {lang: set(json.loads((FOLDER / f"{lang}.json").read_text())) for lang in languages()}
    assert {"en", "zh"} <= set(keys)
    assert all(k == keys["en"] for k in keys.values())


def test_numbers_follow_the_language():
    assert labels("en").number(5043) == "5,043"
    assert labels("zh").number(5043) == "5 043"
    with pytest.raises(ValueError):
        labels("xx")


def test_single_table_reports_in_csv_and_xlsx(view):
    wide = system_wide(view, "2014-15")
    rows = list(csv.DictReader(io.StringIO(render("system-wide", wide, "csv", None)["body"])))
    assert [r["key"] for r in rows] == ["EO", "UNHCR", "total"]
    assert int(rows[-1]["requests"]) == wide["total"]["requests"]
    assert rows[1]["provenance"] == "mixed" and rows[1]["version"] == "2"
    table = annex(2014, view.fdp(2014), view.directory())
    book = load_workbook(io.BytesIO(base64.b64decode(
        render("annex", table, "xlsx", "zh")["body"])))
    last = list(book.worksheets[0].iter_rows(values_only=True))[-1]
    assert last[:2] == ("total", "共计") and last[-3:] == (6, 6, 0)
    figure = participation(2013, 2014, view.enrolment(2013, 2014), view.directory())
    html = render("participation", figure, "html", None)["body"]
    assert re.findall(r'id="figure-(\w+)"', html) == ["V"]
