"""How an order adds evidence to an order-derived link: pure rules, no storage.

The invariants of a link (docs/architecture.md) live here, so they can be tested without DynamoDB:
idempotent (a redelivered order changes nothing), order-independent (first/last seen stay right
whatever order events arrive in), replay-safe after an unlink, and bounded (the item keeps only
the most recent orders).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from lookup.domain.links import MAX_RECENT_ORDERS, LinkChange, LinkSource, PhoneLink, RecentOrder
from lookup.domain.times import earliest, latest


@dataclass(frozen=True, slots=True)
class OrderSeen:
    """An order that carried a phone (its drop-off phone, else the customer's account phone),
    as ingestion hands it over."""

    order_id: str
    customer_id: str
    phone: str  # E.164, normalized with the order's country
    country: str
    created_at: datetime
    # Which event field the number came from: the link is the same either way, so this is only
    # said (audit, worker counts), never stored.
    phone_field: str = "order.delivery.dropoff.phoneNumber"


@dataclass(frozen=True, slots=True)
class OrderSkipped:
    """A well-formed order with no phone to link (a pickup, dine-in or drive-through order of
    an account without a phone): acknowledged, counted, never retried."""

    order_id: str
    customer_id: str
    reason: str


class LinkOutcome(StrEnum):
    CREATED = "created"  # a new searchable link
    RELINKED = "relinked"  # an order placed after an unlink made the number searchable again
    UPDATED = "updated"  # new evidence on a link that existed
    ALREADY_RECORDED = "already_recorded"  # a redelivery or replay: nothing changed
    KEPT_UNLINKED = "kept_unlinked"  # an order from before the unlink: not resurrected
    SKIPPED = "skipped"  # no drop-off or account phone: nothing to link, nothing written

    @property
    def created(self) -> bool:
        return self in (LinkOutcome.CREATED, LinkOutcome.RELINKED)


def link_with_order(
    existing: PhoneLink | None, order: OrderSeen, *, now: datetime
) -> tuple[LinkOutcome, PhoneLink | None]:
    """The link after `order` is taken into account, or None when nothing must be written."""
    seen = RecentOrder(order_id=order.order_id, created_at=order.created_at)
    if existing is None:
        return LinkOutcome.CREATED, PhoneLink(
            customer_id=order.customer_id,
            phone=order.phone,
            source=LinkSource.ORDER,
            first_seen=order.created_at,
            last_seen=order.created_at,
            order_count=1,
            recent_orders=(seen,),
            country=order.country,
            version=1,
        )
    if order.order_id in existing.recent_order_ids:
        return LinkOutcome.ALREADY_RECORDED, None

    relinking = False
    if existing.unlink is not None:
        if existing.unlink.covers(order.created_at):
            # Kept as evidence on the tombstone, so a restore (or a relink by a newer order)
            # shows the same history whichever order the events arrived in.
            merged = _merge_evidence(existing, seen, country=order.country)
            if merged is None:
                return LinkOutcome.KEPT_UNLINKED, None
            return LinkOutcome.KEPT_UNLINKED, replace(merged, version=existing.version + 1)
        relinking = True

    merged = _merge_evidence(existing, seen, country=order.country)
    if merged is None and not relinking:
        return LinkOutcome.ALREADY_RECORDED, None
    updated = merged or existing
    if relinking:
        updated = replace(
            updated,
            unlink=None,
            restore=LinkChange(
                at=now, by=f"order {order.order_id}", reason="New order after the unlink"
            ),
        )
    return (
        LinkOutcome.RELINKED if relinking else LinkOutcome.UPDATED,
        replace(updated, version=existing.version + 1),
    )


def legacy_unlink_covers(legacy: Iterable[PhoneLink], order: OrderSeen) -> bool:
    """Whether a lead's unlink of a legacy record of the same number already decided `order`.

    Until the migration folds legacy records in, the tombstone on a legacy record is the only
    trace of that decision: without this check the first order-derived link, created from an
    order placed before the unlink (a replay, a backfill), would put the number back in search.
    A live legacy record of the number keeps it searchable anyway, so it lifts the check.
    """
    records = list(legacy)
    if any(record.is_active for record in records):
        return False
    return any(record.unlink.covers(order.created_at) for record in records if record.unlink)


def _merge_evidence(link: PhoneLink, seen: RecentOrder, *, country: str) -> PhoneLink | None:
    recent = list(link.recent_orders)
    window_full = len(recent) >= MAX_RECENT_ORDERS
    oldest_kept = min((o.created_at for o in recent if o.created_at), default=None)
    # An order older than everything in a full window may be one counted before and since
    # pushed out of it (a replay): never count it twice; it can only move first-seen back.
    older_than_window = window_full and oldest_kept is not None and seen.created_at < oldest_kept
    first_seen = earliest(link.first_seen, seen.created_at)
    last_seen = latest(link.last_seen, seen.created_at)
    if older_than_window:
        if first_seen == link.first_seen:
            return None
        return replace(link, first_seen=first_seen)

    recent.append(seen)
    recent.sort(key=lambda o: (o.created_at is not None, o.created_at), reverse=True)
    return replace(
        link,
        first_seen=first_seen,
        last_seen=last_seen,
        order_count=(link.order_count or len(link.recent_orders)) + 1,
        recent_orders=tuple(recent[:MAX_RECENT_ORDERS]),
        country=country if last_seen == seen.created_at else link.country,
    )
