"""Keeping the review queue current: a number's refresh, every ingestion path's hook, a lead's
unlink and restore (`lookup.services.review`), and what the hook costs in DynamoDB requests."""

import logging
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lookup.domain import LinkChange
from lookup.domain.decisions import LinkDecision
from lookup.domain.errors import DirectoryUnavailable
from lookup.models import ReviewItem
from lookup.repository import get_links, get_table
from lookup.repository.links import LinkRepository
from lookup.selectors.policy import freshness
from lookup.services.ingestion import order_event_ingest
from lookup.services.review import review_numbers_refresh, review_numbers_store
from tests import factories as f
from tests.conftest import count_requests
from tests.factories import NOW
from tests.ingestion.conftest import order_event
from tests.lookups import decide, store, stored_link
from tests.review.conftest import queued

NUMBER = "+447946095812"  # order_event's default drop-off phone, read in GB
SUPERSEDED, STALE = "superseded", "possibly_stale"


def _order(customer: str, days_ago: float, order_id: str | None = None):
    return order_event(
        customer=customer,
        order_id=order_id,
        created_at=(NOW - timedelta(days=days_ago)).replace(microsecond=0),
    )


def _span(customer: str, *, first: int, last: int, phone: str = NUMBER, **fields):
    return f.order_link(
        customer,
        phone,
        first_seen=NOW - timedelta(days=first),
        last_seen=NOW - timedelta(days=last),
        **fields,
    )


def test_a_refresh_makes_the_numbers_rows_exactly_its_queue_entries(moto_table, db):
    other_number = "+447700900461"
    store(
        moto_table,
        links=[
            _span("alice", first=700, last=200),  # superseded by bruno
            _span("bruno", first=100, last=2),
            _span("olga", first=900, last=400, phone=other_number),  # stale, not refreshed
            f.profile_link("owner", NUMBER, first_seen=NOW - timedelta(days=3000)),
        ],
    )
    # A row the rule no longer gives (bruno is current), one it gives with an old evidence.
    for customer, reason in (("bruno", STALE), ("alice", STALE)):
        ReviewItem.objects.create(
            customer_id=customer,
            phone=NUMBER,
            source="order",
            reason=reason,
            rank=1,
            evaluated_at=NOW,
        )

    change = review_numbers_refresh(phones=[NUMBER])

    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    assert (change.added, change.removed, change.kept) == (0, 1, 1)
    row = ReviewItem.objects.get()
    assert (row.first_seen, row.last_seen, row.order_count, row.country) == (
        NOW - timedelta(days=700),
        NOW - timedelta(days=200),
        3,
        "GB",  # the number's region: the link has no country of its own
    )
    assert (row.superseded_since, row.superseded_by, row.superseder_order_count) == (
        NOW - timedelta(days=100),
        "bruno",
        3,
    )
    assert row.superseder_last_seen == NOW - timedelta(days=2)


def test_a_first_order_on_a_shared_number_queues_the_old_customers_link(moto_table, review_on):
    order_event_ingest(event=_order("alice", days_ago=300))
    order_event_ingest(event=_order("alice", days_ago=200))
    assert queued() == set()

    order_event_ingest(event=_order("bruno", days_ago=30))

    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    row = ReviewItem.objects.get()
    assert (row.order_count, row.superseded_by, row.superseded_since) == (
        2,
        "bruno",
        NOW - timedelta(days=30),
    )
    assert row.version == stored_link("alice", NUMBER).version


def test_a_later_order_on_the_superseded_link_takes_it_out(moto_table, review_on):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))
    review_numbers_refresh(phones=[NUMBER])
    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}

    order_event_ingest(event=_order("alice", days_ago=1))

    assert queued() == set()


def test_an_older_order_arriving_late_un_supersedes(moto_table, review_on):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))
    review_numbers_refresh(phones=[NUMBER])
    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    # Bruno's first order was in fact before Alice's last: they shared the number.
    order_event_ingest(event=_order("bruno", days_ago=250))

    assert queued() == set()


def test_an_unlink_of_the_newer_customer_takes_the_older_out_and_a_restore_back(
    moto_table, review_on, lead
):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))

    decide(LinkDecision.UNLINK, customer_id="bruno", phone=NUMBER, by=lead, reason="Wrong")
    assert queued() == set()

    decide(LinkDecision.RESTORE, customer_id="bruno", phone=NUMBER, by=lead, reason="Right")
    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}


