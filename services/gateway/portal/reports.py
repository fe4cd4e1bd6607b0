"""Reports for the Ethics Office, auditors and the chair, as the reporting service renders them:
the home lists the periods and cycles with records and the versions issued of each report; a
report's page shows the HTML report (with its charts) in a frame and offers it as PDF, Word,
XLSX and CSV, in each of the report's languages, live or as an issued version."""
import base64
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from shared.auth import READ_ALL, require
from shared.contracts.common import ETHICS_OFFICE, EntityCode, Role
from shared.contracts.periods import last_finished_period
from shared.kernel.errors import Invalid, NotFound, checked

from . import i18n
from .focal import checked_period
from .forms import FormErrors
from .web import page

READERS = [*READ_ALL, Role.panel_chair]
ANNUAL_READERS = [*READERS, Role.focal_point, Role.panel_member]
FORMATS = "any(html,csv,xlsx,pdf,docx)"
REPORT_LANGUAGES = i18n.LANGUAGES  # a report issues in each official language
LANGUAGE_NAMES = i18n.NAMES


def rendered(report: dict, inline: bool) -> Response:
    """The reporting service's `{content_type, filename, body, encoding}` as a response."""
    body = report["body"]
    data = base64.b64decode(body) if report.get("encoding") == "base64" else body.encode()
    disposition = "inline" if inline else "attachment"
    return Response(data, content_type=report["content_type"], headers={
        "Content-Disposition": f'{disposition}; filename="{report["filename"]}"'})


def report_query(visit, **fixed) -> dict:
    """What the report's page passes on to its files: the language and the issued version."""
    query = {**fixed}
    lang = visit.query.get("report_lang")
    if lang in REPORT_LANGUAGES:
        query["report_lang"] = lang
    version = visit.query.get("version")
    if version and version.isdigit():
        query["version"] = version
    return query


def report_language(visit) -> str:
    lang = visit.query.get("report_lang")
    return lang if lang in REPORT_LANGUAGES else visit.lang


def report_version(visit):
    version = visit.query.get("version")
    return int(version) if version and version.isdigit() else None


def first_choices(catalogue: dict, today: dt.date) -> tuple[str, int]:
    """The period and the year the home's forms offer first: the newest with records, else
    the last finished period and this year."""
    periods, years = catalogue.get("periods") or [], catalogue.get("years") or []
    return (periods[0]["period"] if periods else last_finished_period(today),
            years[0]["year"] if years else today.year)


def checked_year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no year {value}")
    if not 2000 <= year <= 2100:
        raise NotFound(f"no year {value}")
    return year


