"""schemathesis against the live schema of /api/v1/openapi.json, through the WSGI app (no network).

Every operation gets a few generated requests (each sent as generated, then on a real campaign
and unit) with an administrator's read-write token (so writes
run too): no answer may be a 500 and every documented answer must match its schema. Bounded in time:
MAX_EXAMPLES examples per operation keep the whole module well under two minutes. Runs on SQLite and
on PostgreSQL like the rest of the suite (NUL characters in generated text reach PostgreSQL here).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from rasoat.api.tokens import create_token

MAX_EXAMPLES = 8


@pytest.fixture
def wsgi_app(db):
    """The project's WSGI app, without closing the test's database connection after each request
    (what Django's own test client does too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, campaign, personas):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


@pytest.fixture
def admin_token(personas) -> str:
    return create_token(personas["admin"], "schemathesis", can_write=True)[1]


def test_api_matches_its_schema(api_schema, admin_token):
    """Each operation in turn (schemathesis' pytest plugin does not run under pytest 9 yet)."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    labels = []
    statuses: dict[str, set[int]] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None, derandomize=True)  # fmt: skip
        @given(case=operation.as_strategy())
        def run(case):
            checks = [not_a_server_error, response_schema_conformance]
            case.call_and_validate(headers=headers, checks=checks)
            if case.path_parameters:
                # The same request on a real campaign and unit, so the endpoints do more than 404.
                params = dict(case.path_parameters)
                real = {
                    "code": "RS2026",
                    "unit": "X.03637.UB",
                    "sheet": "B05" if "row_id" in params else "B01",
                }
                case.path_parameters = {**params, **{k: v for k, v in real.items() if k in params}}
                response = case.call_and_validate(headers=headers, checks=checks)
                statuses.setdefault(case.operation.label, set()).add(response.status_code)

        run()
    assert "PUT /api/v1/campaigns/{code}/units/{unit}/data" in labels
    assert "GET /api/v1/campaigns/{code}/export.jsonl" in labels
    assert 200 in statuses["GET /api/v1/campaigns/{code}/units/{unit}/data"]
    assert 200 in statuses["GET /api/v1/campaigns/{code}/dashboard"]