def test_an_unlink_of_a_queued_link_takes_it_out(moto_table, review_on, lead):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))
    review_numbers_refresh(phones=[NUMBER])
    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}

    decide(LinkDecision.UNLINK, customer_id="alice", phone=NUMBER, by=lead, reason="Moved")

    assert queued() == set()


def _operations(event) -> Counter:
    with count_requests(get_table()) as log:
        order_event_ingest(event=event)
    return log.counts


def test_only_first_links_pay_a_get_and_a_query_and_a_repeat_order_pays_nothing(
    moto_table, review_on, settings
):
    settings.REVIEW_QUEUE_ON_INGEST = False
    first_off = _operations(_order("alice", days_ago=20))
    repeat_off = _operations(_order("alice", days_ago=10))
    settings.REVIEW_QUEUE_ON_INGEST = True
    first_on = _operations(_order("carla", days_ago=20))
    repeat_on = _operations(_order("carla", days_ago=10))

    # The link as written (a consistent GetItem) and the number's links (a Query of the index).
    assert first_on - first_off == Counter({"GetItem": 1, "Query": 1})
    assert first_off - first_on == Counter()
    assert repeat_on == repeat_off


def test_a_repeat_order_on_a_queued_number_re_evaluates_it(moto_table, review_on):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))
    ReviewItem.objects.update(order_count=None)  # as if evaluated before Bruno's last orders

    # The number has a row: the repeat order re-evaluates it, a GetItem and a Query more than
    # recording.
    operations = _operations(_order("bruno", days_ago=10))

    assert operations == Counter({"PutItem": 1, "UpdateItem": 1, "GetItem": 1, "Query": 1})
    assert ReviewItem.objects.get().order_count == 1


def test_a_failed_refresh_keeps_the_order_and_says_the_scan_heals(
    moto_table, review_on, monkeypatch, caplog
):
    def unavailable(**_):
        raise DirectoryUnavailable("throttled")

    monkeypatch.setattr("lookup.services.review.review_numbers_refresh", unavailable)
    with caplog.at_level(logging.WARNING, logger="lookup.services.review"):
        result = order_event_ingest(event=_order("alice", days_ago=1))

    assert result.outcome.created
    assert stored_link("alice", NUMBER).order_count == 1
    assert "review_scan" in caplog.text


def test_off_the_hook_writes_no_row(moto_table, review_on, settings):
    settings.REVIEW_QUEUE_ON_INGEST = False
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))

    assert queued() == set()


def test_a_refresh_of_a_number_with_no_live_link_left_empties_it(moto_table, review_on):
    store(moto_table, links=[_span("olga", first=900, last=400)])
    review_numbers_refresh(phones=[NUMBER])
    assert queued() == {("olga", NUMBER, "", STALE)}
    store(
        moto_table,
        links=[_span("olga", first=900, last=400, unlink=LinkChange(NOW, "leo", "gone"))],
    )

    review_numbers_refresh(phones=[NUMBER])

    assert queued() == set()


# DynamoDB's index (a GSI) lags the write it follows by up to a second or so; moto's is instant.
# These pin the index's answer for the number to what it held before the write.


@pytest.fixture
def index_lags(monkeypatch):
    """Call with a number: from then on, its Query answers what the index holds now."""

    def freeze(number: str) -> None:
        before = get_links().links_of_number(phone=number)
        original = LinkRepository.links_of_number

        def lagging(self, *, phone: str):
            return list(before) if phone == number else original(self, phone=phone)

        monkeypatch.setattr(LinkRepository, "links_of_number", lagging)

    return freeze


def test_a_first_link_the_index_does_not_show_yet_still_queues_the_superseded(
    moto_table, review_on, index_lags
):
    order_event_ingest(event=_order("alice", days_ago=200))
    index_lags(NUMBER)  # the index shows Alice's link only

    order_event_ingest(event=_order("bruno", days_ago=30))

    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}


def test_an_unlink_the_index_does_not_show_yet_still_takes_the_row_out(
    moto_table, review_on, lead, index_lags
):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))
    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    index_lags(NUMBER)  # the index still shows Alice's link live

    decide(LinkDecision.UNLINK, customer_id="alice", phone=NUMBER, by=lead, reason="Moved")

    assert queued() == set()


def test_a_new_order_the_index_does_not_show_yet_still_takes_the_row_out(
    moto_table, review_on, index_lags
):
    order_event_ingest(event=_order("alice", days_ago=200))
    order_event_ingest(event=_order("bruno", days_ago=30))
    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    index_lags(NUMBER)  # the index still shows Alice's last order 200 days ago

    order_event_ingest(event=_order("alice", days_ago=1))

    assert queued() == set()


