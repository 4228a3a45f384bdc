"""Small builders of domain records for tests; written through the repository like real data."""

import itertools
from datetime import UTC, datetime, timedelta

from lookup.domain import CustomerProfile, LinkSource, PhoneLink, RecentOrder

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
UK_MOBILE = "+447946095812"  # the `shared_number` fixture's number
_sequence = itertools.count(1)


def profile(customer_id: str | None = None, **fields) -> CustomerProfile:
    number = next(_sequence)
    defaults = {
        "customer_id": customer_id or f"cust-{number:05d}",
        "name": f"Customer {number}",
        "email": f"customer{number}@example.com",
        "country": "GB",
        "created_at": NOW - timedelta(days=400),
        "status": "active",
    }
    return CustomerProfile(**{**defaults, **fields})


def profile_link(customer_id: str, phone: str, **fields) -> PhoneLink:
    defaults = {"first_seen": NOW - timedelta(days=300), "verified": True}
    return PhoneLink(
        customer_id=customer_id, phone=phone, source=LinkSource.PROFILE, **{**defaults, **fields}
    )


def recent(*order_ids: str, last_seen: datetime | None = None) -> tuple[RecentOrder, ...]:
    """Orders newest first, a day apart, the newest on `last_seen`."""
    newest = last_seen or NOW - timedelta(days=10)
    return tuple(
        RecentOrder(order_id=order_id, created_at=newest - timedelta(days=index))
        for index, order_id in enumerate(order_ids)
    )


def order_link(customer_id: str, phone: str, **fields) -> PhoneLink:
    defaults = {
        "first_seen": NOW - timedelta(days=200),
        "last_seen": NOW - timedelta(days=10),
        "order_count": 3,
        "recent_orders": recent("ord_a1", "ord_a2", "ord_a3"),
    }
    return PhoneLink(
        customer_id=customer_id, phone=phone, source=LinkSource.ORDER, **{**defaults, **fields}
    )


def legacy_link(customer_id: str, phone: str, created: datetime | None = None) -> PhoneLink:
    moment = created or NOW - timedelta(days=900)
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.LEGACY,
        first_seen=moment,
        last_seen=moment,
    )
