"""How a legacy lookup record folds into the current UserPhoneLookUp: pure rules, no storage.

A legacy record (older one-customer-per-phone design) says "this customer used this number at
time T" and nothing more: no order id, no country. Folding it in therefore moves first/last
seen and never the order count (it could not be told apart from a fold already done, so
counting it would double on a resumed run). The unlink rules are those of `lookup.evidence`:
evidence from before an unlink does not undo it, evidence from after does; and a lead's unlink
of the legacy record covers every older piece of evidence of the same link.

`link_with_legacy` is idempotent: folding the same record twice changes nothing the second
time, which is what makes the migration resumable without transactions.
"""

import re
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from lookup.domain import LinkChange, LinkSource, PhoneLink
from lookup.phones import PhoneNumberError, phone_normalize

MIGRATION_ACTOR = "legacy migration"
_E164 = re.compile(r"^\+[1-9][0-9]{2,15}$")


class LegacyOutcome(StrEnum):
    CREATED = "created"  # no current link yet: the legacy record became one
    MERGED = "merged"  # the current link took the legacy record's evidence or unlink
    UNCHANGED = "unchanged"  # the current link already said everything the record says
    SKIPPED = "skipped"  # unusable (no readable number): left in place for a person to look at


def legacy_phone(raw: str) -> str:
    """The E.164 key for a legacy record's number; raises PhoneNumberError if there is none.

    Old code stored E.164, but not always cleanly; an international format still normalizes.
    """
    if _E164.match(raw):
        return raw
    return phone_normalize(raw=raw, region="").e164


def link_with_legacy(
    existing: PhoneLink | None, legacy: PhoneLink, *, phone: str, now: datetime
) -> tuple[LegacyOutcome, PhoneLink | None]:
    """The current link after folding `legacy` in, or None when nothing must be written."""
    moment = legacy.first_seen or legacy.last_seen
    if existing is None:
        return LegacyOutcome.CREATED, PhoneLink(
            customer_id=legacy.customer_id,
            phone=phone,
            source=LinkSource.ORDER,
            first_seen=moment,
            last_seen=legacy.last_seen or moment,
            order_count=None,  # unknown, as it was
            unlink=legacy.unlink,  # an unlinked legacy record stays unlinked
            restore=legacy.restore,
            version=1,
        )

    unlink, restore = existing.unlink, existing.restore
    if legacy.is_active:
        unlinked_at = existing.unlink.at if existing.unlink else None
        if unlinked_at is not None and moment is not None and moment > unlinked_at:
            unlink = None
            restore = LinkChange(
                at=now, by=MIGRATION_ACTOR, reason="Legacy record newer than the unlink"
            )
    elif legacy.unlink is not None:
        decided_at = legacy.unlink.at
        if existing.is_active:
            if _unlink_covers(legacy.unlink, existing):
                unlink = legacy.unlink
        elif decided_at is not None and (
            existing.unlink.at is None or decided_at > existing.unlink.at
        ):
            unlink = legacy.unlink  # two unlinks: the latest decision speaks

    merged = replace(
        existing,
        first_seen=_earliest(existing.first_seen, moment),
        last_seen=_latest(existing.last_seen, legacy.last_seen or moment),
        unlink=unlink,
        restore=restore,
    )
    if merged == existing:
        return LegacyOutcome.UNCHANGED, None
    return LegacyOutcome.MERGED, replace(merged, version=existing.version + 1)


def _unlink_covers(unlink: LinkChange, link: PhoneLink) -> bool:
    """Whether an unlink made on a legacy record takes down the live current link too.

    It does unless the link holds evidence newer than the unlink or was restored since. An
    unlink of unknown time cannot be placed, so it stands unless someone restored the link;
    a record merely out of the index, with nobody on record for it, decides nothing.
    """
    if unlink.at is None:
        return unlink.is_decision and link.restore is None
    newest = link.last_seen or link.first_seen
    restored_later = (
        link.restore is not None and link.restore.at is not None and link.restore.at > unlink.at
    )
    return (newest is None or newest <= unlink.at) and not restored_later


def legacy_phone_or_reason(raw: str) -> tuple[str | None, str]:
    try:
        return legacy_phone(raw), ""
    except PhoneNumberError as exc:
        return None, str(exc)


def _earliest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate < current else current


def _latest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current
