"""How orders make the evidence of an order-derived link: pure rules, no storage.

Every order delivered for a link is recorded once as an order marker (`OrderMark`, one small
item per order in the repository); the link's evidence - count, first and last seen, the most
recent orders, the latest order's country - is derived from the set of markers, plus what the
link knew before markers existed (`EvidenceBaseline`). A set does not depend on the order its
elements arrived in nor on how often each arrived, so the evidence is exact under any delivery
order, duplicates and replays; a crash between writing a marker and the link heals when the next
delivery derives the link again. Replay-safe after an unlink: only an order placed after the
unlink puts the number back in search. Bounded: the link item keeps only the recent orders.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from lookup.domain.additions import OrderAddition
from lookup.domain.links import (
    MAX_RECENT_ORDERS,
    EvidenceBaseline,
    LinkChange,
    LinkSource,
    OrderMark,
    PhoneLink,
    RecentOrder,
)
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


def order_mark(order: OrderSeen) -> OrderMark:
    return OrderMark(order_id=order.order_id, created_at=order.created_at, country=order.country)


def baseline_of(link: PhoneLink) -> tuple[EvidenceBaseline, tuple[OrderMark, ...]]:
    """What a link written before markers existed knows, split into the orders it can name
    (its recent orders, which become markers) and a baseline for the rest.

    A link counted by this tool's earlier code knows its count and its recent order ids: the
    orders past the window are counted, unnamed, and older than the oldest kept. A record that
    says only when it was created (the users service's, a migrated legacy record) stands for
    the one order that created it, placed at that moment: an order delivered later with that
    same creation time (to the second, as stored) is taken to be that order.
    """
    marks = tuple(
        OrderMark(order_id=order.order_id, created_at=order.created_at)
        for order in link.recent_orders
        if order.created_at is not None
    )
    if link.order_count is not None:
        unnamed = max(0, link.order_count - len(marks))
        oldest_named = min((mark.created_at for mark in marks), default=None)
        before = oldest_named or _just_after(link.last_seen or link.first_seen)
    elif marks:
        unnamed, before = 0, None
    else:
        before = _just_after(link.last_seen or link.first_seen)
        unnamed = 1 if before is not None else 0
    return (
        EvidenceBaseline(
            orders=unnamed,
            before=before if unnamed else None,
            first_seen=link.first_seen,
            last_seen=link.last_seen,
            country=link.country,
        ),
        marks,
    )


def _just_after(moment: datetime | None) -> datetime | None:
    # Stored times are to the second: an order at `moment` itself is placed before this.
    return moment + timedelta(seconds=1) if moment is not None else None


@dataclass(frozen=True, slots=True)
class Evidence:
    order_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    recent_orders: tuple[RecentOrder, ...]
    country: str | None


def evidence_derive(marks: Iterable[OrderMark], baseline: EvidenceBaseline | None) -> Evidence:
    """A link's evidence from its markers (deduplicated by order id) and its baseline."""
    by_id: dict[str, OrderMark] = {}
    for mark in marks:
        by_id.setdefault(mark.order_id, mark)
    unique = sorted(by_id.values(), key=lambda m: (m.created_at, m.order_id), reverse=True)
    base = baseline or EvidenceBaseline()
    if base.orders and base.before is not None:
        older = sum(1 for mark in unique if mark.created_at < base.before)
        count = len(unique) - older + max(base.orders, older)
    else:
        count = len(unique) + base.orders
    newest = unique[0] if unique else None
    last_seen = latest(base.last_seen, newest.created_at if newest else None)
    country = base.country
    if newest is not None and newest.created_at == last_seen and newest.country:
        country = newest.country
    return Evidence(
        order_count=count,
        first_seen=earliest(base.first_seen, unique[-1].created_at if unique else None),
        last_seen=last_seen,
        recent_orders=tuple(
            RecentOrder(order_id=mark.order_id, created_at=mark.created_at)
            for mark in unique[:MAX_RECENT_ORDERS]
        ),
        country=country,
    )


def link_with_marks(
    existing: PhoneLink | None,
    marks: Sequence[OrderMark],
    *,
    customer_id: str,
    phone: str,
    now: datetime,
) -> tuple[LinkOutcome, PhoneLink | None]:
    """The link as its order markers make it, or None when nothing must be written.

    `existing` must already be marked (its baseline taken: `baseline_of`) or absent; the
    version is left as read (storage sets the next one when it writes). An unlinked
    link takes the evidence but stays out of search unless one of its orders was placed after
    the unlink; then the newest such order puts it back (named as the restorer, so the result
    is the same whichever delivery got there first).
    """
    evidence = evidence_derive(marks, existing.baseline if existing else None)
    fields = {
        "first_seen": evidence.first_seen,
        "last_seen": evidence.last_seen,
        "order_count": evidence.order_count,
        "recent_orders": evidence.recent_orders,
        "country": evidence.country,
        "marked": True,
    }
    if existing is None:
        link = PhoneLink(customer_id=customer_id, phone=phone, source=LinkSource.ORDER, **fields)
        return LinkOutcome.CREATED, link
    updated = replace(existing, **fields)
    outcome = LinkOutcome.UPDATED
    if existing.unlink is not None:
        after = [mark for mark in marks if not existing.unlink.covers(mark.created_at)]
        if after:
            newest = max(after, key=lambda m: (m.created_at, m.order_id))
            updated = replace(
                updated,
                unlink=None,
                restore=LinkChange(
                    at=now, by=f"order {newest.order_id}", reason="New order after the unlink"
                ),
            )
            outcome = LinkOutcome.RELINKED
        else:
            outcome = LinkOutcome.KEPT_UNLINKED
    if updated == existing:
        return LinkOutcome.ALREADY_RECORDED, None
    return outcome, updated


def order_addition(order: OrderSeen, *, creates: bool) -> OrderAddition:
    """The order as an addition to its link; `creates` when nothing else (a legacy record) can
    decide a first link."""
    return OrderAddition(
        customer_id=order.customer_id, phone=order.phone, order=order_mark(order), creates=creates
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
