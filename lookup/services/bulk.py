"""A lead's bulk unlink and its undo: many single unlinks (or restores), each one conditional
write at the version the lead saw, recorded as one batch.

No transaction spans the links (DynamoDB's hold 100 items and would make one changed link
refuse them all): each link's write applies or is refused on its own, and a refused one is
skipped and reported, never overwritten. The batch and its items are written to the
relational database before the first write (each item "pending", with the version shown), so
an undo knows every link the batch may have touched even if the process died in between: an
item's restore is conditioned on the version its unlink left, which is always the version
shown plus one.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from lookup.audit import AuditContext, audit_write
from lookup.bulk_models import BulkUnlink, BulkUnlinkItem
from lookup.domain.bulk import LeftAlone, LinkKey, ShownLink, refused_why
from lookup.domain.decisions import links_still_finding
from lookup.domain.errors import DirectoryUnavailable, WriteRefused
from lookup.domain.links import LinkChange, PhoneLink
from lookup.domain.times import utc_now
from lookup.models import AuditEntry
from lookup.phones import phone_equivalents
from lookup.repository import LinkRepository, get_links
from lookup.selectors.bulk import concurrently_bounded, still_found_text
from lookup.services.review import review_links_decided

logger = logging.getLogger(__name__)

Outcome = BulkUnlinkItem.Outcome


class BatchAlreadyUndone(Exception):
    """The batch was undone before (by this lead or another): nothing was done again."""


class PreviewConfirmed(Exception):
    """The preview was confirmed before (a double submit): its batch, nothing done again."""

    def __init__(self, batch: BulkUnlink) -> None:
        super().__init__(batch.subject)
        self.batch = batch


@dataclass(frozen=True, slots=True)
class _Written:
    """What one link's write did: its new version, or why it was skipped."""

    version: int | None = None
    why: LeftAlone | None = None
    link: PhoneLink | None = None  # as the write left it


def links_bulk_unlink(
    *, links: Sequence[ShownLink], reason: str, audit: AuditContext, preview: str | None = None
) -> BulkUnlink:
    """Unlink each link at the version shown, a few at a time; record the batch, an UNLINK
    audit entry per link unlinked and one BULK_UNLINK entry for the batch. `preview` names the
    preview confirmed: confirming it again raises PreviewConfirmed (with that batch), nothing
    done twice."""
    now = utc_now()
    try:
        with transaction.atomic():
            batch = BulkUnlink.objects.create(
                at=now, user=audit.user, actor=audit.actor, reason=reason, preview=preview
            )
    except IntegrityError:
        raise PreviewConfirmed(BulkUnlink.objects.get(preview=preview)) from None
    items = BulkUnlinkItem.objects.bulk_create(
        BulkUnlinkItem(
            batch=batch,
            phone=shown.key.phone,
            customer_id=shown.key.customer_id,
            legacy_id=shown.key.legacy_id or "",
            version_shown=shown.version,
        )
        for shown in links
    )
    change = LinkChange(at=now, by=audit.actor, reason=reason)
    repository = get_links()

    def record(written: list[_Written]) -> None:
        unlinked = [item for item, done in zip(items, written, strict=True) if done.version]
        with transaction.atomic():
            for item, done in zip(items, written, strict=True):
                item.outcome = Outcome.UNLINKED if done.version else Outcome.SKIPPED
                item.version_left = done.version
                item.why = done.why.value if done.why else ""
            BulkUnlinkItem.objects.bulk_update(items, ["outcome", "version_left", "why"])
            batch.unlinked = len(unlinked)
            batch.skipped = len(items) - batch.unlinked
            batch.save(update_fields=["unlinked", "skipped"])
            _audit_batch(
                batch=batch,
                items=unlinked,
                audit=audit,
                per_link=AuditEntry.Action.UNLINK,
                per_link_reason=f"{reason} ({batch.subject})",
                action=AuditEntry.Action.BULK_UNLINK,
                summary=f"{reason} ({batch.unlinked} unlinked, {batch.skipped} skipped)",
                count=batch.unlinked,
            )
        # After the audit is safe: what searches still find is worth a message, not a
        # missing audit entry if DynamoDB fails now.
        _still_finding_record(batch=batch, items=unlinked)

    return _batch_apply(
        batch=batch,
        items=items,
        write=lambda item: _write(
            repository, item, change=change, unlinked=True, expected=item.version_shown
        ),
        record=record,
    )


