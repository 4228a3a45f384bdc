"""The evidence rules of DESIGN.md section 3, without storage."""

from dataclasses import replace
from datetime import timedelta

from lookup.domain import LinkChange, LinkSource
from lookup.domain.evidence import (
    MAX_RECENT_ORDERS,
    LinkOutcome,
    OrderSeen,
    legacy_unlink_covers,
    link_with_order,
)
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


def apply(*orders: OrderSeen):
    link, outcomes = None, []
    for seen in orders:
        outcome, updated = link_with_order(link, seen, now=f.NOW)
        outcomes.append(outcome)
        link = updated or link
    return link, outcomes


def test_first_order_creates_the_link_with_its_evidence():
    link, [outcome] = apply(order("o1", 5))
    assert outcome is LinkOutcome.CREATED and outcome.created
    assert link.first_seen == link.last_seen == f.NOW - timedelta(days=5)
    assert (link.order_count, link.recent_order_ids, link.version) == (1, ("o1",), 1)


def test_a_redelivered_order_changes_nothing():
    link, outcomes = apply(order("o1", 5), order("o2", 3), order("o1", 5), order("o2", 3))
    assert outcomes[2:] == [LinkOutcome.ALREADY_RECORDED] * 2
    assert link.order_count == 2 and link.version == 2


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


def test_recent_orders_are_bounded_and_old_replays_are_not_counted_twice():
    oldest_first = range(MAX_RECENT_ORDERS + 5, 0, -1)
    orders = [order(f"o{day}", day) for day in oldest_first]
    link, _ = apply(*orders)
    assert link.recent_order_ids[0] == "o1"
    assert len(link.recent_orders) == MAX_RECENT_ORDERS
    assert link.order_count == MAX_RECENT_ORDERS + 5
    replayed, outcomes = apply(*orders, *orders)  # the whole history again
    assert replayed.order_count == link.order_count
    assert set(outcomes[len(orders) :]) == {LinkOutcome.ALREADY_RECORDED}


def test_a_late_order_older_than_the_whole_window_is_not_counted_as_it_may_be_a_replay():
    # The known limit of a bounded item: counts may undercount, never double.
    newest_first = [order(f"o{day}", day) for day in range(1, MAX_RECENT_ORDERS + 3)]
    link, _ = apply(*newest_first)
    assert link.order_count == MAX_RECENT_ORDERS
    assert link.first_seen == f.NOW - timedelta(days=MAX_RECENT_ORDERS + 2)


def test_an_old_order_never_seen_still_moves_first_seen_back():
    orders = [order(f"o{day}", day) for day in range(1, MAX_RECENT_ORDERS + 1)]
    link, _ = apply(*orders, order("ancient", 900))
    assert link.first_seen == f.NOW - timedelta(days=900)


def test_orders_from_before_an_unlink_do_not_resurrect_it():
    link, _ = apply(order("o1", 30))
    unlinked = replace(link, unlink=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x"))
    outcome, updated = link_with_order(unlinked, order("late", 5), now=f.NOW)
    assert outcome is LinkOutcome.KEPT_UNLINKED and not outcome.created
    assert not updated.is_active and updated.unlink == unlinked.unlink
    assert "late" in updated.recent_order_ids  # kept as evidence on the tombstone
    assert link_with_order(updated, order("late", 5), now=f.NOW) == (
        LinkOutcome.ALREADY_RECORDED,
        None,
    )


def test_the_history_is_the_same_whichever_side_of_the_unlink_arrives_first():
    link, _ = apply(order("o1", 30))
    unlinked = replace(link, unlink=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x"))
    before, after = order("before", 5), order("after", 1)

    results = []
    for arrival in ([before, after], [after, before]):
        current = unlinked
        for seen in arrival:
            current = link_with_order(current, seen, now=f.NOW)[1] or current
        results.append(current)

    first, second = results
    assert first.is_active and second.is_active
    assert first.order_count == second.order_count == 3
    assert first.recent_order_ids == second.recent_order_ids == ("after", "before", "o1")


def test_an_order_after_the_unlink_links_the_number_again():
    link, _ = apply(order("o1", 30))
    unlinked = replace(link, unlink=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x"))
    outcome, relinked = link_with_order(unlinked, order("fresh", 1), now=f.NOW)
    assert outcome is LinkOutcome.RELINKED and outcome.created
    assert relinked.is_active
    assert relinked.restore.by == "order fresh"
    assert relinked.last_seen == f.NOW - timedelta(days=1) and relinked.order_count == 2


def test_an_unlink_of_unknown_time_is_not_undone_by_any_order():
    link, _ = apply(order("o1", 30))
    unlinked = replace(link, unlink=LinkChange(at=None, by="old tool", reason=""))
    outcome, updated = link_with_order(unlinked, order("fresh", 0), now=f.NOW)
    assert outcome is LinkOutcome.KEPT_UNLINKED and not updated.is_active


def test_an_item_merely_out_of_the_index_is_no_decision_and_a_new_order_links_it():
    link, _ = apply(order("o1", 30))
    bare = replace(link, unlink=LinkChange(at=None, by=None, reason=None))
    outcome, updated = link_with_order(bare, order("fresh", 0), now=f.NOW)
    assert outcome is LinkOutcome.RELINKED and updated.is_active


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
    link, _ = apply(order("o1", 30))
    at = f.NOW - timedelta(days=2)
    unlinked = replace(link, unlink=LinkChange(at=at, by="leo", reason="Number reassigned"))
    same_instant = replace(order("same-instant", 0), created_at=at)
    outcome, updated = link_with_order(unlinked, same_instant, now=f.NOW)
    assert outcome is LinkOutcome.KEPT_UNLINKED and not updated.is_active


def test_a_link_created_from_an_order_is_marked_as_coming_from_orders():
    # The customer page's "how it is linked" column, and what an unlink may apply to.
    link, _ = apply(order("o1", 5))
    assert link.source is LinkSource.ORDER and link.can_unlink


def test_an_order_from_before_the_unlink_is_kept_on_the_tombstone_as_a_new_version():
    # Kept for a restore to show, and a new version, so a lead's restore of the version they
    # were shown is refused as changed rather than silently dropping this order.
    link, _ = apply(order("o1", 30))
    unlink = LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="Number reassigned")
    unlinked = replace(link, unlink=unlink, version=4)
    outcome, kept = link_with_order(unlinked, order("late", 5, country="IE"), now=f.NOW)
    assert outcome is LinkOutcome.KEPT_UNLINKED and not kept.is_active
    assert kept.version == 5
    assert kept.recent_order_ids == ("late", "o1") and kept.country == "IE"


def test_a_live_link_takes_the_country_of_its_newest_order():
    link, _ = apply(order("o1", 30, country="GB"), order("o2", 1, country="IE"))
    assert link.country == "IE"


def test_a_relink_by_a_new_order_says_why_on_the_link():
    # The customer page shows who restored a link and why: here no person, an order.
    link, _ = apply(order("o1", 30))
    unlinked = replace(link, unlink=LinkChange(at=f.NOW - timedelta(days=2), by="leo", reason="x"))
    _, relinked = link_with_order(unlinked, order("fresh", 1), now=f.NOW)
    assert relinked.restore == LinkChange(
        at=f.NOW, by="order fresh", reason="New order after the unlink"
    )
