"""/healthz and /readyz as a load balancer and an orchestrator call them."""

import time

import pytest
from django.db import OperationalError, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from lookup.models import AuditEntry
from lookup.repository import get_table
from tests.servers import free_port

pytestmark = pytest.mark.django_db

# A load balancer's target-group probe names the target by its private address, not a host the
# tool serves (DJANGO_ALLOWED_HOSTS).
PROBE_HOST = "10.0.3.17:8000"


@pytest.fixture
def dynamodb_down(monkeypatch):
    """DynamoDB's endpoint on a loopback port nothing listens on."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{free_port()}")
    get_table.cache_clear()


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails as when PostgreSQL is unreachable."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.9.9 failed: timeout expired")

    monkeypatch.setattr(connections["default"], "cursor", refuse)


def probe(path: str, client: Client | None = None, **extra):
    return (client or Client()).get(path, HTTP_HOST=PROBE_HOST, **extra)


def test_healthz_answers_ok_without_touching_any_dependency(
    dynamodb_down, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = probe("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_table_and_the_database_answer(moto_table):
    response = probe("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "dynamodb": "ok"},
    }


def test_readyz_is_503_naming_dynamodb_when_it_cannot_be_reached(dynamodb_down):
    started = time.monotonic()
    response = probe("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "dynamodb": "unavailable"},
    }
    assert elapsed < 5


def test_readyz_is_503_naming_dynamodb_when_the_table_is_missing(moto_table, settings):
    settings.DYNAMODB_TABLE_NAME = "no-such-table"
    get_table.cache_clear()

    response = probe("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["dynamodb"] == "unavailable"


def test_readyz_is_503_naming_the_database_without_its_error(moto_table, database_down):
    response = probe("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "dynamodb": "ok"}
    # Who probes is anonymous: the error, with its host name, stays in the log.
    assert b"10.0.9.9" not in response.content


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/healthz/", "/readyz/"])
def test_probes_leave_no_trace_and_need_no_sign_in(moto_table, agent_client, path):
    anonymous = probe(path)
    signed_in = probe(path, agent_client)

    assert anonymous.status_code == signed_in.status_code == 200
    assert not anonymous.cookies and not signed_in.cookies  # no session, no CSRF cookie
    assert not AuditEntry.objects.exists()


def test_probes_accept_head_and_refuse_other_methods(moto_table):
    assert Client().head("/readyz", HTTP_HOST=PROBE_HOST).status_code == 200
    refused = Client().post("/healthz", HTTP_HOST=PROBE_HOST)
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"


def test_other_pages_still_refuse_a_host_the_tool_does_not_serve(agent_client):
    assert agent_client.get("/", HTTP_HOST=PROBE_HOST).status_code == 400


def test_readyz_stays_ready_with_migrations_this_code_does_not_ship(moto_table):
    # As on an old host after `manage.py migrate` ran for the next release (expand/contract:
    # the database is migrated first, then hosts roll), or on a host rolled back to this one.
    MigrationRecorder.Migration.objects.create(app="lookup", name="9999_from_the_next_release")

    response = probe("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "dynamodb": "ok"}


def test_readyz_is_503_while_migrations_are_pending(moto_table):
    # As on a host started with a new release before `manage.py migrate` ran.
    MigrationRecorder.Migration.objects.filter(app="lookup").order_by("-name").first().delete()

    response = probe("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "migrations pending", "dynamodb": "ok"}
