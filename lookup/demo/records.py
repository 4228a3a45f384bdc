"""The demo's links, each of the shape its source writes, and the mobile numbers they carry."""

import random
from datetime import datetime, timedelta

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from lookup.domain.links import LinkSource, PhoneLink, RecentOrder


def profile_link(customer_id: str, phone: str, since, verified: bool) -> PhoneLink:
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.PROFILE,
        first_seen=since,
        verified=verified,
    )


def order_link(
    rng: random.Random, customer_id: str, phone: str, *, since: datetime, now: datetime
) -> PhoneLink:
    first = since + timedelta(days=rng.randint(0, max(1, (now - since).days - 1)))
    # Last seen anywhere up to today, so some links have gone quiet for over a year.
    latest_possible = (now - first).days
    last = first + timedelta(days=rng.randint(0, max(0, latest_possible)))
    count = rng.randint(1, 40)
    recent = sorted(
        (
            RecentOrder(
                order_id=f"ord_{rng.getrandbits(48):012x}",
                created_at=first + (last - first) * rng.random(),
            )
            for _ in range(min(count, 4))
        ),
        key=lambda order: order.created_at,
        reverse=True,
    )
    recent[0] = RecentOrder(order_id=recent[0].order_id, created_at=last)
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.ORDER,
        first_seen=first,
        last_seen=last,
        order_count=count,
        recent_orders=tuple(recent),
    )


def legacy_link(customer_id: str, phone: str, moment) -> PhoneLink:
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.LEGACY,
        first_seen=moment,
        last_seen=moment,
    )


def new_mobile(rng: random.Random, region: str, used: set[str]) -> str:
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    national = str(example.national_number)
    tail = min(6, len(national) - 2)
    while True:
        digits = national[:-tail] + "".join(str(rng.randint(0, 9)) for _ in range(tail))
        candidate = phonenumbers.parse(f"+{example.country_code}{digits}", None)
        e164 = phonenumbers.format_number(candidate, PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(candidate) and e164 not in used:
            used.add(e164)
            return e164


def one_per_key(links: list[PhoneLink]) -> list[PhoneLink]:
    """Keep the first link per storage identity (as the real keys would: one item each)."""
    seen: set[tuple] = set()
    unique = []
    for link in links:
        identity = (
            link.customer_id,
            link.phone,
            link.source,
            link.first_seen if link.source is LinkSource.LEGACY else None,
        )
        if identity not in seen:
            seen.add(identity)
            unique.append(link)
    return unique
