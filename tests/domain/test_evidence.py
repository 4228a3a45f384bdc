"""The evidence rules of a link (docs/architecture.md): derived from its distinct orders."""

import itertools
from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from lookup.domain import LinkChange
from lookup.domain.evidence import (
    MAX_RECENT_ORDERS,
    LinkOutcome,
    OrderSeen,
    baseline_of,
    evidence_derive,
    legacy_unlink_covers,
    link_with_marks,
    order_addition,
    order_mark,
)
from lookup.domain.links import LinkSource, PhoneLink, RecentOrder
from tests import factories as f

DESK = "+442079460018"


def order(order_id: str, days_ago: int, country: str = "GB") -> OrderSeen:
    return OrderSeen(
        order_id=order_id,
        customer_id="sam",
        phone=DESK,
        country=country,
        created_at=f.NOW - timedelta(days=days_ago),
    )


class Link:
    """A link and the markers of the orders delivered for it, as the service keeps them."""

    def __init__(self, link: PhoneLink | None = None, marks=()) -> None:
        self.link, self.marks = link, list(marks)

    def deliver(self, seen: OrderSeen) -> tuple[LinkOutcome, PhoneLink | None]:
        self.marks.append(order_mark(seen))
        outcome, updated = link_with_marks(
            self.link, self.marks, customer_id="sam", phone=DESK, now=f.NOW
        )
        self.link = updated or self.link
        return outcome, updated


def apply(*orders: OrderSeen, start: Link | None = None):
    state = start or Link()
    outcomes = [state.deliver(seen)[0] for seen in orders]
    return state.link, outcomes


def unlinked_after(*orders: OrderSeen, at: LinkChange) -> Link:
    state = Link()
    for seen in orders:
        state.deliver(seen)
    state.link = replace(state.link, unlink=at)
    return state


def test_first_order_creates_the_link_with_its_evidence():
    link, [outcome] = apply(order("o1", 5))
    assert outcome is LinkOutcome.CREATED and outcome.created
    assert link.first_seen == link.last_seen == f.NOW - timedelta(days=5)
    assert (link.order_count, link.recent_order_ids) == (1, ("o1",))
    # The version is storage's: the rule leaves it as read (tests/repository/test_writes.py).
    assert link.version == 0


def test_a_redelivered_order_changes_nothing():
    link, outcomes = apply(order("o1", 5), order("o2", 3), order("o1", 5), order("o2", 3))
    assert outcomes[2:] == [LinkOutcome.ALREADY_RECORDED] * 2
    assert link.order_count == 2 and link.recent_order_ids == ("o2", "o1")


def test_events_in_any_order_give_the_same_first_and_last_seen():
    forwards, _ = apply(order("o1", 30), order("o2", 20), order("o3", 10))
    backwards, _ = apply(order("o3", 10), order("o1", 30), order("o2", 20))
    for link in (forwards, backwards):
        assert link.first_seen == f.NOW - timedelta(days=30)
        assert link.last_seen == f.NOW - timedelta(days=10)
        assert link.recent_order_ids == ("o3", "o2", "o1")
        assert link.order_count == 3


def test_the_latest_order_decides_the_country():
    link, _ = apply(order("o1", 1, country="BR"), order("o2", 9, country="PT"))
    assert link.country == "BR"


def test_recent_orders_are_bounded_and_a_replayed_history_counts_nothing_twice():
    oldest_first = range(MAX_RECENT_ORDERS + 5, 0, -1)
    orders = [order(f"o{day}", day) for day in oldest_first]
    link, _ = apply(*orders)
    assert link.recent_order_ids[0] == "o1"
    assert len(link.recent_orders) == MAX_RECENT_ORDERS
    assert link.order_count == MAX_RECENT_ORDERS + 5
    replayed, outcomes = apply(*orders, *orders)  # the whole history again
    assert replayed.order_count == link.order_count
    assert set(outcomes[len(orders) :]) == {LinkOutcome.ALREADY_RECORDED}


