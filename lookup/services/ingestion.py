"""Order-committed events -> order-derived links.

`order_event_ingest` is the one entry point every path uses: the SQS worker, the HTTP endpoint
and the backfill command. Idempotent and independent of arrival order (the rules are in
`lookup.domain.evidence`); raises InvalidField for a bad event and DirectoryUnavailable when
DynamoDB cannot be reached (worth a retry).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from lookup.audit import AuditContext, audit_write
from lookup.domain.evidence import (
    LinkOutcome,
    OrderSeen,
    OrderSkipped,
    legacy_unlink_covers,
    link_with_order,
)
from lookup.domain.legacy import legacy_phone_or_reason
from lookup.domain.links import MAX_RECENT_ORDERS, PhoneLink
from lookup.domain.times import utc_now
from lookup.events import PHONE_FIELD, order_event_parse
from lookup.models import AuditEntry
from lookup.repository import get_links
from lookup.services.links import link_fold_save


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
    """Upsert the UserPhoneLookUp for (customer, phone) with this order's evidence.

    A repeat order, newer than any the link has seen, is one conditional UpdateItem (the common
    case: a customer ordering again to the same number). Anything else - a first link, an order
    arriving late or again, an unlinked link - is read, folded by `link_with_order` and written
    back conditioned on the version read. A first link also reads the customer's legacy records
    (one Query), whose unlink may already have decided this order, while LEGACY_LOOKUPS_REMAIN:
    once `migrate_legacy_lookups` has run on every table there are none, and the setting can be
    turned off.
    """
    now = now or utc_now()
    added = get_links().link_order_add(
        customer_id=order.customer_id,
        phone=order.phone,
        order_id=order.order_id,
        created_at=order.created_at,
        country=order.country,
        room=2 * MAX_RECENT_ORDERS,
        # While legacy records may remain, a first link must look at them before it is made.
        create=not settings.LEGACY_LOOKUPS_REMAIN,
    )
    if added.applied:
        return LinkOutcome.CREATED if added.created else LinkOutcome.UPDATED

    def fold(existing: PhoneLink | None) -> tuple[LinkOutcome, PhoneLink | None]:
        if (
            existing is None
            and settings.LEGACY_LOOKUPS_REMAIN
            and legacy_unlink_covers(_legacy_links_of(order), order)
        ):
            return LinkOutcome.KEPT_UNLINKED, None
        return link_with_order(existing, order, now=now)

    outcome, _ = link_fold_save(
        customer_id=order.customer_id,
        phone=order.phone,
        fold=fold,
        what=f"order {order.order_id}",
        **({"known": added.current} if added.current_known else {}),
    )
    return outcome


def _legacy_links_of(order: OrderSeen) -> list[PhoneLink]:
    """The customer's legacy records of the order's number (old code did not always store
    clean E.164, so numbers are compared normalized)."""
    return [
        link
        for link in get_links().legacy_links_of_customer(customer_id=order.customer_id)
        if legacy_phone_or_reason(link.phone)[0] == order.phone
    ]
