"""Recording an order in one write when that is all it takes, and the same result as the full
read -> fold -> write path whatever the events (on moto and dynalite)."""

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lookup.domain import LinkChange
from lookup.domain.evidence import LinkOutcome, OrderSeen, link_with_order
from lookup.domain.links import MAX_RECENT_ORDERS
from lookup.services.ingestion import order_link_record
from tests.conftest import count_requests
from tests.factories import NOW
from tests.lookups import stored_link, tombstone

PHONE = "+447946095812"
_customers = itertools.count()


def order(customer: str, order_id: str, days_ago: float, country: str = "GB") -> OrderSeen:
    return OrderSeen(
        order_id=order_id,
        customer_id=customer,
        phone=PHONE,
        country=country,
        created_at=(NOW - timedelta(days=days_ago)).replace(microsecond=0),
    )


@pytest.fixture
def legacy_migrated(settings):
    settings.LEGACY_LOOKUPS_REMAIN = False


def test_a_repeat_order_is_one_conditional_update(table):
    order_link_record(order=order("cust-rep", "ord_1", days_ago=10))
    with count_requests(table) as log:
        outcome = order_link_record(order=order("cust-rep", "ord_2", days_ago=1))
    assert outcome is LinkOutcome.UPDATED
    assert log.operations == ["UpdateItem"]
    link = stored_link("cust-rep", PHONE)
    assert (link.order_count, link.recent_order_ids) == (2, ("ord_2", "ord_1"))


def test_a_first_link_is_one_write_once_no_legacy_records_remain(table, legacy_migrated):
    with count_requests(table) as log:
        outcome = order_link_record(order=order("cust-new", "ord_1", days_ago=1))
    assert outcome is LinkOutcome.CREATED
    assert log.operations == ["UpdateItem"]
    link = stored_link("cust-new", PHONE)
    assert (link.first_seen, link.last_seen, link.order_count, link.version) == (
        NOW - timedelta(days=1),
        NOW - timedelta(days=1),
        1,
        1,
    )


def test_a_first_link_looks_at_legacy_records_while_they_may_remain(table):
    with count_requests(table) as log:
        assert order_link_record(order=order("cust-old", "ord_1", 1)) is LinkOutcome.CREATED
    assert log.counts["Query"] == 1 and log.counts["PutItem"] == 1


def test_a_redelivery_writes_nothing(table, legacy_migrated):
    order_link_record(order=order("cust-dup", "ord_1", days_ago=1))
    with count_requests(table) as log:
        outcome = order_link_record(order=order("cust-dup", "ord_1", days_ago=1))
    assert outcome is LinkOutcome.ALREADY_RECORDED
    assert "PutItem" not in log.operations and log.counts["UpdateItem"] == 1


def test_the_stored_list_is_trimmed_to_the_window_when_read(table, legacy_migrated):
    for day in range(2 * MAX_RECENT_ORDERS + 3):
        order_link_record(order=order("cust-busy", f"ord_{day:02d}", days_ago=30 - day))
    link = stored_link("cust-busy", PHONE)
    assert link.order_count == 2 * MAX_RECENT_ORDERS + 3
    assert len(link.recent_order_ids) == MAX_RECENT_ORDERS
    assert link.recent_order_ids[0] == f"ord_{2 * MAX_RECENT_ORDERS + 2:02d}"


# Events: an order (id from a small pool, so some repeat; a day; a country) or a lead's unlink.
events = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.integers(0, 14),
            st.integers(0, 40),
            st.sampled_from(["GB", "BR"]),
        ),
        st.tuples(st.just("unlink"), st.integers(0, 40)),
    ),
    min_size=1,
    max_size=30,
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=events, legacy_remain=st.booleans())
def test_any_history_gives_the_link_the_pure_rules_give(table, settings, history, legacy_remain):
    settings.LEGACY_LOOKUPS_REMAIN = legacy_remain
    customer = f"cust-{next(_customers)}"
    expected = None
    for event in history:
        if event[0] == "unlink":
            if expected is None or not expected.is_active:
                continue
            change = LinkChange(at=NOW - timedelta(days=event[1]), by="leo", reason="x")
            tombstone(customer_id=customer, phone=PHONE, change=change)
            expected = replace(expected, unlink=change, version=expected.version + 1)
            continue
        _, number, days_ago, country = event
        seen = order(customer, f"ord_{number}", days_ago=days_ago + number / 24, country=country)
        outcome = order_link_record(order=seen, now=NOW)
        want_outcome, updated = link_with_order(expected, seen, now=NOW)
        assert outcome is want_outcome
        expected = updated or expected
    stored = stored_link(customer, PHONE)
    if expected is None:
        assert stored is None
        return
    assert (
        stored.first_seen,
        stored.last_seen,
        stored.order_count,
        stored.recent_order_ids,
        stored.country,
        stored.unlink,
        stored.version,
    ) == (
        expected.first_seen,
        expected.last_seen,
        expected.order_count,
        expected.recent_order_ids,
        expected.country,
        expected.unlink,
        expected.version,
    )


def test_where_refused_writes_return_the_item_a_first_link_reads_nothing_more(moto_table):
    # moto answers like DynamoDB: a refused conditional write carries the item as it stood.
    order_link_record(order=order("cust-a", "ord_1", days_ago=2))
    order_link_record(order=order("cust-a", "ord_1", days_ago=2))  # a redelivery, refused
    with count_requests(moto_table) as log:
        assert order_link_record(order=order("cust-b", "ord_9", 1)) is LinkOutcome.CREATED
    # While legacy records may remain: the refused update, the legacy Query, the creation.
    assert log.operations == ["UpdateItem", "Query", "PutItem"]
