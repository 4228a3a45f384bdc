"""Order-committed events -> order-derived links.

`order_event_ingest` is the one entry point every path uses: the SQS worker, the HTTP endpoint
and the backfill command. Idempotent and independent of arrival order (the rules are in
`lookup.domain.evidence`); raises InvalidField for a bad event and DirectoryUnavailable when
DynamoDB cannot be reached (worth a retry).
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings

from lookup.audit import AuditContext, audit_write
from lookup.domain.errors import DirectoryUnavailable, WriteRefused
from lookup.domain.evidence import (
    LinkOutcome,
    OrderSeen,
    OrderSkipped,
    baseline_of,
    legacy_unlink_covers,
    link_with_marks,
    order_addition,
    order_mark,
)
from lookup.domain.legacy import legacy_phone_or_reason
from lookup.domain.links import PhoneLink
from lookup.domain.times import utc_now
from lookup.events import PHONE_FIELD, order_event_parse
from lookup.models import AuditEntry
from lookup.repository import get_links
from lookup.repository.dynamo import concurrently
from lookup.services.links import CONFLICT_RETRIES
from lookup.services.review import review_order_recorded


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: LinkOutcome  # SKIPPED exactly when `order` is an OrderSkipped
    order: OrderSeen | OrderSkipped


def order_event_ingest(*, event: Any, audit: AuditContext | None = None) -> IngestResult:
    """Record the event's order as evidence of its (customer, phone) link, the phone being the
    drop-off phone, else the account phone; an order with neither is skipped without a
    DynamoDB request. With `audit` (a calling service's request), write the audit entry too."""
    order = order_event_parse(event)
    if isinstance(order, OrderSkipped):
        outcome = LinkOutcome.SKIPPED
        phone, what = "", f"{outcome.value}, {order.reason}"
    else:
        outcome = order_link_record(order=order)
        review_order_recorded(customer_id=order.customer_id, phone=order.phone, outcome=outcome)
        phone, what = order.phone, outcome.value
        if order.phone_field != PHONE_FIELD:
            what += f" from {order.phone_field}"
    if audit is not None:
        audit_write(
            audit=audit,
            action=AuditEntry.Action.API_LINK,
            phone=phone,
            customer_id=order.customer_id,
            reason=f"order {order.order_id}: {what}",
        )
    return IngestResult(outcome=outcome, order=order)


def order_link_record(*, order: OrderSeen, now: datetime | None = None) -> LinkOutcome:
    """Record the order for (customer, phone) and bring the link's evidence up to date.

    The order is first recorded as an order marker (one conditional PutItem; it exists already
    for a redelivery). The link's evidence is what its markers say (`link_with_marks`), so it
    is exact whatever the order, timing and repetition of deliveries. A new order, newer than
    any the link has seen, on a link already derived from markers, adds itself in one
    conditional UpdateItem (the common case: a customer ordering again to the same number).
    Anything else - a first link, an order arriving late or again, a link written before
    markers existed or by another service, an unlinked link - reads the link and its markers,
    derives the link and writes it back conditioned on the version read (`link_derive_save`).
    A crash between the marker and the link heals on the next delivery, which derives again.
    """
    now = now or utc_now()
    links = get_links()
    try:
        links.order_mark_add(
            customer_id=order.customer_id, phone=order.phone, mark=order_mark(order)
        )
        # While legacy records may remain, a first link must look at them before it is made.
        addition = order_addition(order, creates=not settings.LEGACY_LOOKUPS_REMAIN)
        created = links.link_order_add(addition=addition)
    except WriteRefused:
        # Recorded before (a redelivery), or not the simple case: derive from the markers.
        return link_derive_save(order=order, now=now)
    return LinkOutcome.CREATED if created else LinkOutcome.UPDATED


def link_derive_save(*, order: OrderSeen, now: datetime) -> LinkOutcome:
    """Read the link and its order markers, derive the link and write it back conditioned on
    the version read; a concurrent writer makes the write fail and the loop reads again (the
    last writer to succeed has read every marker written before it read)."""
    links = get_links()
    customer_id, phone = order.customer_id, order.phone
    for _ in range(CONFLICT_RETRIES):
        existing, marks = concurrently(
            lambda read: read(),
            [
                lambda: links.link_find(customer_id=customer_id, phone=phone),
                lambda: links.order_marks(customer_id=customer_id, phone=phone),
            ],
        )
        if (
            existing is None
            and settings.LEGACY_LOOKUPS_REMAIN
            and legacy_unlink_covers(_legacy_links_of(order), order)
        ):
            # The marker stays: if a later order links the number, it counts this one too.
            return LinkOutcome.KEPT_UNLINKED
        if existing is not None and not existing.marked:
            # Written before markers existed, or by another service: its evidence becomes the
            # baseline, and the orders it names become markers.
            baseline, named = baseline_of(existing)
            links.order_marks_put(customer_id=customer_id, phone=phone, marks=named)
            marks = [*marks, *named]
            upgrading = replace(existing, baseline=baseline, marked=True)
        else:
            upgrading = existing
        outcome, derived = link_with_marks(
            upgrading, marks, customer_id=customer_id, phone=phone, now=now
        )
        if derived is None and upgrading is not existing:
            derived = upgrading
        if derived is not None:
            try:
                links.link_evidence_save(link=derived, read=existing)
            except WriteRefused:
                continue
        if (
            outcome is LinkOutcome.UPDATED
            and existing is not None
            and _same_evidence(existing, derived)
        ):
            return LinkOutcome.ALREADY_RECORDED
        return outcome
    raise DirectoryUnavailable(
        f"Gave up recording order {order.order_id}: the link kept changing under us."
    )


def _same_evidence(before: PhoneLink, after: PhoneLink | None) -> bool:
    """Whether a write only upgraded the link's record (to marker-derived evidence) without
    changing what it says: the order was already recorded."""
    return after is not None and (
        before.order_count,
        before.first_seen,
        before.last_seen,
        before.recent_order_ids,
    ) == (after.order_count, after.first_seen, after.last_seen, after.recent_order_ids)


def _legacy_links_of(order: OrderSeen) -> list[PhoneLink]:
    """The customer's legacy records of the order's number (old code did not always store
    clean E.164, so numbers are compared normalized)."""
    return [
        link
        for link in get_links().legacy_links_of_customer(customer_id=order.customer_id)
        if legacy_phone_or_reason(link.phone)[0] == order.phone
    ]
