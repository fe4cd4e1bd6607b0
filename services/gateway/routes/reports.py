"""Routes of the reports area (API.md): the annual report, the system-wide roll-up, the annex and
figure V, each in JSON, CSV, XLSX or HTML (`?format=`, labels by `?lang=`); and the rebuild of
reporting's read models. The reporting service renders; these routes set the content types."""
import base64

from ..api import Reply, route

FORMAT_QUERY = {"format": "json (default), csv, xlsx or html",
                "lang": "the labels' language: en (default) or zh"}
PRODUCES = ("application/json", "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/html")
DOWNLOADS = ("text/csv", "application/vnd.openxmlformats")


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


def _format(call) -> tuple:
    return call.query.get("format") or "json", call.query.get("lang") or None


class ReportsRoutes:
    @route("GET", "/reports/annual/{period}", "The annual report of an ethics office",
           tag="reports", produces=PRODUCES,
           query={"entity": "the ethics office (default EO; a focal point's own entity)",
                  **FORMAT_QUERY})
    def annual_report(self, call, period):
        return rendered_reply(self.reporting.annual_report(
            call.who, period, call.query.get("entity") or None, *_format(call)))

    @route("GET", "/reports/system-wide/{period}",
           "Every member entity's figures for a period, and their total", tag="reports",
           produces=PRODUCES, query=FORMAT_QUERY)
    def system_wide_report(self, call, period):
        return rendered_reply(self.reporting.system_wide(call.who, period, *_format(call)))

    @route("GET", "/reports/disclosure/{year}/annex",
           "Financial disclosure compliance by entity, with subtotals and the total",
           tag="reports", produces=PRODUCES, query=FORMAT_QUERY)
    def disclosure_annex(self, call, year):
        return rendered_reply(self.reporting.annex(call.who, year, *_format(call)))

    @route("GET", "/reports/disclosure/participation",
           "Figure V: filers by entity category and filing year", tag="reports",
           produces=PRODUCES, query={"from": "first year (default: four years ago)",
                                     "to": "last year (default: this year)", **FORMAT_QUERY})
    def disclosure_participation(self, call):
        return rendered_reply(self.reporting.participation(
            call.who, call.query.get("from"), call.query.get("to"), *_format(call)))

    @route("POST", "/reports/rebuild",
           "Rebuild reporting's read models by replaying every service's events (admin)",
           tag="reports", status=202)
    def rebuild_reports(self, call):
        return Reply(self.reporting.rebuild(call.who), 202)

    @route("GET", "/reports/rebuild", "The state of the last rebuild of the read models",
           tag="reports")
    def rebuild_reports_status(self, call):
        return self.reporting.rebuild_status(call.who)
