"""Recording an order in one write when that is all it takes, and the same result as the full
read -> derive -> write path whatever the events (on moto and dynalite): a link says exactly
what its distinct orders say, whatever order, timing and repetition they arrive in."""

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lookup.domain import LinkChange
from lookup.domain.evidence import LinkOutcome, OrderSeen
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


def test_a_repeat_order_is_its_marker_and_one_conditional_update(table):
    order_link_record(order=order("cust-rep", "ord_1", days_ago=10))
    with count_requests(table) as log:
        outcome = order_link_record(order=order("cust-rep", "ord_2", days_ago=1))
    assert outcome is LinkOutcome.UPDATED
    assert log.operations == ["PutItem", "UpdateItem"]
    link = stored_link("cust-rep", PHONE)
    assert (link.order_count, link.recent_order_ids) == (2, ("ord_2", "ord_1"))


def test_a_first_link_is_two_writes_once_no_legacy_records_remain(table, legacy_migrated):
    with count_requests(table) as log:
        outcome = order_link_record(order=order("cust-new", "ord_1", days_ago=1))
    assert outcome is LinkOutcome.CREATED
    assert log.operations == ["PutItem", "UpdateItem"]
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
    # The marker, the refused single update, the link and its markers read, the legacy Query,
    # the link written.
    assert log.counts == {"PutItem": 1, "UpdateItem": 2, "GetItem": 1, "Query": 2}


def test_a_redelivery_writes_nothing(table, legacy_migrated):
    order_link_record(order=order("cust-dup", "ord_1", days_ago=1))
    with count_requests(table) as log:
        outcome = order_link_record(order=order("cust-dup", "ord_1", days_ago=1))
    assert outcome is LinkOutcome.ALREADY_RECORDED
    # The refused marker, then the link and its markers read to check nothing is missing.
    assert sorted(log.operations) == ["GetItem", "PutItem", "Query"]


def test_the_stored_list_is_trimmed_to_the_window_when_read(table, legacy_migrated):
    for day in range(2 * MAX_RECENT_ORDERS + 3):
        order_link_record(order=order("cust-busy", f"ord_{day:02d}", days_ago=30 - day))
    link = stored_link("cust-busy", PHONE)
    assert link.order_count == 2 * MAX_RECENT_ORDERS + 3
    assert len(link.recent_order_ids) == MAX_RECENT_ORDERS
    assert link.recent_order_ids[0] == f"ord_{2 * MAX_RECENT_ORDERS + 2:02d}"


def test_a_history_replayed_newest_first_counts_every_order_once(table, legacy_migrated):
    days = list(range(12, 0, -1))  # oldest ... newest
    outcomes = [
        order_link_record(order=order("cust-back", f"ord_{day:02d}", days_ago=day))
        for day in reversed(days)
    ]
    assert outcomes == [LinkOutcome.CREATED] + [LinkOutcome.UPDATED] * 11
    again = [
        order_link_record(order=order("cust-back", f"ord_{day:02d}", days_ago=day)) for day in days
    ]
    assert again == [LinkOutcome.ALREADY_RECORDED] * 12
    link = stored_link("cust-back", PHONE)
    assert link.order_count == 12
    assert (link.first_seen, link.last_seen) == (NOW - timedelta(days=12), NOW - timedelta(days=1))
    assert link.recent_order_ids == tuple(f"ord_{day:02d}" for day in range(1, 11))


# Events: an order (id from a small pool, so some repeat; its country) or a lead's unlink at
# some day. An order's time follows from its id: a redelivery is the same order.
events = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 14), st.sampled_from(["GB", "BR"])),
        st.tuples(st.just("unlink"), st.integers(0, 40)),
    ),
    min_size=1,
    max_size=30,
)


class LinkModel:
    """What a link must say after a history: the distinct orders delivered, and unlinks."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderSeen] = {}
        self.unlinked_at = None

    @property
    def exists(self) -> bool:
        return bool(self.orders)

    def deliver(self, seen: OrderSeen) -> LinkOutcome:
        new = seen.order_id not in self.orders
        self.orders.setdefault(seen.order_id, seen)
        if len(self.orders) == 1 and new:
            return LinkOutcome.CREATED
        if self.unlinked_at is not None:
            if any(o.created_at > self.unlinked_at for o in self.orders.values()):
                self.unlinked_at = None
                return LinkOutcome.RELINKED
            return LinkOutcome.KEPT_UNLINKED if new else LinkOutcome.ALREADY_RECORDED
        return LinkOutcome.UPDATED if new else LinkOutcome.ALREADY_RECORDED

    def expected(self) -> tuple:
        newest = sorted(
            self.orders.values(), key=lambda o: (o.created_at, o.order_id), reverse=True
        )
        return (
            newest[-1].created_at,
            newest[0].created_at,
            len(newest),
            tuple(o.order_id for o in newest[:MAX_RECENT_ORDERS]),
            newest[0].country,
            self.unlinked_at is not None,
        )


def stored_evidence(link) -> tuple:
    return (
        link.first_seen,
        link.last_seen,
        link.order_count,
        link.recent_order_ids,
        link.country,
        not link.is_active,
    )


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=events, legacy_remain=st.booleans())
def test_any_history_gives_the_link_its_distinct_orders(table, settings, history, legacy_remain):
    settings.LEGACY_LOOKUPS_REMAIN = legacy_remain
    customer = f"cust-{next(_customers)}"
    model = LinkModel()
    for event in history:
        if event[0] == "unlink":
            if not model.exists or model.unlinked_at is not None:
                continue
            change = LinkChange(at=NOW - timedelta(days=event[1]), by="leo", reason="x")
            tombstone(customer_id=customer, phone=PHONE, change=change)
            model.unlinked_at = change.at
            continue
        _, number, country = event
        # An order's time and country are its own: a redelivery carries the same ones.
        seen = order(customer, f"ord_{number}", days_ago=number * 2.5 + 0.5, country=country)
        seen = model.orders.get(seen.order_id, seen)
        assert order_link_record(order=seen, now=NOW) is model.deliver(seen)
    stored = stored_link(customer, PHONE)
    if not model.exists:
        assert stored is None
        return
    assert stored_evidence(stored) == model.expected()
