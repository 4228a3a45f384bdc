"""Legacy lookup records -> current links: fold each in, then remove it.

Every write is a single-item conditional write (no transactions):

1. save the current link, conditioned on the version read (or on its absence);
2. delete the legacy record, conditioned on its own version, so an unlink or restore made on it
   meanwhile is never lost: the record is folded in again, as it is now, and then removed.

Interrupted between 1 and 2, a later run folds the same record again, which changes nothing
(`lookup.domain.legacy.link_with_legacy` is idempotent) and then removes it: resumable by design.
"""

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from lookup.domain.errors import DirectoryUnavailable, WriteRefused
from lookup.domain.legacy import LegacyOutcome, legacy_phone_or_reason, link_with_legacy
from lookup.domain.links import PhoneLink
from lookup.domain.times import utc_now
from lookup.repository import LegacyRecord, get_links
from lookup.services.links import CONFLICT_RETRIES, link_fold_save

# (customer id, E.164) -> the current link as a dry run would have left it.
Plan = MutableMapping[tuple[str, str], PhoneLink | None]


@dataclass(frozen=True, slots=True)
class LegacyMigration:
    legacy: PhoneLink
    outcome: LegacyOutcome
    link: PhoneLink | None = None  # the current link afterwards (planned, in a dry run)
    reason: str = ""  # why it was skipped


def legacy_records(*, page_size: int = 500) -> Iterator[LegacyRecord]:
    """Every legacy record left in the table, as a scan finds them."""
    return get_links().legacy_scan(page_size=page_size)


def legacy_migrate(*, legacy: PhoneLink, now: datetime | None = None) -> LegacyMigration:
    """Fold one legacy record into the current link, then remove it."""
    now = now or utc_now()
    phone, reason = legacy_phone_or_reason(legacy.phone)
    if phone is None:
        return LegacyMigration(legacy=legacy, outcome=LegacyOutcome.SKIPPED, reason=reason)
    links = get_links()
    first_outcome: LegacyOutcome | None = None
    for _ in range(CONFLICT_RETRIES):
        outcome, link = link_fold_save(
            customer_id=legacy.customer_id,
            phone=phone,
            fold=partial(link_with_legacy, legacy=legacy, phone=phone, now=now),
            what=f"the legacy record of {legacy.customer_id}",
        )
        if first_outcome is None or first_outcome is LegacyOutcome.UNCHANGED:
            first_outcome = outcome
        try:
            links.legacy_delete(legacy=legacy)
        except WriteRefused:
            pass  # unlinked or restored meanwhile, or removed by another run
        else:
            return LegacyMigration(legacy=legacy, outcome=first_outcome, link=link)
        current = links.link_find(
            customer_id=legacy.customer_id, phone=legacy.phone, legacy_id=legacy.legacy_id
        )
        if current is None:  # another run removed it after folding it in
            return LegacyMigration(legacy=legacy, outcome=first_outcome, link=link)
        legacy = current  # unlinked or restored meanwhile: fold in what it says now
    raise DirectoryUnavailable(
        f"Gave up migrating the legacy record of {legacy.customer_id}: it kept changing."
    )


def legacy_plan(*, legacy: PhoneLink, plan: Plan) -> LegacyMigration:
    """What `legacy_migrate` would do, writing nothing; `plan` carries earlier records'
    effects so several legacy records of one link are reported as a real run would."""
    phone, reason = legacy_phone_or_reason(legacy.phone)
    if phone is None:
        return LegacyMigration(legacy=legacy, outcome=LegacyOutcome.SKIPPED, reason=reason)
    key = (legacy.customer_id, phone)
    if key in plan:
        existing = plan[key]
    else:
        existing = get_links().link_find(customer_id=legacy.customer_id, phone=phone)
    outcome, updated = link_with_legacy(existing, legacy, phone=phone, now=utc_now())
    plan[key] = updated or existing
    return LegacyMigration(legacy=legacy, outcome=outcome, link=updated or existing)