def test_a_history_delivered_newest_first_counts_every_order():
    newest_first = [order(f"o{day}", day) for day in range(1, MAX_RECENT_ORDERS + 3)]
    link, outcomes = apply(*newest_first)
    assert link.order_count == MAX_RECENT_ORDERS + 2
    assert outcomes[-1] is LinkOutcome.UPDATED
    assert link.first_seen == f.NOW - timedelta(days=MAX_RECENT_ORDERS + 2)
    assert link.recent_order_ids == tuple(f"o{day}" for day in range(1, MAX_RECENT_ORDERS + 1))


def test_every_permutation_with_repeats_gives_the_same_link():
    orders = [order("a", 9, "BR"), order("b", 4, "PT"), order("c", 4, "GB"), order("d", 1, "BR")]
    results = set()
    for arrival in itertools.permutations([*orders, orders[1], orders[3]]):
        link, _ = apply(*arrival)
        results.add(
            (link.order_count, link.first_seen, link.last_seen, link.recent_order_ids, link.country)
        )
    assert results == {
        (4, f.NOW - timedelta(days=9), f.NOW - timedelta(days=1), ("d", "c", "b", "a"), "BR")
    }


def test_orders_from_before_an_unlink_do_not_resurrect_it():
    state = unlinked_after(
        order("o1", 30), at=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x")
    )
    unlink = state.link.unlink
    outcome, updated = state.deliver(order("late", 5))
    assert outcome is LinkOutcome.KEPT_UNLINKED and not outcome.created
    assert not updated.is_active and updated.unlink == unlink
    assert "late" in updated.recent_order_ids  # kept as evidence on the tombstone
    assert state.deliver(order("late", 5)) == (LinkOutcome.ALREADY_RECORDED, None)


def test_the_history_is_the_same_whichever_side_of_the_unlink_arrives_first():
    at = LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x")
    before, after = order("before", 5), order("after", 1)
    results = []
    for arrival in ([before, after], [after, before]):
        state = unlinked_after(order("o1", 30), at=at)
        for seen in arrival:
            state.deliver(seen)
        results.append(state.link)
    first, second = results
    assert first.is_active and second.is_active
    assert first.restore == second.restore and first.restore.by == "order after"
    assert first.order_count == second.order_count == 3
    assert first.recent_order_ids == second.recent_order_ids == ("after", "before", "o1")


def test_an_order_after_the_unlink_links_the_number_again():
    state = unlinked_after(
        order("o1", 30), at=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x")
    )
    outcome, relinked = state.deliver(order("fresh", 1))
    assert outcome is LinkOutcome.RELINKED and outcome.created
    assert relinked.is_active
    assert relinked.restore.by == "order fresh"
    assert relinked.last_seen == f.NOW - timedelta(days=1) and relinked.order_count == 2


def test_an_unlink_of_unknown_time_is_not_undone_by_any_order():
    state = unlinked_after(order("o1", 30), at=LinkChange(at=None, by="old tool", reason=""))
    outcome, updated = state.deliver(order("fresh", 0))
    assert outcome is LinkOutcome.KEPT_UNLINKED and not updated.is_active


def test_an_item_merely_out_of_the_index_is_no_decision_and_a_new_order_links_it():
    state = unlinked_after(order("o1", 30), at=LinkChange(at=None, by=None, reason=None))
    outcome, updated = state.deliver(order("fresh", 0))
    assert outcome is LinkOutcome.RELINKED and updated.is_active


# --- links written before markers existed, or by other services -------------------------------


def upgraded(link: PhoneLink) -> Link:
    """The link as the service upgrades it: its baseline taken, its named orders as markers."""
    baseline, named = baseline_of(link)
    return Link(replace(link, baseline=baseline, marked=True), named)


