"""Exact evidence under any delivery: a stateful property test against a model, on dynalite.

Deliveries of a few orders to a few links come in any order, any number of times, with leads'
unlinks between them and crashes between an order's marker and its link write. After every
complete delivery each link says exactly what its distinct orders say (docs/ingestion.md,
"Exact counts").
"""

import contextlib
import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from lookup.domain import LinkChange, WriteRefused
from lookup.domain.evidence import LinkOutcome, OrderSeen, order_mark
from lookup.domain.links import MAX_RECENT_ORDERS
from lookup.repository import get_links
from lookup.services.ingestion import order_link_record
from tests.factories import NOW
from tests.lookups import stored_link, tombstone

LINKS = [("cust-a", "+447946095812"), ("cust-a", "+442079460018"), ("cust-b", "+447946095812")]
_runs = itertools.count()


class Link:
    def __init__(self) -> None:
        self.orders: dict[str, OrderSeen] = {}
        self.unlinked_at = None
        self.written = False  # whether any delivery completed (a link item exists)

    def expected(self) -> tuple:
        newest = sorted(self.orders.values(), key=lambda o: (o.created_at, o.order_id))[::-1]
        return (
            len(newest),
            newest[-1].created_at,
            newest[0].created_at,
            tuple(o.order_id for o in newest[:MAX_RECENT_ORDERS]),
            newest[0].country,
            self.unlinked_at is None,
        )


class Deliveries(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        run = next(_runs)
        self.customers = {customer: f"{customer}-{run}" for customer, _ in LINKS}
        self.links = {index: Link() for index in range(len(LINKS))}
        # Per link, the orders whose delivery crashed after the marker: SQS delivers each of
        # those messages again, and that delivery heals the link.
        self.pending: dict[int, set[str]] = {index: set() for index in range(len(LINKS))}

    def order(self, link: int, number: int) -> OrderSeen:
        customer, phone = LINKS[link]
        known = self.links[link].orders.get(f"ord_{number}")
        return known or OrderSeen(
            order_id=f"ord_{number}",
            customer_id=self.customers[customer],
            phone=phone,
            country=["GB", "BR", "PT"][number % 3],
            # Several orders share a moment: ties are broken by id, the same way everywhere.
            created_at=NOW - timedelta(days=40 - 3 * (number // 2)),
        )

    @rule(link=st.integers(0, len(LINKS) - 1), number=st.integers(0, 24))
    def deliver(self, link: int, number: int) -> None:
        self.record(link, self.order(link, number))

    @rule(link=st.integers(0, len(LINKS) - 1), data=st.data())
    def redeliver_a_crashed_message(self, link: int, data) -> None:
        if self.pending[link]:
            order_id = data.draw(st.sampled_from(sorted(self.pending[link])))
            self.record(link, self.links[link].orders[order_id])

    def record(self, link: int, seen: OrderSeen) -> None:
        state = self.links[link]
        crashed = bool(self.pending[link])
        new = seen.order_id not in state.orders
        state.orders[seen.order_id] = seen
        outcome = order_link_record(order=seen, now=NOW)
        if not state.written:
            assert outcome is LinkOutcome.CREATED or crashed
        elif state.unlinked_at is not None:
            relinks = any(o.created_at > state.unlinked_at for o in state.orders.values())
            if relinks:
                assert outcome is LinkOutcome.RELINKED
                state.unlinked_at = None
            elif not crashed:
                assert outcome is (
                    LinkOutcome.KEPT_UNLINKED if new else LinkOutcome.ALREADY_RECORDED
                )
        elif not crashed:
            assert outcome is (LinkOutcome.UPDATED if new else LinkOutcome.ALREADY_RECORDED)
        state.written = True
        self.pending[link].discard(seen.order_id)

    @rule(link=st.integers(0, len(LINKS) - 1), number=st.integers(0, 24))
    def crash_after_the_marker(self, link: int, number: int) -> None:
        """The worker dies between the order's marker and its link write: SQS delivers the
        message again later, and that delivery derives the link from every marker."""
        state = self.links[link]
        seen = self.order(link, number)
        with contextlib.suppress(WriteRefused):  # the marker of an order recorded before
            get_links().order_mark_add(
                customer_id=seen.customer_id, phone=seen.phone, mark=order_mark(seen)
            )
        if seen.order_id not in state.orders:
            state.orders[seen.order_id] = seen
            self.pending[link].add(seen.order_id)

    @rule(link=st.integers(0, len(LINKS) - 1), days_ago=st.integers(0, 45))
    def unlink(self, link: int, days_ago: int) -> None:
        state = self.links[link]
        if not state.written or state.unlinked_at is not None or self.pending[link]:
            return
        customer, phone = LINKS[link]
        change = LinkChange(at=NOW - timedelta(days=days_ago), by="leo.lead", reason="test")
        tombstone(customer_id=self.customers[customer], phone=phone, change=change)
        state.unlinked_at = change.at

    @invariant()
    def every_delivered_link_says_what_its_orders_say(self) -> None:
        for index, state in self.links.items():
            if not state.written or self.pending[index]:
                continue
            customer, phone = LINKS[index]
            link = stored_link(self.customers[customer], phone)
            assert (
                link.order_count,
                link.first_seen,
                link.last_seen,
                link.recent_order_ids,
                link.country,
                link.is_active,
            ) == state.expected()


@pytest.mark.django_db
def test_any_deliveries_leave_every_link_exact_on_dynalite(dynalite_table, settings_for_tests):
    run_state_machine_as_test(
        Deliveries,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


@pytest.fixture
def settings_for_tests(settings):
    settings.LEGACY_LOOKUPS_REMAIN = False
    return settings
