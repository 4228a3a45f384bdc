"""The audit trail stays instant at a year's size: what the admin's list, search, export and
pruning ask of the database, read from the SQL they send (timings are the benchmark's:
`make bench-audit`, docs/performance.md "The audit trail")."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lookup.audit import AuditContext, audit_write
from lookup.models import AuditEntry

CHANGELIST = reverse("admin:lookup_auditentry_changelist")
EXPORT = reverse("admin:lookup_auditentry_export")
DESK = "+442079460018"
CUSTOMER = "7c1e4f2a-0b6d-4d8e-9a31-5f0c2e8b7d11"
REQUEST = uuid.uuid5(uuid.NAMESPACE_URL, "a request").hex  # as RequestIdMiddleware makes


@pytest.fixture
def trail(db, lead):
    """One entry of each kind an admin looks for, among others that share part of each."""
    at = timezone.now() - timedelta(hours=1)
    entries = {
        "number": dict(actor="alice.agent", action="search", phone=DESK),
        "customer": dict(actor="alice.agent", action="customer_view", customer_id=CUSTOMER),
        "request": dict(
            actor="bob.agent", action="search", phone="+33612345678", request_id=REQUEST
        ),
        "lead": dict(actor="leo.lead", user=lead, action="unlink", phone=DESK, customer_id="x"),
        # A name containing "leo" elsewhere than at its start: not "leo".
        "other": dict(actor="cleo.agent", action="search", phone="+442079460019"),
        "account": dict(actor="ada.admin", action="account_created", subject="Leonie"),
    }
    return {
        kind: AuditEntry.objects.create(at=at, request_id=values.pop("request_id", "r"), **values)
        for kind, values in entries.items()
    }


def _listed(client, **query) -> tuple[set[int], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    ids = {entry.pk for entry in response.context["cl"].result_list}
    statements = [q["sql"] for q in captured.captured_queries if "lookup_auditentry" in q["sql"]]
    return ids, statements


def _searched_columns(statements: list[str]) -> set[str]:
    """The trail's columns the list's WHERE clauses read (its date hierarchy's `at` aside)."""
    columns = set()
    for sql in statements:
        where = sql.partition(" WHERE ")[2]
        columns |= set(re.findall(r'"lookup_auditentry"\."(\w+)"', where))
    return columns - {"at", "id"}


@pytest.mark.parametrize(
    ("typed", "column", "found"),
    [
        ("020 7946 0018", "phone", {"number", "lead"}),  # national format, read as E.164
        (DESK, "phone", {"number", "lead"}),
        (CUSTOMER[:8], "customer_id", {"customer"}),
        ("eu-west-1:7c1e", "customer_id", set()),  # an id in a region's namespace
        (REQUEST, "request_id", {"request"}),
        (REQUEST.upper(), "request_id", {"request"}),
    ],
)
def test_a_search_reads_only_the_column_what_was_typed_can_be(
    admin_client_, trail, typed, column, found
):
    ids, statements = _listed(admin_client_, q=typed)
    assert ids == {trail[kind].pk for kind in found}
    assert _searched_columns(statements) == {column}


def test_a_name_finds_its_beginning_in_any_case_never_a_substring(admin_client_, trail):
    ids, statements = _listed(admin_client_, q="LEO")
    # leo.lead by the start of the name, Leonie's account by its whole name; not cleo.agent.
    assert ids == {trail["lead"].pk}
    ids, _ = _listed(admin_client_, q="leonie")
    assert ids == {trail["account"].pk}
    # A customer id of another shape than a UUID may begin so too.
    assert _searched_columns(statements) == {"actor", "subject", "customer_id"}
    where = " ".join(sql.partition(" WHERE ")[2] for sql in statements)
    assert "LEO%'" in where  # exact or by its beginning: an index serves it
    assert "'%LEO" not in where  # no substring search: it would read the whole trail


def test_the_list_never_counts_the_whole_trail(admin_client_, trail, monkeypatch):
    monkeypatch.setattr("lookup.audit_listing.AUDIT_COUNT_BOUND", 4)
    monkeypatch.setattr(admin.site._registry[AuditEntry], "list_per_page", 2)
    for _ in range(3):
        AuditEntry.objects.create(actor="alice.agent", action="search", phone=DESK)
    response = admin_client_.get(CHANGELIST, {"q": "alice"})
    assert "more than 4 results" in response.content.decode()  # beside the search box
    response = admin_client_.get(CHANGELIST)
    assert "More than 4 audit entries" in response.content.decode()
    # Asked for the filters' counts too (Django's "Show counts"): none are made.
    _, statements = _listed(admin_client_, _facets="True")
    counts = [sql for sql in statements if "COUNT(" in sql.upper()]
    assert counts, "the list says how many entries match"
    # Bounded: counted within a LIMIT, never COUNT(*) over every row; no DISTINCT over every
    # entry's date for the date hierarchy either.
    assert all(" LIMIT " in sql for sql in counts)
    assert not any("DISTINCT" in sql.upper() for sql in statements)
    # Else only the date hierarchy's first and last times: the ends of the time index.
    unbounded = [sql for sql in statements if " WHERE " not in sql and " LIMIT " not in sql]
    assert all(
        re.match(r'SELECT MIN\("lookup_auditentry"."at"\) AS "first", MAX', sql)
        for sql in unbounded
    ), unbounded


def test_under_the_bound_the_count_is_exact(admin_client_, trail):
    response = admin_client_.get(CHANGELIST, {"action": "search"})
    assert response.context["cl"].result_count == 3
    assert "More than" not in response.content.decode()


def test_the_date_hierarchy_offers_the_days_between_the_first_and_last_entries(
    admin_client_, trail
):
    # The day of the trail's entries (an hour ago): not today's date in the first hour of a day.
    today = timezone.localdate(trail["number"].at)
    AuditEntry.objects.create(actor="x", action="search", at=timezone.now() - timedelta(days=400))
    response = admin_client_.get(CHANGELIST)
    page = response.content.decode()
    assert f"at__year={today.year}" in page and f"at__year={today.year - 1}" in page
    response = admin_client_.get(CHANGELIST, {"at__year": today.year, "at__month": today.month})
    assert f"at__day={today.day}" in response.content.decode()


def test_the_csv_export_streams(admin_client_, trail):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_.get(EXPORT, {"action": "search"})
        assert isinstance(response, StreamingHttpResponse)
        before_reading = len(captured.captured_queries)
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    # The rows are read while the response is sent, not before it starts.
    assert len(captured.captured_queries) > before_reading
    assert len(rows) == 1 + 3
    export = AuditEntry.objects.get(action=AuditEntry.Action.AUDIT_EXPORT)
    assert export.result_count == 3


def test_pruning_deletes_in_bounded_batches(db):
    old = timezone.now() - timedelta(days=40)
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor="x", action="search", at=old + timedelta(seconds=i)) for i in range(25)]
    )
    kept = AuditEntry.objects.create(actor="x", action="search")
    with CaptureQueriesContext(connection) as captured:
        call_command("prune_audit", "--days=30", "--batch-size=10", stdout=_Sink())
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 25 entries, at most 10 a statement
    assert all('"lookup_auditentry"."id" >=' in sql for sql in deletes)
    assert list(AuditEntry.objects.all()) == [kept]


def test_an_audit_write_is_one_insert(agent):
    with CaptureQueriesContext(connection) as captured:
        audit_write(audit=AuditContext(user=agent), action="search", phone=DESK)
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["INSERT"]


class _Sink:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass
