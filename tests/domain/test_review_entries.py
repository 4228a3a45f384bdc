"""The review queue's entries of one number (`lookup.domain.review.number_review_entries`)."""

from dataclasses import replace
from datetime import timedelta

from lookup.domain import LinkChange
from lookup.domain.ranking import Freshness
from lookup.domain.review import ReviewReason, number_review_entries
from tests import factories as f
from tests.factories import NOW

NUMBER = "+447700900123"
POLICY = Freshness.at(NOW, stale_after_days=365)


def _span(customer_id: str, *, first: int, last: int, **fields):
    return f.order_link(
        customer_id,
        NUMBER,
        first_seen=NOW - timedelta(days=first),
        last_seen=NOW - timedelta(days=last),
        **fields,
    )


def _queued(links):
    return [
        (entry.link.customer_id, entry.reason)
        for entry in number_review_entries(number_links=links, freshness=POLICY)
    ]


def test_a_link_another_customer_took_over_is_queued_as_superseded_with_its_evidence():
    alice = _span("alice", first=700, last=200)
    bruno = _span("bruno", first=100, last=2)

    (entry,) = number_review_entries(number_links=[alice, bruno], freshness=POLICY)

    assert (entry.link, entry.reason) == (alice, ReviewReason.SUPERSEDED)
    assert entry.superseded_since == NOW - timedelta(days=100)
    assert entry.superseder == bruno


def test_a_link_unseen_past_the_threshold_is_queued_as_possibly_stale():
    old = _span("olga", first=900, last=400)
    current = _span("carl", first=900, last=5)

    assert _queued([old, current]) == [("olga", ReviewReason.POSSIBLY_STALE)]


def test_a_link_both_superseded_and_stale_is_queued_once_as_superseded():
    alice = _span("alice", first=900, last=500)
    bruno = _span("bruno", first=100, last=2)

    assert _queued([alice, bruno]) == [("alice", ReviewReason.SUPERSEDED)]


def test_superseded_links_come_first_then_the_longest_unseen():
    stale_older = _span("s-older", first=2000, last=1500)
    stale_newer = _span("s-newer", first=2000, last=1200)
    # Superseded by `newcomer`, though still seen within the threshold.
    superseded = _span("supersed", first=300, last=90)
    newcomer = _span("newcomer", first=60, last=1)
    undated = f.order_link("undated", NUMBER, first_seen=None, last_seen=None)

    assert _queued([stale_newer, newcomer, superseded, undated, stale_older]) == [
        # The old links' last sightings came before the others' first: superseded too.
        ("s-older", ReviewReason.SUPERSEDED),
        ("s-newer", ReviewReason.SUPERSEDED),
        ("supersed", ReviewReason.SUPERSEDED),
        # Undated: possibly stale (nothing places it before anyone), after every superseded.
        ("undated", ReviewReason.POSSIBLY_STALE),
    ]


def test_a_profile_phone_is_never_queued_however_old():
    owner = f.profile_link("owner", NUMBER, first_seen=NOW - timedelta(days=3000))
    newcomer = _span("newcomer", first=60, last=1)

    assert _queued([owner, newcomer]) == []


def test_an_order_link_of_a_customer_with_the_number_on_their_profile_is_never_queued():
    """The account vouches for the number: however old Olga's orders to it, searches find her
    through her profile, and no newcomer's orders pass it on."""
    profile = f.profile_link("olga", NUMBER, first_seen=NOW - timedelta(days=3000))
    old_orders = _span("olga", first=2000, last=900)
    newcomer = _span("newcomer", first=60, last=1)

    assert _queued([profile, old_orders, newcomer]) == []


def test_an_unlinked_link_is_never_queued_nor_supersedes():
    unlinked_old = _span("gone", first=900, last=800, unlink=LinkChange(NOW, "leo", "moved"))
    alice = _span("alice", first=300, last=200)
    unlinked_new = _span("bruno", first=100, last=2, unlink=LinkChange(NOW, "leo", "wrong"))

    assert _queued([unlinked_old, alice, unlinked_new]) == []


def test_a_legacy_record_is_queued_under_its_own_identity():
    legacy = f.legacy_link("alice", NUMBER, created=NOW - timedelta(days=900))
    legacy = replace(legacy, legacy_id="2024-05-01T10:00:00Z")

    (entry,) = number_review_entries(number_links=[legacy], freshness=POLICY)

    assert entry.key == ("alice", NUMBER, "2024-05-01T10:00:00Z")
    assert entry.reason is ReviewReason.POSSIBLY_STALE


def test_current_customers_sharing_a_number_are_not_queued():
    assert _queued([_span("a", first=300, last=3), _span("b", first=200, last=1)]) == []
