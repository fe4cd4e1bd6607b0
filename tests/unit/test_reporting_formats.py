"""Each format of a report carries the JSON's numbers: CSV and XLSX are read back, the HTML holds
one chart per figure, the PDF is read back with `pdftotext` and the Word file with python-docx;
labels come in the six official languages from the translation files, Arabic right to left."""
import base64
import csv
import io
import json
import re
import shutil
import subprocess

import docx
import pytest
from openpyxl import load_workbook

from services.reporting.labels import FOLDER, GLOSSARY, labels, languages, missing
from services.reporting.programme import annex, participation
from services.reporting.render import render
from services.reporting.report import annual_report
from services.reporting.system_wide import system_wide
from services.reporting.tables import annual_tables

from .test_reporting_projections import built, world

pytestmark = pytest.mark.documents

SIX = ["ar", "en", "es", "fr", "ru", "zh"]


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
        assert sheet.title == labels("en")(f"table.{table.name}")[:31].strip()
        for key, _, *values in list(sheet.iter_rows(values_only=True))[1:]:
            read.update({(table.name, str(key), c): v for c, v in zip(table.columns, values)})
    for where, value in key_figures(report).items():
        assert read[where] == value, where


def test_the_html_holds_one_chart_per_figure_the_headline_and_the_annex(report):
    html = render("annual", report, "html", None)["body"]
    figures = re.findall(r'<figure class="chart" id="figure-([\w-]+)"', html)
    assert figures == ["I", "II", "III", "IV", "V", "unit-cost", "VI"]
    for block in re.split(r'<figure class="chart"', html)[1:]:
        assert block.count("<svg") == 1
    assert len(re.findall(r"<svg\b", html)) == 7
    assert "received 9 requests for ethics services" in html
    assert 'data-table="annex"' in html and 'data-key="subtotal.secretariat"' in html