def test_a_design_record_stands_for_the_one_order_that_created_it():
    created = f.NOW - timedelta(days=14)
    design = PhoneLink(
        customer_id="sam",
        phone=DESK,
        source=LinkSource.ORDER,
        first_seen=created,
        last_seen=created,
    )
    link, [outcome] = apply(order("next", 2), start=upgraded(design))
    assert outcome is LinkOutcome.UPDATED
    assert (link.order_count, link.first_seen, link.last_seen) == (
        2,
        created,
        order("x", 2).created_at,
    )
    # The creating order delivered again (a backfill): recognised by its time, not counted.
    replay = OrderSeen("ord_first", "sam", DESK, "GB", created)
    link, [outcome] = apply(replay, start=upgraded(design))
    assert link.order_count == 1 and outcome is LinkOutcome.UPDATED


def test_a_link_counted_before_markers_never_counts_an_old_replay_twice():
    window = [order(f"o{day}", day) for day in range(1, MAX_RECENT_ORDERS + 1)]
    counted = PhoneLink(
        customer_id="sam",
        phone=DESK,
        source=LinkSource.ORDER,
        first_seen=f.NOW - timedelta(days=40),
        last_seen=window[0].created_at,
        order_count=MAX_RECENT_ORDERS + 3,  # three older orders, known only by their count
        recent_orders=tuple(RecentOrder(o.order_id, o.created_at) for o in window),
        version=7,
    )
    state = upgraded(counted)
    # A recent one again: the count it had, the named orders not taken for the unnamed ones.
    state.deliver(window[3])
    assert state.link.order_count == MAX_RECENT_ORDERS + 3
    # Then the three old ones replayed: nothing new.
    for seen in (order("old1", 40), order("old2", 30), order("old3", 20)):
        state.deliver(seen)
    assert state.link.order_count == MAX_RECENT_ORDERS + 3
    # A fourth old order is more than the count held: it is new.
    state.deliver(order("old4", 25))
    assert state.link.order_count == MAX_RECENT_ORDERS + 4
    state.deliver(order("new", 0))
    assert state.link.order_count == MAX_RECENT_ORDERS + 5
    assert state.link.first_seen == f.NOW - timedelta(days=40)


def counted_link(**fields) -> PhoneLink:
    return PhoneLink(customer_id="sam", phone=DESK, source=LinkSource.ORDER, **fields)


def test_a_count_that_names_all_its_orders_has_nothing_unnamed():
    window = [order(f"o{day}", day) for day in (3, 2, 1)]
    link = counted_link(
        first_seen=window[0].created_at,
        last_seen=window[-1].created_at,
        order_count=3,
        recent_orders=tuple(RecentOrder(o.order_id, o.created_at) for o in window),
        version=2,
    )
    state = upgraded(link)
    state.deliver(order("new", 0))
    assert state.link.order_count == 4


def test_a_count_without_named_orders_absorbs_replays_up_to_its_last_sighting():
    # Counted orders known only by their count, between first and last seen: an order from
    # that span may be one of them, one after it is new.
    link = counted_link(
        first_seen=f.NOW - timedelta(days=40),
        last_seen=f.NOW - timedelta(days=10),
        order_count=5,
        version=3,
    )
    state = upgraded(link)
    state.deliver(order("between", 20))
    state.deliver(order("at-last", 10))
    assert state.link.order_count == 5
    state.deliver(order("after", 9))
    assert state.link.order_count == 6


def test_named_orders_without_a_count_are_the_count():
    named = (
        RecentOrder("a", f.NOW - timedelta(days=5)),
        RecentOrder("b", f.NOW - timedelta(days=6)),
    )
    link = counted_link(
        first_seen=named[1].created_at, last_seen=named[0].created_at, recent_orders=named
    )
    state = upgraded(link)
    state.deliver(order("c", 1))
    assert state.link.order_count == 3


def test_a_record_with_no_date_and_no_count_counts_from_its_first_order():
    state = upgraded(counted_link())
    outcome, link = state.deliver(order("first", 3))
    assert link.order_count == 1 and link.first_seen == order("x", 3).created_at


