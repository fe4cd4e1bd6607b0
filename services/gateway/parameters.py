"""The path and query parameters of the API, typed once: the OpenAPI document declares these
schemas and the gateway checks every request's parameters against the same ones, so what the
document says is what the API accepts."""
import datetime as dt
import re
from collections.abc import Mapping

from shared.contracts import audit, deliveries, disclosure, intake, panel
from shared.contracts.common import ENTITY_CODE_PATTERN
from shared.kernel.errors import Invalid

ENTITY = {"type": "string", "pattern": ENTITY_CODE_PATTERN}
PERIOD = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "description": "e.g. 2014-15"}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}
RECORD_ID = {"type": "string", "pattern": r"^[0-9a-f]{24}$"}
DAY = {"type": "string", "format": "date"}
PATH_PARAMETERS: dict[str, dict] = {
    "entity": ENTITY, "period": PERIOD, "year": YEAR, "id": RECORD_ID,
    "inquiry_id": RECORD_ID, "request_id": RECORD_ID,
    "staff_id": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"},
    "email": {"type": "string", "minLength": 3, "maxLength": 320},
    "code": {"type": "string", "minLength": 1, "maxLength": 200},
}
PATH_OVERRIDES: dict[tuple[str, str], dict] = {("/entities/{code}", "code"): ENTITY}
# the query parameters of routes whose service reads the query string as a model
QUERY_MODELS = {
    "/service-requests": intake.ServiceRequestQuery, "/activities": intake.ActivityQuery,
    "/retaliation-inquiries": intake.InquiryQuery,
    "/disclosure/cycles/{year}/filers": disclosure.FilerQuery,
    "/disclosure/cycles/{year}/non-filers": disclosure.NonFilerQuery,
    "/panel/members": panel.MemberQuery, "/panel/meetings": panel.MeetingQuery,
    "/panel/consultations": panel.ConsultationQuery, "/panel/topics": panel.PeriodQuery,
    "/panel/report-reviews": panel.ReportReviewQuery,
    "/panel/chair-reviews": panel.ChairReviewQuery, "/audit": audit.AuditQuery,
    "/notifications": deliveries.DeliveryQuery,
}
# the others, by name
QUERY_PARAMETERS = {
    "entity": ENTITY, "period": PERIOD, "as_of": DAY, "submitted_on": DAY,
    "limit": {"type": "integer", "minimum": 1}, "cursor": {"type": "string"},
    "format": {"type": "string", "enum": ["json", "csv", "xlsx", "html", "pdf", "docx"]},
    "lang": {"type": "string", "enum": ["en", "zh", "fr", "es", "ru", "ar"]},
    "version": {"type": "integer", "minimum": 1},
    "from": YEAR, "to": YEAR, "by": {"type": "string",
                                     "enum": ["entity", "duty_station", "category"]},
}
# what a value of each kind looks like, said to the person who typed another
SHAPES = {id(ENTITY): "an entity code is capital letters and digits, for example UNDP",
          id(PERIOD): "a period is written YYYY-YY, for example 2014-15",
          id(RECORD_ID): "a record id is 24 hexadecimal characters",
          id(DAY): "a day is written YYYY-MM-DD, for example 2015-03-01"}


def path_schema(path: str, name: str) -> dict:
    return PATH_OVERRIDES.get((path, name), PATH_PARAMETERS.get(name, {"type": "string"}))


def query_schemas(path: str, described: dict) -> dict:
    """The typed query parameters the gateway checks itself (a query read as a model is the
    service's to check)."""
    if path in QUERY_MODELS:
        return {}
    return {n: QUERY_PARAMETERS[n] for n in described if n in QUERY_PARAMETERS}


def check_parameters(path: str, path_values: dict, described: dict, query: dict):
    """Invalid naming every path or query parameter that its schema does not allow."""
    problems = [(["path", n], _fault(path_schema(path, n), v)) for n, v in path_values.items()]
    problems += [(["query", n], _fault(schema, query[n]))
                 for n, schema in query_schemas(path, described).items() if n in query]
    found = [{"loc": loc, "msg": msg} for loc, msg in problems if msg]
    if found:
        raise Invalid.of(found, "; ".join(f"{p['loc'][-1]}: {p['msg']}" for p in found))


def parameters_fit(path: str, path_values: Mapping[str, str]) -> bool:
    return not any(_fault(path_schema(path, n), v) for n, v in path_values.items())


def _fault(schema: dict, value: str) -> str | None:
    """What is wrong with `value` for `schema`, in a sentence, or None."""
    if schema.get("type") == "integer":
        if not re.fullmatch(r"-?\d{1,18}", value):
            return "must be a whole number"
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and int(value) < low) or (high is not None and int(value) > high):
            return (f"must be from {low} to {high}" if high is not None
                    else f"must be {low} or more")
        return None
    if "enum" in schema and value not in schema["enum"]:
        return "must be one of " + ", ".join(sorted(schema["enum"]))
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
        return f"must be {schema.get('minLength', 0)} to {schema['maxLength']} characters long"
    wrong = ("pattern" in schema and not re.search(schema["pattern"], value)) or (
        schema.get("format") == "date" and not _is_day(value))
    return SHAPES.get(id(schema), "is not in the form the API expects") if wrong else None


def _is_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))
