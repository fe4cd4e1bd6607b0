"""The focal point's pages: the entity's dashboard, the annual figures form, CSV uploads of service
requests and of filers, and the cycle's compliance with its non-filers (also as CSV)."""
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Response

from shared.auth import require
from shared.contracts.common import EntityCode, Period, Role
from shared.contracts.disclosure import GRADES, FilerIn
from shared.contracts.intake import AdviceTopic, Category, ServiceRequestIn, Source
from shared.contracts.periods import period_of, recent_periods
from shared.kernel.errors import Invalid, Malformed, NotFound, checked
from shared.kernel.pagination import PAGE_MAX

from .. import domain as gateway_rules
from ..domain import uploads
from .forms import FormErrors, number
from .tables import csv_download
from .web import page

DASHBOARD = [Role.focal_point, Role.ethics_office]
FIGURES = [Role.focal_point, Role.ethics_office, Role.panel_member]
GROUPS = (("requests_by_category", Category), ("advice_by_topic", AdviceTopic),
          ("requests_by_source", Source))
NESTED = (("retaliation", ("inquiries", "preliminary_reviews", "prima_facie")),
          ("disclosure", ("filers", "filed")),
          ("activities", ("total", "participants")))
REQUEST_COLUMNS = ["entity", "received_on", "category", "advice_topic", "source"]
FILER_COLUMNS = ["staff_id", "entity", "duty_station", "grade", "designation", "email",
                 "language"]
RECENT_PERIODS = 3
COMPLIANCE_PAGE = 200
# the labels of a column's allowed values, by column: the value's label is prefix + value
VALUE_LABELS = {"category": "requests_by_category.", "advice_topic": "advice_by_topic.",
                "source": "requests_by_source.", "designation": "designation.",
                "language": "upload.language."}
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class UploadKind:
    """What an upload's rows are: their contract, an example row for the template, the columns
    the page fills when left out, and allowed values the contract checks without an
    enumeration."""
    model: Any
    example: dict
    filled: tuple = ("entity",)
    values: dict = field(default_factory=dict)


UPLOAD_KINDS = {
    "service_requests": UploadKind(ServiceRequestIn, {
        "entity": "EO", "received_on": "2015-01-10", "category": "advice",
        "advice_topic": "outside_activities", "source": "headquarters"}),
    "filers": UploadKind(FilerIn, {
        "staff_id": "100234", "entity": "EO", "duty_station": "New York", "grade": "P-4",
        "designation": "procurement", "email": "name@example.org", "language": "en"},
        values={"grade": GRADES}),
}


def upload_guide(kind: str, columns: list[str]) -> list[uploads.Column]:
    """The upload's columns with whether each is required and its allowed values."""
    spec = UPLOAD_KINDS.get(kind)
    if spec is None:
        return [uploads.Column(c, False) for c in columns]
    return uploads.column_guide(spec.model, columns, spec.filled, spec.values)


def dashboard_periods(with_records: list[str], today: dt.date) -> tuple[list[str], list[str],
                                                                       str]:
    """The focal point's periods: those with records (newest first) for the table, those to
    choose from (with records or recent), and the one chosen first (the current period)."""
    listed = sorted(set(with_records), reverse=True)
    choices = sorted(set(listed) | set(recent_periods(today, RECENT_PERIODS)), reverse=True)
    return listed, choices, period_of(today)


def figure_fields() -> list[str]:
    names = ["total_requests"]
    names += [f"{group}.{m.value}" for group, members in GROUPS for m in members]
    names += [f"{group}.{name}" for group, fields in NESTED for name in fields]
    return names


def figures_from_form(form) -> dict:
    """The AnnualFigures body from the form; empty fields are left out."""
    body: dict = {}
    total = number(form, "total_requests")
    if total is not None:
        body["total_requests"] = total
    for group, members in GROUPS:
        values = {m.value: number(form, f"{group}.{m.value}") for m in members}
        body[group] = {k: v for k, v in values.items() if v is not None}
    for group, fields in NESTED:
        values = {f: number(form, f"{group}.{f}") for f in fields}
        body[group] = {k: v for k, v in values.items() if v is not None}
    return body