def test_an_order_a_second_after_a_design_records_creation_is_another_order():
    created = f.NOW - timedelta(days=14)
    design = counted_link(first_seen=created, last_seen=created)
    state = upgraded(design)
    state.deliver(OrderSeen("next-second", "sam", DESK, "GB", created + timedelta(seconds=1)))
    assert state.link.order_count == 2


def test_an_older_order_never_moves_a_baseline_back_in_time_or_changes_its_country():
    created = f.NOW - timedelta(days=7)
    design = counted_link(first_seen=created, last_seen=created, country="PT")
    state = upgraded(design)
    state.deliver(order("older", 20, country="GB"))
    link = state.link
    assert (link.last_seen, link.country) == (created, "PT")
    assert link.first_seen == order("x", 20).created_at


def test_a_record_of_uncounted_orders_absorbs_an_order_at_its_last_sighting():
    # A migrated legacy record: first and last seen, no count; its last sighting was an order.
    link = counted_link(first_seen=f.NOW - timedelta(days=40), last_seen=f.NOW - timedelta(days=10))
    state = upgraded(link)
    state.deliver(order("the-last-one", 10))
    assert state.link.order_count == 1


def test_a_count_with_no_date_and_no_named_order_adds_new_orders_to_it():
    state = upgraded(counted_link(order_count=5))
    state.deliver(order("new", 1))
    assert state.link.order_count == 6


def test_with_no_marker_the_evidence_is_the_baselines():
    baseline, _ = baseline_of(
        counted_link(
            first_seen=f.NOW - timedelta(days=9), last_seen=f.NOW - timedelta(days=2), country="DE"
        )
    )
    evidence = evidence_derive((), baseline)
    assert (evidence.order_count, evidence.last_seen, evidence.country) == (
        1,
        f.NOW - timedelta(days=2),
        "DE",
    )


def test_without_a_baseline_the_count_is_the_distinct_markers():
    marks = [order_mark(order("a", 3)), order_mark(order("a", 3)), order_mark(order("b", 1))]
    evidence = evidence_derive(marks, None)
    assert (evidence.order_count, evidence.recent_orders[0].order_id) == (2, "b")
    # Each recent order keeps its time: the customer page dates the last order by it.
    assert evidence.recent_orders[0].created_at == order("b", 1).created_at


def test_an_unlinked_legacy_record_covers_orders_from_before_its_unlink():
    legacy = replace(
        f.legacy_link("sam", DESK, f.NOW - timedelta(days=900)),
        unlink=LinkChange(at=f.NOW - timedelta(days=10), by="leo", reason="Number reassigned"),
    )
    assert legacy_unlink_covers([legacy], order("replayed", 20))
    assert not legacy_unlink_covers([legacy], order("fresh", 1))
    # A live legacy record of the same number keeps it searchable whatever the order.
    live = f.legacy_link("sam", DESK, f.NOW - timedelta(days=800))
    assert not legacy_unlink_covers([legacy, live], order("replayed", 20))
    assert not legacy_unlink_covers([], order("replayed", 20))
    # A legacy record out of the index with nobody on record for it decided nothing.
    bare = replace(legacy, unlink=LinkChange(at=None, by=None, reason=None))
    assert not legacy_unlink_covers([bare], order("replayed", 20))


def test_an_order_placed_at_the_very_moment_of_the_unlink_does_not_undo_it():
    # The lead unlinked having seen everything up to that instant: only a later order relinks.
    at = f.NOW - timedelta(days=2)
    state = unlinked_after(
        order("o1", 30), at=LinkChange(at=at, by="leo", reason="Number reassigned")
    )
    same_instant = replace(order("same-instant", 0), created_at=at)
    outcome, updated = state.deliver(same_instant)
    assert outcome is LinkOutcome.KEPT_UNLINKED and not updated.is_active