def bulk_unlink_undo(*, batch: BulkUnlink, audit: AuditContext) -> BulkUnlink:
    """Restore each link the batch unlinked that is still as the batch left it (at the version
    its unlink wrote); a link changed since is skipped and reported. Once: a second undo raises
    BatchAlreadyUndone. Audited: RESTORE per link restored, one BULK_UNDO for the undo."""
    claimed = BulkUnlink.objects.filter(pk=batch.pk, undone_at__isnull=True).update(
        undone_at=timezone.now(), undone_by=audit.actor
    )
    if not claimed:
        raise BatchAlreadyUndone(batch.subject)
    batch.refresh_from_db()
    # An item still pending, or whose write got no answer, may have been unlinked too: its
    # restore is conditioned on the version that unlink would have left, so it applies only
    # if it did.
    items = [
        item
        for item in batch.items.all()
        if item.outcome in (Outcome.UNLINKED, Outcome.PENDING) or item.why == LeftAlone.FAILED
    ]
    change = LinkChange(at=utc_now(), by=audit.actor, reason=f"Undo of {batch.subject}")
    repository = get_links()

    def record(written: list[_Written]) -> None:
        with transaction.atomic():
            for item, done in zip(items, written, strict=True):
                if done.version:
                    item.undo_outcome = Outcome.RESTORED
                elif item.outcome == Outcome.UNLINKED:
                    item.undo_outcome = Outcome.SKIPPED
                    item.undo_why = done.why.value if done.why else ""
            BulkUnlinkItem.objects.bulk_update(items, ["undo_outcome", "undo_why"])
            restored = [item for item in items if item.undo_outcome == Outcome.RESTORED]
            batch.restored = len(restored)
            batch.undo_skipped = sum(1 for item in items if item.undo_outcome == Outcome.SKIPPED)
            batch.save(update_fields=["restored", "undo_skipped"])
            _audit_batch(
                batch=batch,
                items=restored,
                audit=audit,
                per_link=AuditEntry.Action.RESTORE,
                per_link_reason=change.reason or "",
                action=AuditEntry.Action.BULK_UNDO,
                summary=f"{batch.restored} restored, {batch.undo_skipped} skipped",
                count=batch.restored,
            )

    def restore(item: BulkUnlinkItem) -> _Written:
        if item.outcome != Outcome.UNLINKED:
            # Whether the batch's write applied is unknown, and another lead's unlink would
            # leave the same version: only the batch's own tombstone is restored.
            key = item.key
            current = repository.link_find(
                customer_id=key.customer_id, phone=key.phone, legacy_id=key.legacy_id
            )
            if current is None or current.unlink is None or not _batch_made(current.unlink, batch):
                return _Written(why=refused_why(current=current, unlinking=False))
        return _write(
            repository,
            item,
            change=change,
            unlinked=False,
            expected=item.version_left or item.version_shown + 1,
        )

    return _batch_apply(batch=batch, items=items, write=restore, record=record)


def _batch_made(unlink: LinkChange, batch: BulkUnlink) -> bool:
    """Whether a tombstone is the batch's own: its lead, its reason, its moment (as stored, to
    the second or better)."""
    return (
        unlink.by == batch.actor
        and unlink.reason == batch.reason
        and unlink.at is not None
        and abs((unlink.at - batch.at).total_seconds()) < 1
    )


def _batch_apply(
    *,
    batch: BulkUnlink,
    items: list[BulkUnlinkItem],
    write: Callable[[BulkUnlinkItem], _Written],
    record: Callable[[list[_Written]], None],
) -> BulkUnlink:
    """Run `write` on each item (BULK_CONCURRENCY at a time, on the shared pool), then
    `record` what they did. A batch and its undo both end here, so what must follow every
    change a batch makes - the review queue's re-evaluation of its numbers (one Query a number,
    at the same time) - is called once, below `record`."""
    written = concurrently_bounded(write, items)
    record(written)
    # The links as the writes left them: the index the refresh Queries may not show them yet.
    review_links_decided(
        phones=batch_numbers(batch=batch), written=[done.link for done in written if done.link]
    )
    return batch


