"""The OpenAPI 3.1 document: valid, complete (every API route and nothing else), and true —
a property-based fuzz run (schemathesis, on hypothesis) against the live app finds no 5xx and
no answer that breaks the document."""

import re
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tracker.extensions import db
from tracker.models import Target

from ..conftest import PASSWORD


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_names_every_api_route_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").json
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def fuzz_world(client, make, org):
    """An admin's token and a few real records, so that fuzzed ids sometimes hit."""
    make.user("admin", org["ministry"], username="root")
    directive = make.directive("57-NQ/TW")
    db.session.add(
        Target(directive=directive, code="MT1", title="Decrees", due_on=date(2030, 1, 1))
    )
    db.session.commit()
    for number in range(3):
        make.task(org["department"], directive, code=f"T{number}")
    token = client.post("/api/v1/tokens", json={"username": "root", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json['token']}"}


@fuzzed.exclude(method="DELETE", path="/api/v1/tokens/current").parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzing_finds_no_server_error_and_no_answer_off_the_document(case, fuzz_world):
    response = case.call(headers=fuzz_world)
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
