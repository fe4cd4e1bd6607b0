"""The OpenAPI 3.1 document, generated from the routes and their pydantic models: operations
named by their attribute on the service (`submit_annual_figures` is `submitAnnualFigures`),
typed path and query parameters, and the problem+json answers each operation can give."""
import re

from pydantic.json_schema import models_json_schema

from shared.contracts import intake

from . import domain
from .api import PREFIX, ROUTES
from .domain.bodies import CSV_PATTERN
from .examples import WRITE_EXAMPLES
from .parameters import QUERY_MODELS, QUERY_PARAMETERS, path_schema

LOC = {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}
FIELD_ERROR = {"type": "object", "properties": {"loc": LOC, "msg": {"type": "string"}},
               "required": ["loc", "msg"]}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem: what was refused and, in `errors`, which fields",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "errors": {"type": "array", "items": FIELD_ERROR}},
    "required": ["title", "status"],
}
BATCH_ANSWER = {
    "type": "object",
    "description": "How many rows were stored, and every other row with its reasons",
    "properties": {"accepted": {"type": "integer", "minimum": 0}, "rejected": {
        "type": "array", "items": {"type": "object", "properties": {
            "row": {"type": "integer", "minimum": 1},
            "status": {"type": "integer"},
            "errors": {"type": "array", "items": FIELD_ERROR}}, "required": ["row", "errors"]}}},
    "required": ["accepted", "rejected"],
}

CSV_TEXT = {"type": "string", "pattern": CSV_PATTERN,
            "description": "UTF-8 CSV: a header row naming the columns, then one row a record"}


def build_openapi(service=None, title="EPUN platform API", version="1.0.0") -> dict:
    names = operation_names(service)
    models = {m for r in ROUTES for m in (r.body, r.response, *_listed(r.response),
                                          QUERY_MODELS.get(r.path)) if _is_model(m)}
    schemas = {}
    if models:
        _, defs = models_json_schema([(m, "validation") for m in sorted(models, key=str)],
                                     ref_template="#/components/schemas/{model}")
        schemas = defs.get("$defs", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["BatchAnswer"] = BATCH_ANSWER
    paths: dict = {}
    for r in ROUTES:
        paths.setdefault(PREFIX + r.path, {})[r.method.lower()] = _operation(r, names, schemas)
    return {"openapi": "3.1.0", "info": {"title": title, "version": version},
            "servers": [{"url": "/"}], "paths": paths,
            "components": {"schemas": schemas, "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"}}}}


def operation_names(service) -> dict:
    """Each route's operation id: its attribute's name on the service, in camelCase."""
    names = {}
    for cls in reversed(service.__mro__) if service else ():
        for attribute, value in vars(cls).items():
            spec = getattr(value, "route_spec", None)
            if spec is not None:
                names[id(spec)] = re.sub(r"_(\w)", lambda m: m.group(1).upper(), attribute)
    return names


def _is_model(m) -> bool:
    return isinstance(m, type) and hasattr(m, "model_json_schema")


def _listed(response) -> list:
    return response[:1] if isinstance(response, list) else []


def _ref(model) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(r, names: dict, schemas: dict) -> dict:
    params = [{"name": n, "in": "path", "required": True, "schema": path_schema(r.path, n)}
              for n in r.path_names]
    params += _query_parameters(r, schemas)
    op = {"summary": r.summary, "tags": [r.tag], "parameters": params,
          "operationId": names.get(id(r)) or re.sub(r"\W+", "_", f"{r.method}_{r.path}")
          .strip("_").lower(),
          "responses": {str(r.status): {"description": "OK", "content": _content(r)},
                        **{str(status): {"description": why, "content": _content(r)}
                           for status, why in r.also.items()},
                        **_problems(r)}}
    if r.body is not None and r.body.__doc__ and not r.batch:
        op["description"] = " ".join(r.body.__doc__.split())
    if not r.public:
        op["security"] = [{"bearer": []}]
    if r.method != "GET":
        op["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                 "schema": {"type": "string",
                                            "maxLength": domain.IDEMPOTENCY_KEY_MAX}})
    example = WRITE_EXAMPLES.get(r.body)
    if r.batch and r.body is not None:
        rows = {"schema": {
            "type": "object", "required": ["items"], "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": _ref(r.body),
                                     "maxItems": intake.MAX_BATCH_ROWS}}}}
        if example:
            rows["example"] = {"items": [example]}
        op["requestBody"] = {"required": True, "content": {
            "application/json": rows,
            "text/csv": {"schema": CSV_TEXT, "example": _csv_example(r.body, schemas)}}}
    elif r.body is not None:
        body = {"schema": _ref(r.body)}
        if example:
            body["example"] = example
        op["requestBody"] = {"required": True, "content": {"application/json": body}}
    return op


def _csv_example(model, schemas) -> str:
    return ",".join(schemas.get(model.__name__, {}).get("properties", {})) + "\n"


def _query_parameters(r, schemas) -> list:
    model = QUERY_MODELS.get(r.path) if r.method == "GET" else None
    if model is None:
        return [{"name": n, "in": "query", "required": False, "description": d,
                 "schema": QUERY_PARAMETERS.get(n, {"type": "string"})}
                for n, d in r.query.items()]
    found = schemas[model.__name__]
    params = []
    for name, schema in found.get("properties", {}).items():
        schema = _not_null(schema)
        params.append({"name": name, "in": "query", "schema": schema,
                       "required": name in found.get("required", []),
                       "description": r.query.get(name, "")})
    return params


def _not_null(schema: dict) -> dict:
    """An optional query parameter's schema: left out, never null."""
    schema = {k: v for k, v in schema.items() if k not in ("title", "default") or v is not None}
    schema.pop("title", None)
    others = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" in schema and len(others) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**others[0], **rest}
    if "anyOf" in schema:
        schema["anyOf"] = others
    return schema


PROBLEM_REF = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
WHY = {400: "The body cannot be read (not JSON, nested too deeply, not a batch)",
       401: "No token, or one unknown, expired or revoked",
       403: "The role may not do this, or the record belongs to another entity",
       404: "No such record, or none the actor may see",
       409: "The record's state does not allow this, or an Idempotency-Key was used with "
            "another body",
       411: "A body sent without its Content-Length",
       413: "The body is over the size limit, or a batch has too many rows",
       415: "A body of another media type",
       422: "Values that break a rule, each named in `errors`",
       429: "The token is over its rate limit; Retry-After says when to try again",
       503: "A service the call needs does not answer"}


def _problems(r) -> dict:
    """Every problem+json answer the operation can give."""
    codes = {400, 404, 422, 503}
    if not r.public:
        codes |= {401, 403, 429}
    if r.method != "GET":
        codes |= {409, 411, 413, 415}
    answers = {str(c): {"description": WHY[c], "content": PROBLEM_REF} for c in sorted(codes)}
    if 401 in codes:
        answers["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if 429 in codes:
        answers["429"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return answers


def _content(r) -> dict:
    schema: dict
    if r.batch:
        schema = {"$ref": "#/components/schemas/BatchAnswer"}
    elif _is_model(r.response):
        schema = _ref(r.response)
    elif isinstance(r.response, list) and r.response and _is_model(r.response[0]):
        schema = {"type": "array", "items": _ref(r.response[0])}
    else:
        schema = {"type": "object"}
    return {ctype: {"schema": schema if ctype == "application/json" else {"type": "string"}}
            for ctype in r.produces}
