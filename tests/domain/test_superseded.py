"""Passed to another customer: `lookup.domain.ranking.link_superseded_since`, and ranking."""

from dataclasses import replace
from datetime import timedelta

from lookup.domain import LinkChange
from lookup.domain.ranking import Freshness, Standing, link_superseded_since
from tests import factories as f
from tests.factories import NOW

NUMBER = "+447700900123"
POLICY = Freshness.at(NOW, stale_after_days=365)
MARCH = NOW - timedelta(days=100)


def _span(customer_id: str, *, first_days_ago: int, last_days_ago: int, **fields):
    return f.order_link(
        customer_id,
        NUMBER,
        first_seen=NOW - timedelta(days=first_days_ago),
        last_seen=NOW - timedelta(days=last_days_ago),
        **fields,
    )


def test_a_link_last_seen_before_another_customers_first_order_is_superseded_since_then():
    alice = _span("alice", first_days_ago=700, last_days_ago=200)
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)

    assert link_superseded_since(alice, number_links=[alice, bruno]) == MARCH
    assert link_superseded_since(bruno, number_links=[alice, bruno]) is None


def test_customers_ordering_to_the_number_in_the_same_period_supersede_neither():
    alice = _span("alice", first_days_ago=700, last_days_ago=50)
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)

    assert link_superseded_since(alice, number_links=[alice, bruno]) is None
    assert link_superseded_since(bruno, number_links=[alice, bruno]) is None


def test_a_first_order_at_the_very_moment_of_the_last_is_not_after_it():
    alice = _span("alice", first_days_ago=700, last_days_ago=100)
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)

    assert link_superseded_since(alice, number_links=[alice, bruno]) is None


def test_the_earliest_newcomer_dates_the_takeover():
    alice = _span("alice", first_days_ago=700, last_days_ago=300)
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)
    carla = _span("carla", first_days_ago=250, last_days_ago=120)

    since = link_superseded_since(alice, number_links=[alice, bruno, carla])
    assert since == NOW - timedelta(days=250)


def test_only_another_customers_live_order_link_supersedes():
    alice = _span("alice", first_days_ago=700, last_days_ago=200)
    own_new_link = replace(_span("alice", first_days_ago=100, last_days_ago=2), legacy_id="x")
    unlinked = replace(
        _span("bruno", first_days_ago=100, last_days_ago=2),
        unlink=LinkChange(at=NOW, by="leo", reason="wrong number"),
    )
    profile = f.profile_link("carla", NUMBER, first_seen=NOW - timedelta(days=50))
    other_number = replace(_span("dora", first_days_ago=100, last_days_ago=2), phone="+34600000001")

    links = [alice, own_new_link, unlinked, profile, other_number]
    assert link_superseded_since(alice, number_links=links) is None


def test_profile_and_verified_numbers_are_never_superseded_by_orders():
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)
    profile = f.profile_link("alice", NUMBER, first_seen=NOW - timedelta(days=900))
    verified = replace(_span("alice", first_days_ago=700, last_days_ago=200), verified=True)
    order_of_profile_owner = _span("carla", first_days_ago=700, last_days_ago=200)
    carla_profile = f.profile_link("carla", NUMBER, first_seen=NOW - timedelta(days=900))

    assert link_superseded_since(profile, number_links=[profile, bruno]) is None
    assert link_superseded_since(verified, number_links=[verified, bruno]) is None
    links = [order_of_profile_owner, carla_profile, bruno]
    assert link_superseded_since(order_of_profile_owner, number_links=links) is None


def test_an_unlinked_or_undated_link_is_not_superseded():
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)
    unlinked = replace(
        _span("alice", first_days_ago=700, last_days_ago=200),
        unlink=LinkChange(at=NOW, by="leo", reason="gone"),
    )
    undated = f.order_link("dora", NUMBER, first_seen=None, last_seen=None, recent_orders=())

    assert link_superseded_since(unlinked, number_links=[unlinked, bruno]) is None
    assert link_superseded_since(undated, number_links=[undated, bruno]) is None
    assert POLICY.link_standing(undated, number_links=[undated, bruno]) is Standing.POSSIBLY_STALE


def test_a_legacy_link_is_superseded_and_supersedes_like_an_order_link():
    legacy = f.legacy_link("alice", NUMBER, created=NOW - timedelta(days=400))
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)
    old = _span("carla", first_days_ago=900, last_days_ago=800)

    assert link_superseded_since(legacy, number_links=[legacy, bruno]) == MARCH
    assert link_superseded_since(old, number_links=[old, legacy]) == NOW - timedelta(days=400)


def test_superseded_customers_rank_below_current_ones():
    newcomer = _span("newcomer", first_days_ago=20, last_days_ago=1)
    # Seen recently enough not to be possibly stale, but the number passed on since.
    passed_on = _span("passed", first_days_ago=300, last_days_ago=60)
    owner = f.profile_link("owner", NUMBER, first_seen=NOW - timedelta(days=3000))
    links = [passed_on, newcomer, owner]
    entries = [(link.customer_id, [link]) for link in links]

    ordered = sorted(entries, key=lambda e: POLICY.match_key(*e, number_links=links))
    assert [customer for customer, _ in ordered] == ["owner", "newcomer", "passed"]
    assert POLICY.links_standing([passed_on], number_links=links) is Standing.SUPERSEDED
    assert not POLICY.link_is_stale(passed_on)


def test_a_superseded_link_ranks_below_a_link_merely_without_a_date():
    newcomer = _span("newcomer", first_days_ago=20, last_days_ago=1)
    passed_on = _span("passed", first_days_ago=300, last_days_ago=60)
    undated = f.order_link("undated", NUMBER, first_seen=None, last_seen=None, recent_orders=())
    links = [passed_on, undated, newcomer]
    entries = [(link.customer_id, [link]) for link in links]

    ordered = sorted(entries, key=lambda e: POLICY.match_key(*e, number_links=links))
    assert [customer for customer, _ in ordered] == ["newcomer", "undated", "passed"]


def test_a_customer_with_one_current_link_to_the_number_is_not_superseded():
    bruno = _span("bruno", first_days_ago=100, last_days_ago=2)
    old = _span("alice", first_days_ago=700, last_days_ago=200)
    profile = f.profile_link("alice", "+447700900999")  # another number: no help here
    links = [old, bruno, profile]
    assert POLICY.links_standing([old], number_links=links) is Standing.SUPERSEDED
