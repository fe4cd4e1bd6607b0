"""Reports for the Ethics Office, auditors and the chair, as the reporting service renders them:
the page shows the HTML report (with its charts) in a frame and links to the CSV and XLSX files."""
import base64
import datetime as dt

from pydantic import TypeAdapter, ValidationError
from werkzeug.wrappers import Response

from shared.auth import READ_ALL, require
from shared.contracts.common import ETHICS_OFFICE, EntityCode, Role, period_of
from shared.errors import NotFound

from .focal import checked_period
from .web import page

READERS = [*READ_ALL, Role.panel_chair]
ANNUAL_READERS = [*READERS, Role.focal_point, Role.panel_member]
FORMATS = "any(html,csv,xlsx)"
ENTITY = TypeAdapter(EntityCode)


def rendered(report: dict, inline: bool) -> Response:
    """The reporting service's `{content_type, filename, body, encoding}` as a response."""
    body = report["body"]
    data = base64.b64decode(body) if report.get("encoding") == "base64" else body.encode()
    disposition = "inline" if inline else "attachment"
    return Response(data, content_type=report["content_type"], headers={
        "Content-Disposition": f'{disposition}; filename="{report["filename"]}"'})


def last_finished_period(today: dt.date) -> str:
    start = int(period_of(today)[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def checked_year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no year {value}")
    if not 2000 <= year <= 2100:
        raise NotFound(f"no year {value}")
    return year


class ReportPages:
    def _portal_entity_of(self, visit) -> str:
        actor = visit.actor
        wanted = visit.query.get("entity") or (actor.entity if actor.entity_scoped
                                               else ETHICS_OFFICE)
        try:
            return ENTITY.validate_python(wanted)
        except ValidationError:
            raise NotFound(f"no entity {wanted}")

    @page("GET", "/reports")
    def portal_reports_home(self, visit):
        require(visit.who, ANNUAL_READERS)
        return visit.render("reports/home.html",
                            period=last_finished_period(dt.date.today()),
                            year=dt.date.today().year,
                            may_read_all=visit.actor.role in READERS)

    @page("GET", "/reports/choose")
    def portal_choose_report(self, visit):
        """The choice form: a GET form cannot put the period in the path itself."""
        require(visit.who, ANNUAL_READERS)
        kind, query = visit.query.get("kind"), visit.query
        if kind == "annual":
            period = checked_period(query.get("period", ""))
            return visit.redirect(f"/reports/annual/{period}",
                                  entity=self._portal_entity_of(visit))
        if kind == "system-wide":
            return visit.redirect(f"/reports/system-wide/{checked_period(query.get('period'))}")
        if kind == "annex":
            return visit.redirect(f"/reports/annex/{checked_year(query.get('year'))}")
        raise NotFound(f"no report {kind}")

    @page("GET", "/reports/annual/<period>")
    def portal_annual_report_page(self, visit, period):
        require(visit.who, ANNUAL_READERS)
        entity = self._portal_entity_of(visit)
        checked_period(period)
        self.reporting.annual_report(visit.who, period, entity, "json", visit.lang)
        return visit.render("reports/report.html", kind="annual", title=visit.t(
            "reports.annual_of", entity=entity, period=period),
            base=f"/reports/annual/{period}/report", query=f"entity={entity}")

    @page("GET", f"/reports/annual/<period>/report.<{FORMATS}:fmt>")
    def portal_annual_report_file(self, visit, period, fmt):
        require(visit.who, ANNUAL_READERS)
        report = self.reporting.annual_report(visit.who, checked_period(period),
                                              self._portal_entity_of(visit), fmt, visit.lang)
        return rendered(report, fmt == "html")

    @page("GET", "/reports/system-wide/<period>")
    def portal_system_wide_page(self, visit, period):
        require(visit.who, READERS)
        checked_period(period)
        self.reporting.system_wide(visit.who, period, "json", visit.lang)
        return visit.render("reports/report.html", kind="system-wide", title=visit.t(
            "reports.system_wide_of", period=period),
            base=f"/reports/system-wide/{period}/report", query="")

    @page("GET", f"/reports/system-wide/<period>/report.<{FORMATS}:fmt>")
    def portal_system_wide_file(self, visit, period, fmt):
        require(visit.who, READERS)
        report = self.reporting.system_wide(visit.who, checked_period(period), fmt, visit.lang)
        return rendered(report, fmt == "html")

    @page("GET", "/reports/annex/<int:year>")
    def portal_annex_page(self, visit, year):
        require(visit.who, READERS)
        self.reporting.annex(visit.who, checked_year(year), "json", visit.lang)
        return visit.render("reports/report.html", kind="annex", title=visit.t(
            "reports.annex_of", year=year), base=f"/reports/annex/{year}/report", query="")

    @page("GET", f"/reports/annex/<int:year>/report.<{FORMATS}:fmt>")
    def portal_annex_file(self, visit, year, fmt):
        require(visit.who, READERS)
        return rendered(self.reporting.annex(visit.who, checked_year(year), fmt, visit.lang),
                        fmt == "html")