def batch_numbers(*, batch: BulkUnlink) -> list[str]:
    """The distinct numbers a batch (or its undo) changed a link of: what the review queue
    re-evaluates after either."""
    changed = batch.items.filter(outcome=Outcome.UNLINKED)
    return sorted(set(changed.values_list("phone", flat=True)))


def _write(
    repository: LinkRepository,
    item: BulkUnlinkItem,
    *,
    change: LinkChange,
    unlinked: bool,
    expected: int,
) -> _Written:
    """One link's unlink (or restore) at version `expected`: one conditional UpdateItem."""
    key = item.key
    link = PhoneLink(
        customer_id=key.customer_id, phone=key.phone, source=key.source, legacy_id=key.legacy_id
    )
    try:
        written = repository.link_state_save(
            link=link, unlinked=unlinked, change=change, expected_version=expected
        )
    except WriteRefused as refused:
        return _Written(why=refused_why(current=refused.current, unlinking=unlinked))
    except DirectoryUnavailable:
        # The write may have applied without its answer: the batch page says to check, and
        # an undo tries it anyway (conditioned on the version it would have left).
        return _Written(why=LeftAlone.FAILED)
    return _Written(version=written.version, link=written)


def _still_finding_record(*, batch: BulkUnlink, items: Sequence[BulkUnlinkItem]) -> None:
    """Note on each unlinked item what searches still find its customer through, and that
    the batch knows it (else its page words it as a rule, not a fact)."""
    try:
        still_finding = _still_finding(items)
    except DirectoryUnavailable:
        logger.warning("%s: could not read what searches still find", batch.subject)
        return
    for item in items:
        item.still_found_through = still_finding.get(item.key, "")
    with transaction.atomic():
        BulkUnlinkItem.objects.bulk_update(items, ["still_found_through"])
        batch.still_found_known = True
        batch.save(update_fields=["still_found_known"])


def _still_finding(items: Sequence[BulkUnlinkItem]) -> dict[LinkKey, str]:
    """For each unlinked item, the customer's other live links to its number (or another form
    of it) that a search still finds them through: one Query per number and form, all at once.
    The batch's own links are left out (the index may not show their unlink yet)."""
    if not items:
        return {}
    forms = {
        item.phone: [item.phone, *(eq.e164 for eq in phone_equivalents(e164=item.phone))]
        for item in items
    }
    phones = sorted({phone for group in forms.values() for phone in group})
    repository = get_links()
    read = concurrently_bounded(lambda phone: repository.links_of_number(phone=phone), phones)
    live = dict(zip(phones, read, strict=True))
    batch = {(item.key, item.key.source) for item in items}
    found: dict[LinkKey, str] = {}
    for item in items:
        key = item.key
        others = [
            link
            for phone in forms[item.phone]
            for link in live[phone]
            if link.customer_id == key.customer_id and (LinkKey.of(link), link.source) not in batch
        ]
        unlinked = PhoneLink(
            customer_id=key.customer_id,
            phone=key.phone,
            source=key.source,
            legacy_id=key.legacy_id,
        )
        if still := links_still_finding(links=others, unlinked=unlinked):
            found[key] = still_found_text(links=still)
    return found


def _audit_batch(
    *,
    batch: BulkUnlink,
    items: Sequence[BulkUnlinkItem],
    audit: AuditContext,
    per_link: str,
    per_link_reason: str,
    action: str,
    summary: str,
    count: int,
) -> None:
    """One entry per link changed and one for the batch, each naming the batch (`subject`,
    which the admin's audit list links to the batch page)."""
    for item in items:
        audit_write(
            audit=audit,
            action=per_link,
            phone=item.phone,
            customer_id=item.customer_id,
            reason=per_link_reason,
            subject=batch.subject,
        )
    audit_write(
        audit=audit, action=action, reason=summary, result_count=count, subject=batch.subject
    )
