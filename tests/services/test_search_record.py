"""Reads write nothing; the services the pages and the API call write the audit entry.

The selectors are what a page, a command or a report may call freely: none of them leaves an
entry or changes a record. Only `search_record` and `customer_open` (and the other services)
record who looked.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lookup.audit import AuditContext
from lookup.domain.decisions import LinkDecision
from lookup.models import AuditEntry
from lookup.phones import phone_from_e164, phone_read
from lookup.selectors.audit_trail import searches_recent
from lookup.selectors.customers import customer_details, customer_exists, link_of_customer
from lookup.selectors.numbers import customers_of_number, number_alternatives
from lookup.services.customers import CustomerQuery, customer_open
from lookup.services.search import SearchQuery, search_record
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import decide, store

DESK = "+442079460018"
READS = {"Query", "GetItem", "BatchGetItem"}


@pytest.fixture
def desk(moto_table, lead):
    """Sam and Kim on the desk's number; a lead unlinked Kim's link."""
    sam, kim = f.profile(name="Sam Carter"), f.profile(name="Kim Lee")
    store(
        moto_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    decide(
        LinkDecision.UNLINK,
        customer_id=kim.customer_id,
        phone=DESK,
        by=lead,
        reason="Number reassigned",
    )
    return sam, kim


def _query(phone: str, **fields) -> SearchQuery:
    return SearchQuery(
        reading=phone_read(raw=phone, region="GB"),
        raw=phone,
        region="GB",
        regions=("GB",),
        page_size=25,
        **fields,
    )


def test_the_reads_leave_no_entry_and_change_nothing(moto_table, desk, agent):
    sam, kim = desk
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as sql, count_requests(moto_table) as dynamodb:
        page = customers_of_number(
            number=phone_from_e164(DESK), page_size=25, include_unlinked=True
        )
        alternatives = number_alternatives(raw="020 7946 0018", region="US", regions=["GB"])
        details = customer_details(customer_id=sam.customer_id)
        link = link_of_customer(customer_id=sam.customer_id, phone=DESK, legacy_id=None)
        exists = customer_exists(customer_id=kim.customer_id)
        searches_recent(user=agent)
    # They did read: Sam by the number, Kim's unlinked link (its tombstone), the UK reading.
    assert [match.customer_id for match in page.matches] == [sam.customer_id]
    assert [hint.customer_id for hint in page.unlinked] == [kim.customer_id]
    assert [alternative.number.e164 for alternative in alternatives] == [DESK]
    assert details.profile.name == "Sam Carter" and link is not None and exists
    # And wrote nothing, in either store.
    assert AuditEntry.objects.count() == entries
    writes = [
        q["sql"] for q in sql.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []
    assert set(dynamodb.operations) <= READS


def test_a_search_is_one_entry_naming_the_number_and_the_customers_found(desk, agent):
    results = search_record(query=_query("020 7946 0018"), audit=AuditContext(user=agent))
    assert results.total == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SEARCH)
    assert (entry.user, entry.phone, entry.result_count) == (agent, DESK, 1)


def test_a_leads_search_also_reads_the_unlinked_and_is_still_one_entry(desk, lead):
    _, kim = desk
    results = search_record(
        query=_query("020 7946 0018", include_unlinked=True), audit=AuditContext(user=lead)
    )
    assert [hint.customer_id for hint in results.unlinked] == [kim.customer_id]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH, user=lead).count() == 1


def test_opening_a_customer_is_an_entry_reading_one_is_not(desk, agent):
    sam, _ = desk
    customer_details(customer_id=sam.customer_id)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_VIEW).exists()
    details = customer_open(
        query=CustomerQuery(customer_id=sam.customer_id, include_unlinked=False, searched=DESK),
        audit=AuditContext(user=agent),
    )
    assert details.numbers[0].searched
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CUSTOMER_VIEW)
    assert (entry.user, entry.customer_id) == (agent, sam.customer_id)
