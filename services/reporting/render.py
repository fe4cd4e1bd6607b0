"""A report in each format: JSON, CSV, XLSX (one sheet per table), HTML (charts as SVG), PDF
(the same HTML laid out for print by WeasyPrint) and Word (python-docx).

`render` answers over RPC: `{"content_type", "filename", "body", "encoding"}` with the body as
text, or base64 for XLSX, PDF and Word.
"""
import base64
import csv
import io
import re

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook

from shared.contracts.periods import period_bounds

from . import charts
from .document import outline
from .labels import labels as labels_of
from .report import headline
from .tables import (Table, annual_tables, annex_table, participation_table, system_wide_table,
                     unit_cost_table)

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
BINARY = {"xlsx", "pdf", "docx"}
TEMPLATES = Environment(loader=PackageLoader("services.reporting", "templates"),
                        autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                        lstrip_blocks=True)


def render(kind: str, report: dict, fmt: str, lang: str | None) -> dict:
    labels = labels_of(lang)
    report = {**report, "lang": labels.lang, **_texts(kind, report, labels)}
    body: str | bytes
    if fmt == "json":
        return {"content_type": FORMATS["json"], "filename": None, "body": report,
                "encoding": None}
    if fmt == "csv":
        body = to_csv(TABLES[kind](report))
    elif fmt == "xlsx":
        body = to_xlsx(TABLES[kind](report), labels)
    elif fmt == "html":
        body = to_html(kind, report, labels)
    elif fmt == "pdf":
        body = to_pdf(to_html(kind, report, labels, for_print=True))
    elif fmt == "docx":
        from .word import to_docx  # python-docx only where Word is asked for
        body = to_docx(outline(kind, report, labels), labels)
    else:
        raise ValueError(f"no format {fmt}")
    encoded = fmt in BINARY  # the formats rendered as bytes
    return {"content_type": FORMATS[fmt],
            "filename": f"{_file_stem(kind, report)}{_suffix(report, labels)}.{fmt}",
            "body": base64.b64encode(body).decode() if isinstance(body, bytes) else body,
            "encoding": "base64" if encoded else None}


TABLES = {
    "annual": annual_tables,
    "system-wide": lambda r: [system_wide_table(r)],
    "annex": lambda r: [annex_table(r)],
    "participation": lambda r: [participation_table(r)],
    "unit-cost": lambda r: [unit_cost_table(r)],
}


def _file_stem(kind, report) -> str:
    if kind == "annual":
        return f"annual-report-{report['entity']}-{report['period']}"
    if kind == "system-wide":
        return f"system-wide-{report['period']}"
    if kind == "annex":
        return f"fdp-annex-{report['year']}"
    if kind == "unit-cost":
        return "fdp-unit-cost"
    return f"fdp-participation-{report['from']}-{report['to']}"


def _suffix(report: dict, labels) -> str:
    version = (report.get("issue") or {}).get("version")
    return (f"-v{version}" if version else "") + (f"-{labels.lang}" if labels.lang != "en"
                                                  else "")


def _texts(kind, report, labels) -> dict:
    if kind == "annual":
        start, end = period_bounds(report["period"])
        office = labels.entity(report["entity"], report.get("entity_name"))
        return {
            "title": labels.text("title.annual", entity_name=office,
                                 period_from=labels.date(start), period_to=labels.date(end)),
            "headline": labels.text("headline", **headline(report)),
            "notes": [labels.text("note.cycle", period=report["period"],
                                  cycle=report["financial_disclosure"]["cycle"],
                                  opens_on=labels.date(
                                      report["financial_disclosure"]["opens_on"])),
                      labels.text("note.as_of", as_of=labels.date(report.get("as_of"))),
                      labels("note.provenance"), labels("note.classification"),
                      labels("note.shares")]}
    if kind == "system-wide":
        return {"title": labels.text("title.system_wide", period=report["period"]),
                "notes": [labels.text("note.as_of", as_of=labels.date(report.get("as_of"))),
                          labels("note.rollup")]}
    if kind == "annex":
        return {"title": labels.text("title.annex", year=report["year"]),
                "notes": [labels.text("note.as_of", as_of=labels.date(report.get("as_of"))),
                          labels("note.classification")]}
    if kind == "unit-cost":
        return {"title": labels("title.unit_cost"),
                "notes": [labels("note.unit_cost"), labels("note.in_progress")]}
    return {"title": labels("title.participation"),
            "notes": [labels("note.classification"), labels("note.in_progress")]}


