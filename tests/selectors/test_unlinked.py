"""Which tombstones a lead's hint lists, in which order (`selectors.unlinked`)."""

from datetime import timedelta

from lookup.domain import LinkChange
from lookup.selectors.unlinked import UNLINKED_SHOWN, unlinked_hinted
from tests import factories as f

DESK = "+442079460018"


def unlinked(customer_id: str, days_ago: int | None):
    at = None if days_ago is None else f.NOW - timedelta(days=days_ago)
    return f.order_link(customer_id, DESK, unlink=LinkChange(at=at, by="someone", reason=None))


def test_the_newest_unlinks_first_unknown_times_last_live_links_never():
    tombstones = [
        unlinked("cust-old", 300),
        unlinked("cust-when", None),  # another writer's, with no time
        unlinked("cust-new", 1),
        f.order_link("cust-live", DESK),  # not a tombstone: never hinted
    ]
    hinted = unlinked_hinted(tombstones=tombstones)
    assert [link.customer_id for link in hinted] == ["cust-new", "cust-old", "cust-when"]


def test_at_most_the_newest_few_each_once():
    tombstones = [unlinked(f"cust-{n}", n) for n in range(UNLINKED_SHOWN + 5)]
    # The same tombstone found under two forms of the number is one link.
    hinted = unlinked_hinted(tombstones=[*tombstones, tombstones[0]])
    assert [link.customer_id for link in hinted] == [f"cust-{n}" for n in range(UNLINKED_SHOWN)]