def form_values(figures: dict) -> dict:
    """The form's fields (dotted names) filled from submitted figures or from the form itself."""
    values = {"total_requests": figures.get("total_requests")}
    for group, _ in GROUPS:
        for key, value in (figures.get(group) or {}).items():
            values[f"{group}.{key}"] = value
    for group, _ in NESTED:
        for key, value in (figures.get(group) or {}).items():
            values[f"{group}.{key}"] = value
    return values


def checked_period(period: str) -> str:
    """A period in a page's address; a malformed one is a page that does not exist."""
    try:
        return checked(Period, period, "period")
    except Invalid:
        raise NotFound(f"no reporting period {period}")


@dataclass
class Upload:
    items: list  # the rows to send (None for a row of the wrong width)
    rejected: list  # the rows rejected already, as a batch answers them
    filename: str
    header: list  # the header and the cells as typed, for the rejected rows' file
    cells: list


def read_upload(visit, entity: str) -> Upload:
    """The uploaded CSV; a missing `entity` column is the page's entity."""
    upload = visit.request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid.field("file", visit.t("upload.no_file"))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid.field("file", visit.t("upload.not_utf8"))
    try:
        items, rejected = gateway_rules.parse_csv(text)
    except Malformed as exc:
        raise Invalid.field("file", exc.detail)
    for item in items:
        if item is not None and not item.get("entity"):
            item["entity"] = entity
    header, cells = uploads.read_cells(text)
    return Upload(items, rejected, upload.filename, header, cells)


def rows_of_upload(visit, entity: str) -> tuple[list, list, str]:
    """The uploaded CSV's rows (None for a row of the wrong width), the rows already rejected,
    and the file's name; a missing `entity` column is the page's entity."""
    upload = read_upload(visit, entity)
    return upload.items, upload.rejected, upload.filename


def rejected_filename(filename: str) -> str:
    stem = SAFE_FILENAME.sub("-", filename.rsplit(".", 1)[0]).strip("-.") or "upload"
    return f"rejected-{stem[:60]}.csv"