class ReportPages:
    # given by the gateway service, of which these pages are a part
    reporting: Any

    def _portal_entity_of(self, visit) -> str:
        actor = visit.actor
        wanted = visit.query.get("entity") or (actor.entity if actor.entity_scoped
                                               else ETHICS_OFFICE)
        try:
            return checked(EntityCode, wanted, "entity")
        except Invalid:
            raise NotFound(f"no entity {wanted}")

    @page("GET", "/reports")
    def portal_reports_home(self, visit):
        return self._portal_reports_home(visit)

    def _portal_reports_home(self, visit, errors=None, status=200, typed=None):
        require(visit.who, ANNUAL_READERS)
        catalogue = self.reporting.catalogue(visit.who)
        period, year = first_choices(catalogue, dt.date.today())
        return visit.render("reports/home.html", status, errors=errors, typed=typed or {},
                            period=period, year=year,
                            may_read_all=visit.actor.role in READERS, catalogue=catalogue)

    @page("GET", "/reports/choose")
    def portal_choose_report(self, visit):
        """The choice form: a GET form cannot put the period in the path itself."""
        require(visit.who, ANNUAL_READERS)
        kind, query = visit.query.get("kind"), visit.query
        if kind not in ("annual", "system-wide", "annex"):
            raise NotFound(f"no report {kind}")
        field = "year" if kind == "annex" else "period"
        try:
            if kind == "annex":
                return visit.redirect(f"/reports/annex/{checked_year(query.get('year'))}")
            period = checked_period(query.get("period") or "")
        except NotFound as exc:
            # a period or year typed into the form is the form's error, not a missing page
            return self._portal_reports_home(visit, FormErrors(
                [{"loc": [f"{kind}.{field}"], "msg": exc.detail}]), 422,
                typed={kind: query.get(field, "")})
        if kind == "annual":
            return visit.redirect(f"/reports/annual/{period}",
                                  entity=self._portal_entity_of(visit))
        return visit.redirect(f"/reports/system-wide/{period}")

    def _report_page(self, visit, kind: str, title: str, base: str, issued: tuple,
                     **fixed):
        """A report's page: the report in a frame, its files, its languages and versions."""
        query = report_query(visit, **fixed)
        return visit.render("reports/report.html", kind=kind, title=title, base=base,
                            query=urlencode(query), fixed_items=sorted(fixed.items()),
                            languages=[(code, LANGUAGE_NAMES[code]) for code in REPORT_LANGUAGES],
                            report_lang=report_language(visit),
                            version=report_version(visit),
                            issues=self.reporting.issued_versions(
                                visit.who, issued[1], issued[0])["items"]
                            if issued and visit.actor.role in READERS else [])

    @page("GET", "/reports/annual/<period>")
    def portal_annual_report_page(self, visit, period):
        require(visit.who, ANNUAL_READERS)
        entity = self._portal_entity_of(visit)
        checked_period(period)
        self.reporting.annual_report(visit.who, period, entity, "json", report_language(visit),
                                     None, report_version(visit))
        return self._report_page(
            visit, "annual", visit.t("reports.annual_of", entity=entity, period=period),
            f"/reports/annual/{period}/report",
            ("annual", period) if entity == ETHICS_OFFICE else (), entity=entity)

    @page("GET", f"/reports/annual/<period>/report.<{FORMATS}:fmt>")
    def portal_annual_report_file(self, visit, period, fmt):
        require(visit.who, ANNUAL_READERS)
        report = self.reporting.annual_report(visit.who, checked_period(period),
                                              self._portal_entity_of(visit), fmt,
                                              report_language(visit), None,
                                              report_version(visit))
        return rendered(report, fmt == "html")

    @page("GET", "/reports/system-wide/<period>")
    def portal_system_wide_page(self, visit, period):
        require(visit.who, READERS)
        checked_period(period)
        self.reporting.system_wide(visit.who, period, "json", report_language(visit), None,
                                   report_version(visit))
        return self._report_page(
            visit, "system-wide", visit.t("reports.system_wide_of", period=period),
            f"/reports/system-wide/{period}/report", ("system-wide", period))

    @page("GET", f"/reports/system-wide/<period>/report.<{FORMATS}:fmt>")
    def portal_system_wide_file(self, visit, period, fmt):
        require(visit.who, READERS)
        report = self.reporting.system_wide(visit.who, checked_period(period), fmt,
                                            report_language(visit), None,
                                            report_version(visit))
        return rendered(report, fmt == "html")

    @page("GET", "/reports/annex/<int:year>")
    def portal_annex_page(self, visit, year):
        require(visit.who, READERS)
        self.reporting.annex(visit.who, checked_year(year), "json", report_language(visit),
                             None, report_version(visit))
        return self._report_page(visit, "annex", visit.t("reports.annex_of", year=year),
                                 f"/reports/annex/{year}/report", ("annex", str(year)))

    @page("GET", f"/reports/annex/<int:year>/report.<{FORMATS}:fmt>")
    def portal_annex_file(self, visit, year, fmt):
        require(visit.who, READERS)
        return rendered(self.reporting.annex(visit.who, checked_year(year), fmt,
                                             report_language(visit), None,
                                             report_version(visit)), fmt == "html")
