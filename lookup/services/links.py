"""Writes to phone links: the one read -> rule -> conditional-save loop, and staff decisions."""

from collections.abc import Callable
from typing import TypeVar

from lookup.audit import AuditContext, audit_write
from lookup.domain.decisions import LinkDecision, decision_conflict
from lookup.domain.errors import DirectoryUnavailable, WriteRefused
from lookup.domain.links import LinkChange, PhoneLink
from lookup.domain.times import utc_now
from lookup.models import AuditEntry
from lookup.repository import get_links
from lookup.services.review import review_links_decided

CONFLICT_RETRIES = 8

Outcome = TypeVar("Outcome")
Fold = Callable[[PhoneLink | None], tuple[Outcome, PhoneLink | None]]


def link_fold_save(
    *,
    customer_id: str,
    phone: str,
    fold: Fold[Outcome],
    what: str,
) -> tuple[Outcome, PhoneLink | None]:
    """Read the current link, let `fold` (a domain rule) say what it becomes, and write that
    back at the next version, conditioned on the one read; a concurrent writer makes the write
    fail (WriteRefused) and the loop reads again. Returns the rule's outcome and the link as it
    now is (None if absent).

    No transactions (every write is one conditional single-item write), so `fold` must be
    idempotent: folding the same evidence into its own result changes nothing.
    """
    links = get_links()
    for _ in range(CONFLICT_RETRIES):
        existing = links.link_find(customer_id=customer_id, phone=phone)
        outcome, updated = fold(existing)
        if updated is None:
            return outcome, existing
        try:
            return outcome, links.link_save(link=updated, read=existing)
        except WriteRefused:
            continue
    raise DirectoryUnavailable(f"Gave up recording {what}: the link kept changing under us.")


def link_decide(
    *,
    kind: LinkDecision,
    link: PhoneLink,
    expected_version: int | None,
    reason: str,
    audit: AuditContext,
) -> PhoneLink:
    """Unlink (tombstone: out of every search) or restore an order-derived link, as of the
    version the person was shown, and record it in the audit trail.

    Raises LinkNotFound, LinkAlreadyUnlinked, LinkNotUnlinked or LinkChanged (with the link as
    it is now) when the decision no longer applies.
    """
    change = LinkChange(at=utc_now(), by=audit.actor, reason=reason)
    try:
        decided = get_links().link_state_save(
            link=link,
            unlinked=kind.unlinks,
            change=change,
            expected_version=expected_version,
        )
    except WriteRefused as conflict:
        raise decision_conflict(
            kind=kind, current=conflict.current, customer_id=link.customer_id, phone=link.phone
        ) from None
    audit_write(
        audit=audit,
        action=AuditEntry.Action.UNLINK if kind.unlinks else AuditEntry.Action.RESTORE,
        phone=link.phone,
        customer_id=link.customer_id,
        reason=reason,
    )
    # Whether the number's other links still qualify for the review queue, and this one.
    review_links_decided(phones=[link.phone], written=[decided])
    return decided