def test_a_link_created_from_an_order_is_marked_as_coming_from_orders():
    # The customer page's "how it is linked" column, and what an unlink may apply to.
    link, _ = apply(order("o1", 5))
    assert link.source is LinkSource.ORDER and link.can_unlink


def test_an_order_from_before_the_unlink_is_kept_on_the_tombstone_as_a_new_version():
    # Kept for a restore to show, and written (storage gives it the next version), so a lead's
    # restore of the version they were shown is refused as changed rather than silently
    # dropping this order (tests/services/test_link_decide.py).
    unlink = LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="Number reassigned")
    state = unlinked_after(order("o1", 30), at=unlink)
    state.link = replace(state.link, version=4)
    outcome, kept = state.deliver(order("late", 5, country="IE"))
    assert outcome is LinkOutcome.KEPT_UNLINKED and not kept.is_active
    assert kept.version == 4  # as read: the write is conditioned on it
    assert kept.recent_order_ids == ("late", "o1") and kept.country == "IE"


def test_a_live_link_takes_the_country_of_its_newest_order():
    link, _ = apply(order("o1", 30, country="GB"), order("o2", 1, country="IE"))
    assert link.country == "IE"


def test_a_relink_by_a_new_order_says_why_on_the_link():
    # The customer page shows who restored a link and why: here no person, an order.
    state = unlinked_after(
        order("o1", 30), at=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x")
    )
    _, relinked = state.deliver(order("fresh", 1))
    assert relinked.restore == LinkChange(
        at=f.NOW, by="order fresh", reason="New order after the unlink"
    )


@given(
    days=st.lists(st.integers(0, 60), min_size=0, max_size=25),
    newest=st.integers(0, 70),
    country=st.sampled_from(["GB", "IE", "BR"]),
)
def test_an_order_addition_makes_the_link_its_markers_make(days, newest, country):
    # The one-write path and the read -> derive path write the same rule: where the addition
    # applies, it gives the link `link_with_marks` derives from every marker; elsewhere none.
    state = Link()
    for number, days_ago in enumerate(days):
        state.deliver(order(f"o{number}", days_ago))
    seen = replace(order("new", 0, country=country), created_at=f.NOW + timedelta(hours=newest))
    if newest == 0:
        seen = replace(seen, created_at=f.NOW - timedelta(days=61))  # older than some: refused
    addition = order_addition(seen, creates=True)
    added = addition.applied_to(state.link)
    _, derived = state.deliver(seen)
    if days and newest == 0:
        assert added is None
    else:
        assert added == derived


def test_an_order_addition_leaves_every_other_case_to_the_markers():
    # What a one-write addition cannot know without reading: these go the read -> derive way.
    live, _ = apply(order("o1", 30))
    newer = order("o2", 1)
    assert order_addition(newer, creates=True).applied_to(live).order_count == 2
    unlink = LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="Number reassigned")
    assert order_addition(newer, creates=True).applied_to(replace(live, unlink=unlink)) is None
    assert order_addition(newer, creates=True).applied_to(replace(live, marked=False)) is None
    assert order_addition(order("o1", 30), creates=True).applied_to(live) is None
    seen_again = replace(newer, order_id="o1")  # newer, but the link has seen that order
    assert order_addition(seen_again, creates=True).applied_to(live) is None
    assert order_addition(newer, creates=False).applied_to(None) is None
    assert order_addition(newer, creates=True).applied_to(None).order_count == 1


def test_an_order_of_the_same_instant_as_the_last_sighting_is_left_to_the_markers():
    # The markers order orders of one instant by id, newest first; one write can only put the
    # new order first, so the addition must not apply (the repository's condition is strict).
    state = Link()
    state.deliver(order("o1", 5))
    same_instant = order("a0", 5)
    added = order_addition(same_instant, creates=True).applied_to(state.link)
    _, derived = state.deliver(same_instant)
    assert derived.recent_order_ids == ("o1", "a0")
    assert added is None
