"""The OpenAPI document says exactly what the API does: it names its operations, types every
parameter, declares `items` on every array and gives each operation its problem+json answers
(that the served document validates as OpenAPI 3.1 is checked with the integration tests, in
tests/integration/test_api_document.py: the validator takes a minute)."""
import json
import re

import pytest
from services.gateway.api import ROUTES
from services.gateway.examples import WRITE_EXAMPLES
from services.gateway.openapi import build_openapi
from services.gateway.service import GatewayService


@pytest.fixture(scope="module")
def doc():
    return build_openapi(GatewayService)


def operations(doc):
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            yield path, method, op


def test_the_document_holds_every_route(doc):
    assert sum(1 for _ in operations(doc)) == len(ROUTES)


def test_operations_are_named_by_what_they_do(doc):
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids
    by_route = {(m, p): op["operationId"] for p, m, op in operations(doc)}
    assert by_route["put", "/api/v1/annual-figures/{entity}/{period}"] == "submitAnnualFigures"
    assert by_route["post", "/api/v1/disclosure/cycles/{year}/filers"] == "enrolFilers"
    assert by_route["post", "/api/v1/activities/batch"] == "recordActivities"


def arrays(node, where=""):
    """Every schema of type array in `node`, with where it is."""
    if isinstance(node, dict):
        if node.get("type") == "array":
            yield where, node
        for key, value in node.items():
            yield from arrays(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from arrays(value, f"{where}/{i}")


def test_every_array_says_what_it_holds(doc):
    untyped = [where for where, schema in arrays(doc) if "items" not in schema]
    assert untyped == []


def test_path_parameters_are_typed(doc):
    for path, _, op in operations(doc):
        for p in op["parameters"]:
            if p["in"] == "path":
                schema = p["schema"]
                assert set(schema) - {"type"}, (path, p["name"], schema)
    params = {(path, p["name"]): p["schema"] for path, _, op in operations(doc)
              for p in op["parameters"]}
    assert params["/api/v1/annual-figures/{entity}/{period}", "period"]["pattern"] == \
        r"^\d{4}-\d{2}$"
    assert params["/api/v1/entities/{code}", "code"]["pattern"].startswith("^[A-Z]")
    assert params["/api/v1/disclosure/cycles/{year}", "year"] == {
        "type": "integer", "minimum": 2000, "maximum": 2100}


def test_query_parameters_are_typed_from_the_models_the_services_read(doc):
    params = {(path, p["name"]): p["schema"] for path, _, op in operations(doc)
              for p in op["parameters"] if p["in"] == "query"}
    assert params["/api/v1/activities", "limit"]["type"] == "integer"
    assert params["/api/v1/activities", "period"]["pattern"] == r"^\d{4}-\d{2}$"
    assert params["/api/v1/activities", "kind"] == {"$ref": "#/components/schemas/ActivityKind"}
    assert params["/api/v1/retaliation-inquiries", "overdue"]["type"] == "boolean"
    assert params["/api/v1/panel/meetings", "limit"]["maximum"] == 1000
    assert params["/api/v1/reports/annual/{period}", "format"]["enum"][0] == "json"
    assert all(s != {"type": "string"} or name in ("tag", "cursor")
               for (_, name), s in params.items()), params
    nullable = [k for k, s in params.items() if {"type": "null"} in s.get("anyOf", [])]
    assert nullable == []


def test_every_operation_documents_its_problems(doc):
    for path, method, op in operations(doc):
        answers = op["responses"]
        problems = {code for code, a in answers.items()
                    if "application/problem+json" in a.get("content", {})}
        assert {"400", "404", "422"} <= problems, (path, method)
        if "security" in op:
            assert {"401", "403", "429"} <= problems
            assert "WWW-Authenticate" in answers["401"]["headers"]
            assert "Retry-After" in answers["429"]["headers"]
        if method != "get":
            assert {"409", "413", "415"} <= problems


def test_batches_take_csv_as_well_as_json(doc):
    for path, method, op in operations(doc):
        if path.endswith("/batch") or path.endswith("/filers") and method == "post":
            content = op["requestBody"]["content"]
            assert set(content) == {"application/json", "text/csv"}, path
            assert content["text/csv"]["example"].count(",") >= 1
            answer = op["responses"]["201" if "disclosure" in path else "200"]
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/BatchAnswer"}


def test_the_writes_are_described_by_their_models_docstrings(doc):
    op = doc["paths"]["/api/v1/retaliation-inquiries"]["post"]
    assert op["description"].startswith("A retaliation inquiry as received")


@pytest.mark.parametrize("model", list(WRITE_EXAMPLES), ids=lambda m: m.__name__)
def test_each_main_write_shows_an_example_its_model_accepts(doc, model):
    example = WRITE_EXAMPLES[model]
    model.model_validate_json(json.dumps(example), strict=True)
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    shown = []
    for item in doc["paths"].values():
        for op in item.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body.get("schema") == ref:
                shown.append(body.get("example"))
            elif body.get("schema", {}).get("properties", {}).get("items", {}).get(
                    "items") == ref:
                shown.append(body.get("example", {}).get("items", [None])[0])
    assert shown and all(found == example for found in shown)
