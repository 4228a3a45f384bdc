"""Writing links: the version is the repository's, and a write its condition refuses is a
`WriteRefused` whatever the write, with nothing written (on moto and dynalite)."""

from dataclasses import replace
from datetime import timedelta

import pytest

from lookup.domain import LinkChange, WriteRefused
from lookup.domain.evidence import OrderSeen, order_addition, order_mark
from lookup.domain.times import format_timestamp
from lookup.repository import get_links
from tests import factories as f
from tests.lookups import store, stored_link

DESK = "+442079460018"


def test_each_save_stores_the_next_version_and_a_stale_one_is_refused(table):
    links = get_links()
    first = links.link_evidence_save(link=f.order_link("sam", DESK, version=0), read=None)
    assert first.version == stored_link("sam", DESK).version == 1

    second = links.link_evidence_save(link=replace(first, order_count=4), read=first)
    assert second.version == stored_link("sam", DESK).version == 2

    with pytest.raises(WriteRefused):  # written from what was read before the second save
        links.link_evidence_save(link=replace(first, order_count=9), read=first)
    stored = stored_link("sam", DESK)
    assert (stored.version, stored.order_count) == (2, 4)


def test_a_whole_link_saved_over_one_from_before_versions_gets_version_one(table):
    store(table, links=[f.order_link("ana", DESK, version=0)])
    read = stored_link("ana", DESK)
    saved = get_links().link_save(link=replace(read, order_count=5), read=read)
    assert saved.version == stored_link("ana", DESK).version == 1

    with pytest.raises(WriteRefused):
        get_links().link_save(link=replace(read, order_count=6), read=read)
    assert stored_link("ana", DESK).order_count == 5


def test_every_refused_write_is_a_write_refused_and_writes_nothing(table):
    seen = OrderSeen(
        order_id="ord_1", customer_id="kim", phone=DESK, country="GB", created_at=f.NOW
    )
    links = get_links()
    links.order_mark_add(customer_id="kim", phone=DESK, mark=order_mark(seen))
    with pytest.raises(WriteRefused):  # a redelivery: the marker is there
        links.order_mark_add(customer_id="kim", phone=DESK, mark=order_mark(seen))

    with pytest.raises(WriteRefused):  # no link yet, and the addition may not create one
        links.link_order_add(addition=order_addition(seen, creates=False))
    assert stored_link("kim", DESK) is None
    assert links.link_order_add(addition=order_addition(seen, creates=True)) is True
    with pytest.raises(WriteRefused):  # the same order again: not the simple case
        links.link_order_add(addition=order_addition(seen, creates=True))
    assert stored_link("kim", DESK).order_count == 1

    legacy = f.legacy_link("kim", DESK, f.NOW - timedelta(days=400))
    store(table, links=[legacy])
    legacy_id = format_timestamp(legacy.first_seen)
    read = stored_link("kim", DESK, legacy_id=legacy_id)
    unlink = LinkChange(at=f.NOW, by="leo", reason="Reassigned")
    links.link_state_save(link=read, unlinked=True, change=unlink, expected_version=None)
    with pytest.raises(WriteRefused) as refused:  # unlinked since it was read
        links.legacy_delete(legacy=read)
    assert not refused.value.current_known
    with pytest.raises(WriteRefused) as refused:
        links.link_state_save(link=read, unlinked=True, change=unlink, expected_version=0)
    assert refused.value.current_known and refused.value.current.unlink.by == "leo"
    assert stored_link("kim", DESK, legacy_id=legacy_id).version == 1
