"""The document the gateway serves, checked as an outside client would: it validates as
OpenAPI 3.1 with `openapi-spec-validator`, and what it says of errors is what the API answers."""
import pytest
import requests
from openapi_spec_validator import validate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served(stack):
    answer = requests.get(f"{stack.base_url}/api/v1/openapi.json", timeout=60)
    assert answer.status_code == 200
    return answer.json()


def test_the_served_document_is_valid_openapi(served):
    validate(served)
    assert served["paths"]["/api/v1/annual-figures/{entity}/{period}"]["put"][
        "operationId"] == "submitAnnualFigures"


def test_a_refusal_the_document_lists_is_answered_with_its_problem_schema(served, api, stack):
    op = served["paths"]["/api/v1/activities"]["post"]
    problem = served["components"]["schemas"]["Problem"]
    answer = api.call("POST", "/activities", json={"participants": True})
    assert str(answer.status_code) in op["responses"]
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert set(problem["required"]) <= set(body) and set(body) <= set(problem["properties"])
    unauthenticated = requests.post(f"{stack.base_url}/api/v1/activities", json={}, timeout=30)
    assert unauthenticated.status_code == 401 and "401" in op["responses"]