def test_a_written_link_older_than_the_one_read_does_not_stand(moto_table, review_on):
    store(moto_table, links=[_span("olga", first=900, last=400)])
    current = stored_link("olga", NUMBER)
    # An unlink written before the link read (a restore since has a higher version).
    older = replace(current, version=current.version - 1, unlink=LinkChange(NOW, "leo", "gone"))

    review_numbers_refresh(phones=[NUMBER], written=[older])

    assert queued() == {("olga", NUMBER, "", STALE)}


# Two refreshes of one number can cross: the older read finishing after the newer one.


def test_an_older_read_stored_after_a_newer_one_does_not_rewrite_its_row(db):
    alice = _span("alice", first=700, last=200, version=3)
    bruno = _span("bruno", first=30, last=2, version=1)
    review_numbers_store(numbers={NUMBER: [alice, bruno]}, freshness=freshness())
    # Read before Alice's last orders were recorded (and before Bruno's first): merely stale.
    older = _span("alice", first=700, last=400, version=2)

    change = review_numbers_store(numbers={NUMBER: [older]}, freshness=freshness())

    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    row = ReviewItem.objects.get()
    assert (row.version, row.last_seen, row.superseded_by) == (3, alice.last_seen, "bruno")
    assert (change.added, change.removed, change.kept) == (0, 0, 1)


def test_an_older_read_stored_after_a_newer_one_does_not_delete_its_row(db):
    alice = _span("alice", first=700, last=200, version=3)
    bruno = _span("bruno", first=30, last=2, version=1)
    review_numbers_store(numbers={NUMBER: [alice, bruno]}, freshness=freshness())
    # Read before Bruno's first order: Alice's link, the same but older, qualified for nothing.
    older = replace(alice, version=2)

    review_numbers_store(numbers={NUMBER: [older]}, freshness=freshness())

    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    assert ReviewItem.objects.get().version == 3


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="SQLite locks the whole database"
)
def test_a_store_locks_the_numbers_rows_before_comparing_versions(db):
    alice = _span("alice", first=700, last=200, version=3)
    bruno = _span("bruno", first=30, last=2, version=1)
    review_numbers_store(numbers={NUMBER: [alice, bruno]}, freshness=freshness())

    with CaptureQueriesContext(connection) as sql:
        review_numbers_store(numbers={NUMBER: [alice, bruno]}, freshness=freshness())

    reads = [query["sql"] for query in sql.captured_queries if "SELECT" in query["sql"]]
    assert reads and all("FOR UPDATE" in read for read in reads)


def test_a_customers_profile_phone_and_order_link_to_the_number_are_two_links(moto_table, db):
    """Eve has the number on her profile and an old order to it: her order link never enters
    the queue (the account's number), whether the refresh reads it or was handed it written."""
    eve, dan = f.profile(name="Eve"), f.profile(name="Dan")
    old_order = f.order_link(
        eve.customer_id,
        NUMBER,
        first_seen=NOW - timedelta(days=900),
        last_seen=NOW - timedelta(days=800),
    )
    store(
        moto_table,
        profiles=[eve, dan],
        links=[
            f.profile_link(eve.customer_id, NUMBER),
            old_order,
            f.order_link(dan.customer_id, NUMBER, first_seen=NOW - timedelta(days=30)),
        ],
    )

    review_numbers_refresh(phones=[NUMBER])
    read_only = queued()
    review_numbers_refresh(phones=[NUMBER], written=[stored_link(eve.customer_id, NUMBER)])

    assert read_only == queued() == set()


def test_a_pickup_order_keeps_the_queue_like_any_other_and_one_without_any_phone_touches_nothing(
    moto_table, review_on
):
    """A pickup order (no drop-off phone) links the account phone: Bruno's first one on the
    number passes Alice's on. An order with no phone at all is skipped: no request, no row."""
    order_event_ingest(event=_order("alice", days_ago=200))
    pickup = _order("bruno", days_ago=30)
    del pickup["order"]["delivery"]
    pickup["order"]["customer"] = {"phoneNumber": "07946 095812"}

    order_event_ingest(event=pickup)
    nothing = _order("carla", days_ago=1)
    del nothing["order"]["delivery"]
    with count_requests(moto_table) as log:
        order_event_ingest(event=nothing)

    assert queued() == {("alice", NUMBER, "", SUPERSEDED)}
    assert sum(log.counts.values()) == 0
