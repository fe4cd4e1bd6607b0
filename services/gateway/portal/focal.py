"""The focal point's pages: the entity's dashboard, the annual figures form, CSV uploads of service
requests and of filers, and the cycle's compliance with its non-filers (also as CSV)."""
import datetime as dt
from typing import Any

from shared.auth import require
from shared.contracts.common import Period, Role
from shared.contracts.intake import AdviceTopic, Category, Source
from shared.contracts.periods import recent_periods
from shared.kernel.errors import Invalid, Malformed, NotFound, checked
from shared.kernel.pagination import PAGE_MAX

from .. import domain as gateway_rules
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


def rows_of_upload(visit, entity: str) -> tuple[list, list, str]:
    """The uploaded CSV's rows (None for a row of the wrong width), the rows already rejected,
    and the file's name; a missing `entity` column is the page's entity."""
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
    return items, rejected, upload.filename


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
        periods = []
        for period in recent_periods(dt.date.today(), RECENT_PERIODS):
            try:
                latest = self.intake.annual_figures(visit.who, entity, period)
            except NotFound:
                latest = None
            periods.append({"period": period, "latest": latest})
        cycles = sorted(self.disclosure.list_cycles(visit.who), key=lambda c: -c["year"])
        return visit.render("focal/dashboard.html", status, entity=record, periods=periods,
                            cycles=cycles, errors=errors, typed=visit.query.get("period", ""))

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
        return visit.render("focal/upload.html", entity=record, kind="service_requests",
                            columns=REQUEST_COLUMNS, action=visit.request.path)

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
        return visit.render("focal/upload.html", entity=record, kind="filers", year=year,
                            columns=FILER_COLUMNS, action=visit.request.path)

    @page("POST", "/focal/<entity>/filers/<int:year>/upload")
    def portal_upload_filers(self, visit, entity, year):
        record = self._portal_entity(visit, entity, DASHBOARD)
        return self._portal_upload(
            visit, record, "filers", FILER_COLUMNS,
            lambda items: self.disclosure.enrol_filers(visit.who, year, items), year=year)

    def _portal_upload(self, visit, record, kind, columns, send, **context):
        try:
            items, pre_rejected, filename = rows_of_upload(visit, record["code"])
            answer = gateway_rules.merge_batch_answers(send(items), pre_rejected)
        except Invalid as exc:
            return visit.render("focal/upload.html", 422, entity=record, kind=kind,
                                columns=columns, action=visit.request.path,
                                errors=FormErrors.of_exception(exc).placed(["file"]), **context)
        return visit.render("focal/upload.html", entity=record, kind=kind, columns=columns,
                            action=visit.request.path, answer=answer, filename=filename,
                            rows=len(items), **context)

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