# ---- CSV ----

def to_csv(tables: list[Table]) -> str:
    """One table: a header of machine keys and one line per row. Several tables (the annual
    report): one line per figure, `table,key,column,value`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if len(tables) == 1:
        table = tables[0]
        writer.writerow(["key", *table.columns])
        for key, values in table.rows:
            writer.writerow([key, *(_plain(values.get(c)) for c in table.columns)])
    else:
        writer.writerow(["table", "key", "column", "value"])
        for table in tables:
            for key, values in table.rows:
                for column in table.columns:
                    writer.writerow([table.name, key, column, _plain(values.get(column))])
    return out.getvalue()


def _plain(value):
    return "" if value is None else value


# ---- XLSX ----

def to_xlsx(tables: list[Table], labels) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])  # the sheet a new workbook starts with
    used: set = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(labels(f"table.{table.name}"), table.name, used))
        if labels.direction == "rtl":
            sheet.sheet_view.rightToLeft = True
        sheet.append([labels("col.key"), labels("col.label"),
                      *(labels.of("col.", c) for c in table.columns)])
        for key, values in table.rows:
            sheet.append([key, row_label(table, key, values, labels),
                          *(_shown(table, c, values.get(c), labels) for c in table.columns)])
        sheet.column_dimensions["B"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, name: str, used: set) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or name
    if title in used:
        title = name[:31]
    used.add(title)
    return title


def row_label(table: Table, key: str, values: dict, labels) -> str:
    if key == "total":
        return labels("total")
    if key.startswith("subtotal."):
        return f"{labels('subtotal')}: {labels.of('entity_category.', key[9:])}"
    if key in ("provenance", "version"):
        return labels(key)
    if "name" in values:  # a row of entities
        return labels.entity(key, values.get("name"))
    if table.prefix and labels(table.prefix + key, ""):
        return labels(table.prefix + key)
    return labels(key, key)  # keys such as `conflict.other` are labels of their own


def _shown(table, column, value, labels):
    """A cell as people read it: categories and sources by their labels, numbers as numbers."""
    if value is None:
        return None
    if column == "category" and table.name in ("annex", "system_wide"):
        return labels.of("entity_category.", value)
    if column in ("provenance", "source") or value in ("records", "submitted", "mixed",
                                                        "not_submitted"):
        return labels.of("provenance.", value)
    if column == "as_of":
        return labels.date(value)
    if column == "topic":
        return labels.topic(value)
    return value


# ---- HTML and PDF ----

def to_html(kind: str, report: dict, labels, for_print: bool = False) -> str:
    document = outline(kind, report, labels)
    figures = {key: charts.svg(draw(), f"chart-{key}")
               for key, (_, draw) in document.figures.items()}
    return TEMPLATES.get_template("report.html.j2").render(
        document=document, figures=figures, labels=labels, for_print=for_print,
        row_label=row_label, cell=lambda t, k, c, v: cell(t, k, c, v, labels),
        numeric=lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))


def cell(table, key, column, value, labels) -> str:
    """A table's cell as text in the report's language."""
    if key == "cycle" or column == "year":  # years, not counts
        return str(value)
    if column in ("cost", "unit_cost"):
        return labels.money(value)
    shown = _shown(table, column, value, labels)
    if column == "as_of" and value is None:
        return ""
    return labels.number(shown) if isinstance(shown, (int, float)) or shown is None else shown


def to_pdf(html: str) -> bytes:
    """The HTML report laid out for print (its print stylesheet: A4, page numbers)."""
    from weasyprint import HTML  # loaded on first use: it is large
    return HTML(string=html).write_pdf()
