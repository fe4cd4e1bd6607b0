"""Routes of the reports area: the annual report, the system-wide roll-up, the annex, figure V
and the unit cost, each in JSON, CSV, XLSX, HTML, PDF or Word (`?format=`, labels by `?lang=`),
as of a day (`?as_of=`) or as an issued version (`?version=`); issuing versions; the list of
what can be reported; and the rebuild of reporting's read models. The reporting service
renders; these routes set the content types."""
import base64

from shared.contracts.reporting import IssueIn, Issued, IssuedVersions

from ..api import Reply, body_json, forward, query_value, route

TAG = "reports"
LANGUAGES = "en (default), zh, fr, es, ru or ar"
FORMAT_QUERY = {"format": "json (default), csv, xlsx, html, pdf or docx",
                "lang": f"the labels' language: {LANGUAGES}",
                "as_of": "count only what was effective by this day (YYYY-MM-DD; default today)"}
ISSUED_QUERY = {**FORMAT_QUERY, "version": "an issued version (its number) instead of the "
                                           "live report"}
FORMAT = (query_value("format", "json"), query_value("lang"), query_value("as_of"))
ISSUED = (*FORMAT, query_value("version"))
PRODUCES = ("application/json", "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/html",
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
DOWNLOADS = ("text/csv", "application/vnd.openxmlformats", "application/pdf")


def rendered_reply(rendered: dict) -> Reply:
    """The reporting service's `{content_type, filename, body, encoding}` as an HTTP answer."""
    content_type = rendered["content_type"]
    if content_type == "application/json":
        return Reply(rendered["body"])
    body = rendered["body"]
    body = base64.b64decode(body) if rendered.get("encoding") == "base64" else body.encode()
    headers = {}
    if content_type.startswith(DOWNLOADS):
        headers["Content-Disposition"] = f'attachment; filename="{rendered["filename"]}"'
    return Reply(body, 200, content_type, headers)


def issued_reply(answer: dict) -> Reply:
    """201 with the new version; 200 with the version issued already."""
    return Reply({k: answer[k] for k in ("version", "issued_at", "as_of")},
                 201 if answer["created"] else 200)


def issue_routes(report: str, path: str, what: str):
    """POST and GET `{path}/issues`: issue a version of the report (Ethics Office, admin), and
    list the versions issued."""
    issue = route("POST", f"{path}/issues", f"Issue {what} as of a day: its figures are frozen "
                  "as the next version (ethics office, admin)", body=IssueIn, response=Issued,
                  status=201, tag=TAG, also={200: "The version issued already as of that day"})(
        forward("reporting.issue_report", lambda call: report, body_json,
                answer=issued_reply))
    listed = route("GET", f"{path}/issues", f"The issued versions of {what}",
                   response=IssuedVersions, tag=TAG)(
        forward("reporting.issued_versions", lambda call: report))
    return issue, listed


class ReportsRoutes:
    annual_report = route(
        "GET", "/reports/annual/{period}", "The annual report of an ethics office",
        tag=TAG, produces=PRODUCES,
        query={"entity": "the ethics office (default EO; a focal point's own entity)",
               **ISSUED_QUERY})(
        forward("reporting.annual_report", query_value("entity"), *ISSUED,
                answer=rendered_reply))
    issue_annual_report, annual_report_issues = issue_routes(
        "annual", "/reports/annual/{period}", "the Ethics Office's annual report")
    system_wide_report = route(
        "GET", "/reports/system-wide/{period}",
        "Every Panel member's figures for a period (certified figures beside the records), "
        "and their total", tag=TAG, produces=PRODUCES, query=ISSUED_QUERY)(
        forward("reporting.system_wide", *ISSUED, answer=rendered_reply))
    issue_system_wide, system_wide_issues = issue_routes(
        "system-wide", "/reports/system-wide/{period}", "the system-wide roll-up")
    disclosure_annex = route(
        "GET", "/reports/disclosure/{year}/annex",
        "Financial disclosure compliance by entity, with subtotals and the total",
        tag=TAG, produces=PRODUCES, query=ISSUED_QUERY)(
        forward("reporting.annex", *ISSUED, answer=rendered_reply))
    issue_annex, annex_issues = issue_routes(
        "annex", "/reports/disclosure/{year}/annex", "the annex of a cycle")
    disclosure_participation = route(
        "GET", "/reports/disclosure/participation",
        "Figure V: filers by entity category and filing year", tag=TAG,
        produces=PRODUCES, query={"from": "first year (default: four years ago)",
                                  "to": "last year (default: this year)", **FORMAT_QUERY})(
        forward("reporting.participation", query_value("from"), query_value("to"), *FORMAT,
                answer=rendered_reply))
    disclosure_unit_cost = route(
        "GET", "/reports/disclosure/unit-cost",
        "The programme's cost per filer of each cycle: cost sharing lowers it as filers grow",
        tag=TAG, produces=PRODUCES, query={"from": "first year (default: every cycle)",
                                           "to": "last year", **FORMAT_QUERY})(
        forward("reporting.unit_cost", query_value("from"), query_value("to"), *FORMAT,
                answer=rendered_reply))
    report_catalogue = route(
        "GET", "/reports", "The periods and cycles with records, and the versions issued of "
        "each report", tag=TAG)(forward("reporting.catalogue"))
    report_labels_missing = route(
        "GET", "/reports/labels/missing", "Per language, the labels and names that fall back "
        "to English", tag=TAG)(forward("reporting.missing_labels"))
    rebuild_reports = route(
        "POST", "/reports/rebuild",
        "Rebuild reporting's read models by replaying every service's events (admin)",
        tag=TAG, status=202)(forward("reporting.rebuild"))
    rebuild_reports_status = route(
        "GET", "/reports/rebuild", "The state of the last rebuild of the read models",
        tag=TAG)(forward("reporting.rebuild_status"))
