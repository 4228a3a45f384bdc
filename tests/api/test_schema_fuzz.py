"""The API against its own OpenAPI document: generated requests, never a 5xx, responses as
documented (schemathesis through the WSGI app, bounded so it stays a few hundred calls)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lookup.models import ApiClient
from supporttool.wsgi import application
from tests import factories as f
from tests.lookups import store

EXAMPLES_PER_OPERATION = 150
# What the API promises whatever it is sent. Not whether a schema-valid request is accepted: no
# schema can say which strings are phone numbers (the server answers 400 naming the field).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded from the app itself, as a client would fetch it.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _requests_keep_the_test_database_connection():
    """The WSGI app closes database connections after each request, as in production; Django's
    own test client switches that off, and so must this direct WSGI caller, or the test's
    transaction (PostgreSQL) is closed under it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def caller_headers(db) -> dict[str, str]:
    """A client holding both scopes, so every documented operation can be reached."""
    client = ApiClient(
        name="schema-fuzzer",
        scopes=[ApiClient.Scope.LINKS_WRITE, ApiClient.Scope.CUSTOMERS_READ],
    )
    key = client.issue_key()
    client.save()
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def some_customers(moto_table):
    """Something to find: a shared UK mobile and a Brazilian number with an older form."""
    people = [f.profile() for _ in range(3)]
    store(
        moto_table,
        profiles=people,
        links=[f.order_link(person.customer_id, f.UK_MOBILE) for person in people]
        + [f.legacy_link(people[0].customer_id, "+551187654321")],
    )


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_answers_as_documented(case, caller_headers, some_customers, settings):
    settings.RATE_LIMIT_API_CALLS_PER_MINUTE = 0  # a few hundred calls in a few seconds
    response = case.call_and_validate(headers=caller_headers, checks=CHECKS)
    assert response.status_code < 500
