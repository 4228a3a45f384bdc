"""What a page costs: its DynamoDB requests and its SQL statements, counted, so that a change
which adds a round trip or a query fails here (the timings are `make bench`'s job)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.conftest import count_requests

SEARCH = reverse("lookup:search")

# Every page an agent opens: who is signed in, what they may do, the per-person limit, and the
# audit entry written before the response. Nothing else: the session is renewed at most once a
# minute and saved by a search only when its country changes.
PAGE_STATEMENTS = [
    "SELECT django_session",
    "SELECT auth_user",
    "UPDATE lookup_ratecounter",
    "SELECT auth_permission",
    "INSERT lookup_auditentry",
]


def statements(queries: CaptureQueriesContext) -> list[str]:
    """Each statement as its verb and first table ("SELECT auth_user")."""
    kinds = []
    for query in queries.captured_queries:
        sql = query["sql"].replace('"', "")
        verb = sql.split()[0].upper()
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", sql, re.IGNORECASE)
        kinds.append(f"{verb} {table.group(1) if table else ''}".strip())
    return kinds


@pytest.fixture
def warm_agent(agent_client, shared_number):
    """An agent whose session has searched this number in this country this minute."""
    agent_client.get(SEARCH, {"phone": factories.UK_MOBILE, "country": "GB"})
    return agent_client


def test_a_search_is_two_dynamodb_requests_and_five_sql_statements(
    warm_agent, moto_table, shared_number
):
    with count_requests(moto_table) as log, CaptureQueriesContext(connection) as queries:
        response = warm_agent.get(SEARCH, {"phone": factories.UK_MOBILE, "country": "GB"})

    assert response.status_code == 200 and "2 customers" in response.content.decode()
    assert log.operations == ["Query", "BatchGetItem"]
    assert sorted(statements(queries)) == sorted(PAGE_STATEMENTS)


def test_a_customer_page_is_two_dynamodb_requests_and_five_sql_statements(
    warm_agent, moto_table, shared_number
):
    owner, _ = shared_number
    path = reverse("lookup:customer", args=[owner.customer_id])
    warm_agent.get(path)

    with count_requests(moto_table) as log, CaptureQueriesContext(connection) as queries:
        response = warm_agent.get(path)

    assert response.status_code == 200 and owner.name in response.content.decode()
    assert log.counts == {"Query": 2}
    assert sorted(statements(queries)) == sorted(PAGE_STATEMENTS)


def test_changing_the_country_also_saves_the_session(warm_agent, moto_table, shared_number):
    # The country box remembers the last country: that, and only that, is worth a session write.
    with CaptureQueriesContext(connection) as queries:
        warm_agent.get(SEARCH, {"phone": "+447946095812", "country": "DE"})

    assert "UPDATE django_session" in statements(queries)
