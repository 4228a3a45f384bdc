"""The bulk unlink's rules: how a link is named in a form, which of a number's links a "last
seen before" action takes, and what a refused write means."""

from datetime import timedelta

import pytest

from lookup.domain.bulk import LeftAlone, LinkKey, link_key_parse, number_links_before, refused_why
from lookup.domain.errors import InvalidField
from lookup.domain.links import LinkChange
from tests import factories as f

DESK = "+442079460018"


def test_a_key_names_an_order_link_or_a_legacy_record_verbatim():
    assert link_key_parse(text=f"{DESK}|cust-1") == LinkKey(DESK, "cust-1")
    legacy = link_key_parse(text=f"{DESK}|cust-1|2019-01-01T10:00:00Z|odd")
    assert legacy == LinkKey(DESK, "cust-1", "2019-01-01T10:00:00Z|odd")
    assert link_key_parse(text=legacy.text) == legacy


@pytest.mark.parametrize(
    "text",
    ["", "07700 900461", "+44x|cust", f"{DESK}|", f"{DESK}| ", "cust-1|+44", "+" + "1" * 40 + "|c"],
)
def test_anything_else_is_refused(text):
    with pytest.raises(InvalidField):
        link_key_parse(text=text)


def test_a_number_gives_its_old_order_links_oldest_first_and_sets_aside_the_rest():
    before = f.NOW - timedelta(days=365)
    oldest = f.legacy_link("c-legacy", DESK, f.NOW - timedelta(days=900))
    old = f.order_link("c-old", DESK, last_seen=f.NOW - timedelta(days=400))
    first_only = f.order_link(
        "c-first", DESK, first_seen=f.NOW - timedelta(days=500), last_seen=None
    )
    recent = f.order_link("c-recent", DESK)
    undated = f.order_link("c-undated", DESK, first_seen=None, last_seen=None)
    profile = f.profile_link("c-profile", DESK, first_seen=f.NOW - timedelta(days=900))
    tombstone = f.order_link(
        "c-gone", DESK, last_seen=f.NOW - timedelta(days=800), unlink=LinkChange(f.NOW, "x", "y")
    )
    selection = number_links_before(
        links=[recent, old, undated, profile, first_only, oldest, tombstone], before=before
    )
    assert selection.candidates == (oldest, first_only, old)
    assert selection.left_alone == ((undated, LeftAlone.UNDATED), (profile, LeftAlone.PROFILE))


def test_a_refused_write_says_what_the_link_became():
    live = f.order_link("c", DESK)
    dead = f.order_link("c", DESK, unlink=LinkChange(f.NOW, "x", "y"))
    assert refused_why(current=None, unlinking=True) is LeftAlone.GONE
    assert refused_why(current=live, unlinking=True) is LeftAlone.CHANGED
    assert refused_why(current=dead, unlinking=True) is LeftAlone.ALREADY_UNLINKED
    assert refused_why(current=live, unlinking=False) is LeftAlone.RELINKED
    assert refused_why(current=dead, unlinking=False) is LeftAlone.UNLINKED_AGAIN