def csv_file(filename: str, text: str) -> Response:
    return Response(text.encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class FocalPages:
    # given by the gateway service, of which these pages are a part
    intake: Any
    disclosure: Any

    def _portal_entity(self, visit, entity: str, roles) -> dict:
        require(visit.who, roles, entity=entity)
        return self.intake.get_entity(visit.who, entity)

    @page("GET", "/focal/<entity>")
    def portal_focal_dashboard(self, visit, entity):
        return self._portal_dashboard(visit, self._portal_entity(visit, entity, DASHBOARD))

    def _portal_dashboard(self, visit, record, errors=None, status=200):
        entity = record["code"]
        listed, choices, current = dashboard_periods(
            self.intake.periods_with_records(visit.who, entity), dt.date.today())
        periods = []
        for period in listed:
            try:
                latest = self.intake.annual_figures(visit.who, entity, period)
            except NotFound:
                latest = None
            periods.append({"period": period, "latest": latest})
        cycles = sorted(self.disclosure.list_cycles(visit.who), key=lambda c: -c["year"])
        return visit.render("focal/dashboard.html", status, entity=record, periods=periods,
                            choices=choices, cycles=cycles, errors=errors,
                            typed=visit.query.get("period", current))

    # annual figures

    @page("GET", "/focal/<entity>/figures")
    def portal_choose_figures_period(self, visit, entity):
        record = self._portal_entity(visit, entity, FIGURES)
        try:
            period = checked(Period, visit.query.get("period") or "", "period")
        except Invalid as exc:
            return self._portal_dashboard(visit, record, FormErrors.of_exception(exc), 422)
        return visit.redirect(f"/focal/{entity}/figures/{period}")

    @page("GET", "/focal/<entity>/figures/<period>")
    def portal_figures_form(self, visit, entity, period):
        record = self._portal_entity(visit, entity, FIGURES)
        checked_period(period)
        versions = self._portal_versions(visit, entity, period)
        values = form_values(versions[-1]["figures"]) if versions else {}
        return self._portal_figures_page(visit, record, period, values, versions)

    @page("POST", "/focal/<entity>/figures/<period>")
    def portal_submit_figures(self, visit, entity, period):
        record = self._portal_entity(visit, entity, FIGURES)
        checked_period(period)
        body = figures_from_form(visit.form)
        values = form_values(body)
        if visit.form.get("action") == "check":
            problems = self.intake.check_annual_figures(visit.who, entity, period, body)
            versions = self._portal_versions(visit, entity, period)
            if problems:
                return self._portal_figures_page(visit, record, period, values, versions,
                                                 FormErrors(problems), status=422)
            return self._portal_figures_page(visit, record, period, values, versions,
                                             checked=True)
        try:
            answer = self.intake.submit_annual_figures(visit.who, entity, period, body)
        except Invalid as exc:
            versions = self._portal_versions(visit, entity, period)
            return self._portal_figures_page(visit, record, period, values, versions,
                                             FormErrors.of_exception(exc), status=422)
        note = "figures_saved" if answer["created"] else "figures_unchanged"
        return visit.redirect(f"/focal/{entity}/figures/{period}", note=note,
                              version=answer["version"])

    def _portal_versions(self, visit, entity, period) -> list[dict]:
        try:
            return self.intake.annual_figure_versions(visit.who, entity, period)
        except NotFound:
            return []

    def _portal_figures_page(self, visit, record, period, values, versions, errors=None,
                             status=200, checked=False):
        errors = (errors or FormErrors()).placed(
            figure_fields() + [group for group, _ in GROUPS] + ["period"])
        return visit.render("focal/figures.html", status, entity=record, period=period,
                            values=values, versions=list(reversed(versions)), groups=GROUPS,
                            nested=NESTED, errors=errors, checked=checked)

    # uploads

    @page("GET", "/focal/<entity>/service-requests/upload")
    def portal_requests_upload_form(self, visit, entity):
        record = self._portal_entity(visit, entity, DASHBOARD)
        return self._portal_upload_page(visit, record, "service_requests", REQUEST_COLUMNS)

    @page("POST", "/focal/<entity>/service-requests/upload")
    def portal_upload_requests(self, visit, entity):
        record = self._portal_entity(visit, entity, DASHBOARD)
        return self._portal_upload(
            visit, record, "service_requests", REQUEST_COLUMNS,
            lambda items: self.intake.log_service_requests(visit.who, items))

    @page("GET", "/focal/<entity>/filers/<int:year>/upload")
    def portal_filers_upload_form(self, visit, entity, year):
        record = self._portal_entity(visit, entity, DASHBOARD)
        self.disclosure.get_cycle(visit.who, year)
        return self._portal_upload_page(visit, record, "filers", FILER_COLUMNS, year=year)

    @page("POST", "/focal/<entity>/filers/<int:year>/upload")
    def portal_upload_filers(self, visit, entity, year):
        record = self._portal_entity(visit, entity, DASHBOARD)
        return self._portal_upload(
            visit, record, "filers", FILER_COLUMNS,
            lambda items: self.disclosure.enrol_filers(visit.who, year, items), year=year)

    def _portal_upload(self, visit, record, kind, columns, send, **context):
        """An upload sent: `send(items)` answers as a batch does; the page shows the accepted
        count and each rejected row by its spreadsheet line, and offers those rows as CSV."""
        try:
            upload = read_upload(visit, record["code"])
            answer = uploads.with_lines(
                gateway_rules.merge_batch_answers(send(upload.items), upload.rejected))
        except Invalid as exc:
            return self._portal_upload_page(
                visit, record, kind, columns, 422,
                errors=FormErrors.of_exception(exc).placed(["file"]), **context)
        rejected_csv = uploads.rejected_rows_csv(upload.header, upload.cells,
                                                 answer["rejected"])
        return self._portal_upload_page(
            visit, record, kind, columns, answer=answer, filename=upload.filename,
            rows=len(upload.items), rejected_csv=rejected_csv if answer["rejected"] else "",
            rejected_filename=rejected_filename(upload.filename), **context)

    @staticmethod
    def _portal_upload_page(visit, record, kind, columns, status=200, **context):
        """The upload form with each column's rules and the template to download."""
        return visit.render("focal/upload.html", status, entity=record, kind=kind,
                            columns=columns, action=visit.request.path,
                            guide=upload_guide(kind, columns), value_labels=VALUE_LABELS,
                            template_link=f"/uploads/{kind}/template.csv"
                                          f"?entity={record['code']}",
                            **context)

    @page("GET", f"/uploads/<any({','.join(UPLOAD_KINDS)}):kind>/template.csv")
    def portal_upload_template(self, visit, kind):
        spec = UPLOAD_KINDS[kind]
        columns = REQUEST_COLUMNS if kind == "service_requests" else FILER_COLUMNS
        try:
            entity = checked(EntityCode, visit.query.get("entity") or "EO", "entity")
        except Invalid:
            entity = "EO"
        return csv_file(f"{kind}-template.csv",
                        uploads.template_csv(columns, {**spec.example, "entity": entity}))

    @page("POST", "/uploads/rejected-rows.csv")
    def portal_rejected_rows(self, visit):
        """The rejected rows of an upload, as the upload's page rendered them into its form:
        nothing of the upload is kept between the two requests."""
        name = visit.form.get("filename") or "rejected-rows.csv"
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,80}\.csv", name):
            name = "rejected-rows.csv"
        return csv_file(name, visit.form.get("rows") or "")

    # compliance

    @page("GET", "/focal/<entity>/compliance/<int:year>")
    def portal_compliance(self, visit, entity, year):
        record = self._portal_entity(visit, entity, DASHBOARD)
        cycle = self.disclosure.get_cycle(visit.who, year)
        by_station = self.disclosure.compliance(visit.who, year, "duty_station")
        own = [r for r in self.disclosure.compliance(visit.who, year, "entity")["rows"]
               if r["key"] == entity]
        cursor = visit.query.get("cursor") or None
        non_filers = self.disclosure.non_filers(visit.who, year, {"entity": entity,
                                                                  "limit": COMPLIANCE_PAGE,
                                                                  "cursor": cursor})
        return visit.render("focal/compliance.html", entity=record, cycle=cycle,
                            own=own[0] if own else None, by_station=by_station,
                            non_filers=non_filers,
                            last_reminder_on=self._last_reminder_on(visit, year, entity),
                            reminders=self._portal_reminders(visit, year, entity))

    @page("GET", "/focal/<entity>/compliance/<int:year>/compliance.csv")
    def portal_compliance_csv(self, visit, entity, year):
        self._portal_entity(visit, entity, DASHBOARD)
        rows = self.disclosure.compliance(visit.who, year, "duty_station")["rows"]
        return csv_download(f"compliance-{entity}-{year}.csv",
                            ["duty_station", "required", "filed", "not_filed", "reasons"],
                            [[r["key"], r["required"], r["filed"], r["not_filed"],
                              "; ".join(f"{k}: {v}" for k, v in sorted(r["reasons"].items()))]
                             for r in rows])

    @page("GET", "/focal/<entity>/compliance/<int:year>/non-filers.csv")
    def portal_non_filers_csv(self, visit, entity, year):
        self._portal_entity(visit, entity, DASHBOARD)
        columns = ["staff_id", "entity", "duty_station", "grade", "status", "exemption_reason"]
        found, cursor = [], None
        while True:
            page_ = self.disclosure.non_filers(visit.who, year, {"entity": entity,
                                                                 "limit": PAGE_MAX,
                                                                 "cursor": cursor})
            found += page_["items"]
            cursor = page_.get("next_cursor")
            if not cursor:
                break
        return csv_download(f"non-filers-{entity}-{year}.csv", columns,
                            [[r.get(c) or "" for c in columns] for r in found])
