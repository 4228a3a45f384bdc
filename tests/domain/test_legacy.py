"""How a legacy record folds into the current link (`lookup.domain.legacy`), without storage."""

from dataclasses import replace
from datetime import timedelta

import pytest

from lookup.domain.legacy import LegacyOutcome, legacy_phone, link_with_legacy
from lookup.phones import PhoneNumberError
from tests import factories as f
from tests.factories import NOW

PHONE = "+442079460018"


def unlinked(link, days_ago: int, reason="Not hers"):
    from lookup.domain import LinkChange

    return replace(
        link, unlink=LinkChange(at=NOW - timedelta(days=days_ago), by="leo.lead", reason=reason)
    )


def fold(existing, legacy):
    return link_with_legacy(existing, legacy, phone=PHONE, now=NOW)


def test_folding_the_same_record_twice_changes_nothing_the_second_time():
    legacy = f.legacy_link("c", PHONE, NOW - timedelta(days=400))
    current = f.order_link("c", PHONE, version=3)
    outcome, once = fold(current, legacy)
    # Storage writes it at the next version, conditioned on the one read.
    assert outcome is LegacyOutcome.MERGED and once.version == 3
    assert fold(once, legacy) == (LegacyOutcome.UNCHANGED, None)


def test_a_legacy_record_from_before_an_unlink_does_not_undo_it():
    current = unlinked(f.order_link("c", PHONE, version=2), days_ago=5)
    _, folded = fold(current, f.legacy_link("c", PHONE, NOW - timedelta(days=600)))
    assert not folded.is_active and folded.first_seen == NOW - timedelta(days=600)


def test_a_legacy_record_from_after_an_unlink_links_again():
    current = unlinked(f.order_link("c", PHONE, version=2), days_ago=50)
    outcome, folded = fold(current, f.legacy_link("c", PHONE, NOW - timedelta(days=20)))
    assert outcome is LegacyOutcome.MERGED and folded.is_active
    assert folded.restore.by == "legacy migration"


def test_a_lead_unlinking_the_legacy_record_covers_older_evidence_only():
    legacy = unlinked(f.legacy_link("c", PHONE, NOW - timedelta(days=900)), days_ago=30)
    older = f.order_link("c", PHONE, last_seen=NOW - timedelta(days=60), version=1)
    newer = f.order_link("c", PHONE, last_seen=NOW - timedelta(days=3), version=1)

    assert not fold(older, legacy)[1].is_active  # the lead's decision stands
    assert fold(newer, legacy)[1].is_active  # an order after it linked the number again


def test_a_legacy_unlink_of_unknown_time_stands_unless_the_link_was_restored():
    from lookup.domain import LinkChange

    legacy = replace(
        f.legacy_link("c", PHONE, NOW - timedelta(days=900)),
        unlink=LinkChange(at=None, by="old tool", reason="Not hers"),
    )
    live = f.order_link("c", PHONE, last_seen=NOW - timedelta(days=3), version=1)
    restored = replace(live, restore=LinkChange(at=NOW - timedelta(days=2), by="leo", reason="ok"))

    assert not fold(live, legacy)[1].is_active
    bare = replace(legacy, unlink=LinkChange(at=None, by=None, reason=None))
    assert fold(live, bare)[1].is_active  # out of the index, nobody on record: no decision
    _, folded = fold(restored, legacy)
    assert folded.is_active and folded.first_seen == NOW - timedelta(days=900)


def test_an_unlinked_legacy_record_alone_becomes_an_unlinked_link():
    legacy = unlinked(f.legacy_link("c", PHONE, NOW - timedelta(days=900)), days_ago=30)
    outcome, link = fold(None, legacy)
    assert outcome is LegacyOutcome.CREATED
    assert not link.is_active and link.unlink.reason == "Not hers"


def test_legacy_numbers_are_read_as_e164():
    assert legacy_phone("+442079460018") == "+442079460018"
    assert legacy_phone("+44 20 7946 0018") == "+442079460018"
    with pytest.raises(PhoneNumberError):
        legacy_phone("020 7946 0018")  # no country to read a national format with
