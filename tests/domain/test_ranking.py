"""The one ranking and staleness policy (`lookup.domain.ranking`), without storage."""

from dataclasses import replace
from datetime import timedelta

from lookup.domain import LinkChange
from lookup.domain.ranking import Freshness
from tests import factories as f
from tests.factories import NOW

DESK = "+442079460018"
POLICY = Freshness.at(NOW, stale_after_days=365)


def test_an_order_link_unseen_for_longer_than_the_threshold_is_possibly_stale():
    quiet = f.order_link("c", DESK, last_seen=NOW - timedelta(days=400))
    recent = f.order_link("c", DESK, last_seen=NOW - timedelta(days=30))
    assert POLICY.link_is_stale(quiet) and not POLICY.link_is_stale(recent)


def test_a_link_with_no_known_date_is_flagged_as_well_as_sorted_last():
    undated = f.order_link("u", DESK, first_seen=None, last_seen=None, recent_orders=())
    current = f.order_link("c", DESK, last_seen=NOW - timedelta(days=30))

    assert POLICY.link_is_stale(undated)
    ordered = sorted([("u", [undated]), ("c", [current])], key=lambda e: POLICY.match_key(*e))
    assert [customer for customer, _ in ordered] == ["c", "u"]


def test_profile_phones_and_unlinked_links_are_never_stale():
    profile = f.profile_link("p", DESK, first_seen=NOW - timedelta(days=3000))
    unlinked = replace(
        f.order_link("o", DESK, last_seen=NOW - timedelta(days=900)),
        unlink=LinkChange(at=NOW, by="leo", reason="gone"),
    )
    assert not POLICY.link_is_stale(profile) and not POLICY.link_is_stale(unlinked)


def test_a_customer_with_one_current_link_is_a_current_match():
    quiet = f.order_link("c", DESK, last_seen=NOW - timedelta(days=900))
    owner = f.profile_link("c", DESK, first_seen=NOW - timedelta(days=3000))
    assert not POLICY.links_are_stale([quiet, owner])
    assert POLICY.links_are_stale([quiet])


def test_a_customers_numbers_list_live_before_stale_before_unlinked():
    live = f.order_link("c", "+447700900001", last_seen=NOW - timedelta(days=3))
    stale = f.order_link("c", "+447700900002", last_seen=NOW - timedelta(days=800))
    gone = replace(live, phone="+447700900003", unlink=LinkChange(at=NOW, by="l", reason="x"))
    owner = f.profile_link("c", "+447700900004")

    ordered = sorted([gone, stale, live, owner], key=POLICY.link_key)
    assert [link.phone for link in ordered] == [
        "+447700900004",
        "+447700900001",
        "+447700900002",
        "+447700900003",
    ]


def test_an_unlink_covers_evidence_up_to_its_moment_and_an_undated_one_stands():
    unlink = LinkChange(at=NOW, by="leo", reason="gone")
    assert unlink.covers(NOW - timedelta(days=1)) and unlink.covers(NOW)
    assert not unlink.covers(NOW + timedelta(seconds=1))
    assert unlink.covers(None)
    assert LinkChange(at=None, by="old tool", reason="gone").covers(NOW + timedelta(days=9))
    assert not LinkChange(at=None, by=None, reason=None).covers(NOW)