def test_the_html_is_a_document_of_numbered_paragraphs(report):
    html = render("annual", report, "html", None)["body"]
    numbers = [int(n) for n in re.findall(r'<p class="para" id="para-(\d+)">', html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10
    assert "Not an issued version" in html and 'dir="ltr"' in html


def test_chinese_labels(report):
    html = render("annual", report, "html", "zh")["body"]
    assert '<html lang="zh" dir="ltr">' in html
    assert "图一" in html and "图六" in html and "财务披露方案" in html
    assert "办公室收到 9 项道德操守服务请求" in html
    as_json = render("annual", report, "json", "zh")["body"]
    assert as_json["lang"] == "zh" and "申报人" in as_json["headline"]
    assert as_json["service_requests"] == report["service_requests"]
    # the title names the office in Chinese, not in English
    assert as_json["title"].startswith("道德操守办公室的活动") and "Ethics" not in as_json["title"]


def test_each_language_has_its_own_title_and_arabic_reads_right_to_left(report):
    titles = {lang: render("annual", report, "json", lang)["body"]["title"] for lang in SIX}
    assert len(set(titles.values())) == 6
    assert titles["fr"].startswith("Activités du Bureau de la déontologie")
    assert titles["ru"].startswith("Деятельность Бюро по вопросам этики")
    assert "مكتب الأخلاقيات" in titles["ar"] and "Oficina de Ética" in titles["es"]
    html = render("annual", report, "html", "ar")["body"]
    assert '<html lang="ar" dir="rtl">' in html


def test_every_language_file_has_the_same_keys():
    keys = {lang: set(json.loads((FOLDER / f"{lang}.json").read_text())) for lang in languages()}
    assert sorted(keys) == SIX
    assert all(k == keys["en"] for k in keys.values())


def test_numbers_and_dates_follow_the_language():
    assert labels("en").number(5043) == "5,043"
    assert labels("zh").number(5043) == "5,043"
    assert labels("fr").number(5043) == "5\u202f043" and labels("fr").number(21.6) == "21,6"
    assert labels("ru").number(5043) == "5\xa0043"
    assert labels("es").number(5488) == "5488" or labels("es").number(5488) == "5.488"
    assert labels("en").date("2015-07-31") == "31 July 2015"
    assert labels("zh").date("2015-07-31") == "2015年7月31日"
    assert labels("fr").day_month("2015-07-31") == "31 juillet"
    with pytest.raises(ValueError):
        labels("xx")


def test_a_name_without_a_translation_falls_back_to_english_and_is_listed():
    arabic, english = labels("ar"), labels("en")
    assert "RSCE" not in json.loads((GLOSSARY / "ar.json").read_text())["entities"]
    assert arabic.entity("RSCE", "Regional Service Centre, Entebbe") == \
        english.entity("RSCE", "Regional Service Centre, Entebbe") == \
        "Regional Service Centre, Entebbe"
    assert arabic.entity("XYZ", "An entity no glossary knows") == "An entity no glossary knows"
    assert arabic.topic("Use of social media") == "استخدام وسائط التواصل الاجتماعي"
    assert arabic.topic("A topic of its own") == "A topic of its own"
    found = missing()
    assert sorted(found) == ["ar", "es", "fr", "ru", "zh"]
    assert found["ar"]["entities"] == ["RSCE"] and found["ar"]["labels"] == []
    assert all(not kinds["labels"] for kinds in found.values())


def test_a_missing_label_falls_back_to_english(monkeypatch):
    french = labels("fr")
    monkeypatch.setitem(french._texts, "col.filed", "")
    assert french("col.filed") == labels("en")("col.filed") == "Filed"
    assert french("no.such.key") == "no.such.key"


needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"),
                                     reason="pdftotext (poppler-utils) is not installed")


@needs_pdftotext
def test_the_pdf_opens_and_holds_the_headline_figures(report, tmp_path):
    rendered = render("annual", {**report, "issue": {
        "version": 1, "as_of": "2015-07-31", "issued_at": "2015-08-11T10:00:00+00:00",
        "symbol": "A/70/307", "issued_by": "EO", "note": None}}, "pdf", "en")
    assert rendered["content_type"] == "application/pdf"
    assert rendered["filename"] == "annual-report-EO-2014-15-v1.pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(base64.b64decode(rendered["body"]))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    first_page = text.split("\f")[0]
    assert "A/70/307" in first_page and "11 August 2015" in first_page
    assert "Issued version 1" in first_page
    assert "received 9 requests for ethics services" in re.sub(r"\s+", " ", text)
    assert "Figure V." in text and "Annex" in text
    pages = text.count("\f")
    assert re.search(rf"\b1\s*/\s*{pages}\b", text)
    assert re.search(rf"\b{pages}\s*/\s*{pages}\b", text)


@needs_pdftotext
def test_the_arabic_pdf_holds_the_arabic_text(report, tmp_path):
    pdf = tmp_path / "ar.pdf"
    pdf.write_bytes(base64.b64decode(render("annual", report, "pdf", "ar")["body"]))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "الأمم المتحدة" in text or "األمم المتحدة" in text  # lam-alef as pdftotext splits it


def word(rendered) -> docx.Document:
    return docx.Document(io.BytesIO(base64.b64decode(rendered["body"])))


def test_the_word_file_opens_with_the_figures_and_the_annex_table(report):
    document = word(render("annual", report, "docx", "en"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "received 9 requests for ethics services" in text
    assert re.search(r"^1\.\t", text, re.M) and re.search(r"^10\.\t", text, re.M)
    assert "Figure V. Participation in the financial disclosure programme" in text
    assert len(document.inline_shapes) == 7  # the figures, as pictures
    annex_rows = next(t for t in document.tables
                      if t.rows[-1].cells[0].text == "Total" and len(t.columns) == 4)
    total = [c.text for c in annex_rows.rows[-1].cells]
    assert total == ["Total", "6", "6", "—"]
    assert any("Dept. of Management" == r.cells[0].text for r in annex_rows.rows)
    footer = document.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer


def test_the_arabic_word_file_runs_right_to_left(report):
    document = word(render("annual", report, "docx", "ar"))
    body = document.element.body.xml
    assert "<w:bidi/>" in body and "<w:rtl/>" in body and "<w:bidiVisual/>" in body
    assert any("مكتب الأخلاقيات" in p.text for p in document.paragraphs)


def test_the_system_wide_tables_fit_the_page(view):
    """Laid out for print, no box of the roll-up's tables reaches past the page's content
    width (WeasyPrint's own layout)."""
    from weasyprint import HTML

    from services.reporting.render import to_html
    wide = system_wide(view, "2014-15")
    html = to_html("system-wide", {**wide, **render("system-wide", wide, "json", "en")["body"]},
                   labels("en"), for_print=True)
    document = HTML(string=html).render()
    tables = 0
    for page in document.pages:
        box = page._page_box
        right = box.margin_width() - box.margin_right - box.padding_right
        for table in _boxes(box, "table"):
            tables += 1
            assert table.position_x + table.margin_width() <= right + 1
            for cell in _boxes(table, "td"):
                assert cell.position_x + cell.margin_width() <= right + 1
    assert tables >= 3  # requests, other figures, reconciliation


def _boxes(box, tag: str):
    if getattr(box, "element_tag", None) == tag:
        yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child, tag)


def test_single_table_reports_in_csv_and_xlsx(view):
    wide = system_wide(view, "2014-15")
    rows = list(csv.DictReader(io.StringIO(render("system-wide", wide, "csv", None)["body"])))
    assert [r["key"] for r in rows] == ["EO", "UNHCR", "total"]
    assert int(rows[-1]["requests"]) == wide["total"]["requests"]
    assert rows[1]["source"] == "submitted" and rows[1]["version"] == "2"
    assert rows[1]["records_total"] == "0" and rows[1]["difference"] == "75"
    table = annex(2014, view.fdp(2014), view.directory(), view.iso)
    book = load_workbook(io.BytesIO(base64.b64decode(
        render("annex", table, "xlsx", "zh")["body"])))
    last = list(book.worksheets[0].iter_rows(values_only=True))[-1]
    assert last[:2] == ("total", "共计") and last[-3:] == (6, 6, 0)
    figure = participation(view, 2013, 2014)
    html = render("participation", figure, "html", None)["body"]
    assert re.findall(r'id="figure-(\w+)"', html) == ["V"]
