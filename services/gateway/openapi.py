"""The OpenAPI 3.1 document, generated from the routes and their pydantic models."""
import re

from pydantic.json_schema import models_json_schema

from .api import PREFIX, ROUTES

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "errors": {"type": "array", "items": {"type": "object", "properties": {
                       "loc": {"type": "array"}, "msg": {"type": "string"}}}}},
    "required": ["title", "status"],
}
BATCH_ANSWER = {
    "type": "object",
    "properties": {"accepted": {"type": "integer"}, "rejected": {"type": "array", "items": {
        "type": "object", "properties": {"row": {"type": "integer"},
                                         "errors": {"type": "array"}}}}},
}


def build_openapi(title="EPUN platform API", version="1.0.0") -> dict:
    models = {m for r in ROUTES for m in (r.body, r.response, *_listed(r.response))
              if _is_model(m)}
    schemas = {}
    if models:
        _, defs = models_json_schema([(m, "validation") for m in sorted(models, key=str)],
                                     ref_template="#/components/schemas/{model}")
        schemas = defs.get("$defs", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["BatchAnswer"] = BATCH_ANSWER
    paths: dict = {}
    for r in ROUTES:
        paths.setdefault(PREFIX + r.path, {})[r.method.lower()] = _operation(r)
    return {"openapi": "3.1.0", "info": {"title": title, "version": version},
            "servers": [{"url": "/"}], "paths": paths,
            "components": {"schemas": schemas, "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"}}}}


def _is_model(m) -> bool:
    return isinstance(m, type) and hasattr(m, "model_json_schema")


def _listed(response) -> list:
    return response[:1] if isinstance(response, list) else []


def _ref(model) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(r) -> dict:
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in re.findall(r"\{(\w+)\}", r.path)]
    params += [{"name": n, "in": "query", "required": False, "schema": {"type": "string"},
                "description": d} for n, d in r.query.items()]
    op = {"summary": r.summary, "tags": [r.tag], "parameters": params,
          "operationId": re.sub(r"\W+", "_", f"{r.method}_{r.path}").strip("_").lower(),
          "responses": {str(r.status): {"description": "OK", "content": _content(r)},
                        "default": {"description": "Problem", "content": {
                            "application/problem+json": {"schema": _ref_name("Problem")}}}}}
    if not r.public:
        op["security"] = [{"bearer": []}]
    if r.method != "GET":
        op["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                 "schema": {"type": "string"}})
    if r.batch and r.body is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "items": {"type": "array", "items": _ref(r.body)}}}},
            "text/csv": {"schema": {"type": "string"}}}}
    elif r.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": _ref(r.body)}}}
    return op


def _ref_name(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _content(r) -> dict:
    if r.batch:
        schema = _ref_name("BatchAnswer")
    elif _is_model(r.response):
        schema = _ref(r.response)
    elif isinstance(r.response, list) and r.response and _is_model(r.response[0]):
        schema = {"type": "array", "items": _ref(r.response[0])}
    else:
        schema = {"type": "object"}
    return {ctype: {"schema": schema if ctype == "application/json" else {"type": "string"}}
            for ctype in r.produces}
