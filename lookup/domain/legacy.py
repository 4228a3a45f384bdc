"""How a legacy lookup record folds into the current UserPhoneLookUp: pure rules, no storage.

A legacy record (older one-customer-per-phone design) says "this customer used this number at
time T" and nothing more: no order id, no country. Folding it in therefore moves first/last
seen and never the order count (it could not be told apart from a fold already done, so
counting it would double on a resumed run). The unlink rules are those of `lookup.domain.evidence`:
evidence from before an unlink does not undo it, evidence from after does; and a lead's unlink
of the legacy record covers every older piece of evidence of the same link.

`link_with_legacy` is idempotent: folding the same record twice changes nothing the second
time, which is what makes the migration resumable without transactions.
"""

from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from lookup.domain.links import EvidenceBaseline, LinkChange, LinkSource, PhoneLink
from lookup.domain.times import earliest, latest
from lookup.phones import PhoneNumberError, is_e164, phone_canonical, phone_normalize

MIGRATION_ACTOR = "legacy migration"


class LegacyOutcome(StrEnum):
    CREATED = "created"  # no current link yet: the legacy record became one
    MERGED = "merged"  # the current link took the legacy record's evidence or unlink
    UNCHANGED = "unchanged"  # the current link already said everything the record says
    SKIPPED = "skipped"  # unusable (no readable number): left in place for a person to look at


def legacy_phone(raw: str) -> str:
    """The E.164 key for a legacy record's number; raises PhoneNumberError if there is none.

    Old code stored E.164, but not always cleanly; an international format still normalizes.
    """
    e164 = raw if is_e164(raw) else phone_normalize(raw=raw, region="").e164
    # The current form where a renumbering makes it certain, as ingestion keys new links.
    return phone_canonical(e164=e164)


def link_with_legacy(
    existing: PhoneLink | None, legacy: PhoneLink, *, phone: str, now: datetime
) -> tuple[LegacyOutcome, PhoneLink | None]:
    """The current link after folding `legacy` in, or None when nothing must be written (its
    version as read: storage sets the next one when it writes)."""
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
        )

    unlink, restore = existing.unlink, existing.restore
    if legacy.is_active:
        # The same rule as an order's: evidence from after the unlink links the number again.
        if (
            existing.unlink is not None
            and moment is not None
            and not existing.unlink.covers(moment)
        ):
            unlink = None
            restore = LinkChange(
                at=now, by=MIGRATION_ACTOR, reason="Legacy record newer than the unlink"
            )
    elif legacy.unlink is not None:
        decided_at = legacy.unlink.at
        if existing.is_active:
            if _unlink_takes_down(legacy.unlink, existing):
                unlink = legacy.unlink
        elif decided_at is not None and (
            existing.unlink.at is None or decided_at > existing.unlink.at
        ):
            unlink = legacy.unlink  # two unlinks: the latest decision speaks

    first_seen = earliest(existing.first_seen, moment)
    last_seen = latest(existing.last_seen, legacy.last_seen or moment)
    baseline = existing.baseline
    if existing.marked:
        # A link derived from its order markers keeps what no marker stands for in its
        # baseline, or the next order's derivation would forget the legacy record's dates.
        base = existing.baseline or EvidenceBaseline()
        baseline = replace(
            base,
            first_seen=earliest(base.first_seen, moment),
            last_seen=latest(base.last_seen, legacy.last_seen or moment),
        )
    merged = replace(
        existing,
        first_seen=first_seen,
        last_seen=last_seen,
        unlink=unlink,
        restore=restore,
        baseline=baseline,
    )
    if merged == existing:
        return LegacyOutcome.UNCHANGED, None
    return LegacyOutcome.MERGED, merged


def _unlink_takes_down(unlink: LinkChange, link: PhoneLink) -> bool:
    """Whether an unlink made on a legacy record takes down the live current link too: it
    covers the link's newest evidence and nobody restored the link since."""
    restored_since = link.restore is not None and (
        unlink.at is None or (link.restore.at is not None and link.restore.at > unlink.at)
    )
    return unlink.covers(link.seen) and not restored_since


def legacy_phone_or_reason(raw: str) -> tuple[str | None, str]:
    try:
        return legacy_phone(raw), ""
    except PhoneNumberError as exc:
        return None, str(exc)
