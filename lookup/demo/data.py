"""Deterministic, realistic demo data for local runs and the browser tests.

Same seed, same data: every run writes the same items, so seeding twice changes nothing. Numbers
come from each country's real numbering plan (phonenumbers' own example numbers, varied), the
UK ones from Ofcom's ranges reserved for drama, so none belongs to a real person.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from lookup.demo.people import PEOPLE, STATUSES, ascii_fold
from lookup.demo.records import legacy_link, new_mobile, one_per_key, order_link, profile_link
from lookup.domain.links import CustomerProfile, LinkSource, PhoneLink, RecentOrder
from lookup.phones import phone_normalize

CUSTOMER_COUNT = 520  # and one Argentine and one Beninese customer for the renumbering examples

# Numbers documented in the README as worth trying.
RECEPTION_DESK = phone_normalize(raw="020 7946 0018", region="GB").e164  # 130 customers
FAMILY_PHONE = phone_normalize(raw="(11) 91234-5678", region="BR").e164  # 4 customers
SINGLE_OWNER = phone_normalize(raw="07700 900461", region="GB").e164  # 1 customer, 2 sources
LEGACY_ONLY = phone_normalize(raw="030 1234 5678", region="DE").e164  # legacy record only
# The same subscriber under two keys (docs/phone-numbers.md): a search finds both, labelled.
BR_NINTH_DIGIT = "+5511987654321"  # a profile phone; an older record has +55 11 8765-4321
BR_BEFORE_NINTH_DIGIT = "+551187654321"
MX_CURRENT = "+525512345678"  # an order link; an old gateway wrote +52 1 55 1234 5678
MX_OLD_MOBILE_1 = "+5215512345678"
AR_WITHOUT_9 = "+543515551234"  # an order link; another customer has +54 9 351 555-1234
AR_MOBILE_9 = "+5493515551234"
BJ_CURRENT = "+2290197123456"  # searched; orders before 2024 have +229 97 12 34 56
BJ_BEFORE_01 = "+22997123456"
# A link as the users service's existing code writes it (keys and `createdAt` only), last week.
DESIGN_RECORD = phone_normalize(raw="07700 900777", region="GB").e164
# Passed from one customer (orders two years ago) to another (orders this year): the review
# queue's "passed to another customer".
REASSIGNED = phone_normalize(raw="07946 095313", region="GB").e164
# A call-centre operator's account: orders placed for callers are recorded under it, so it
# collects numbers (Ofcom's drama ranges in Leeds and Sheffield, 1,000 each).
OPERATOR_NUMBERS = 2000


@dataclass(frozen=True)
class DemoData:
    profiles: list[CustomerProfile]
    links: list[PhoneLink]
    # Written in the design's own shape (keys and `createdAt` only), as the users service does.
    design_links: list[PhoneLink] = field(default_factory=list)


@dataclass
class _Draft:
    """What the builders share: one random stream (each builder draws in turn, so their order
    is part of the data), the day the dates count back from, the numbers already given out."""

    rng: random.Random
    now: datetime
    used: set[str]
    profiles: list[CustomerProfile] = field(default_factory=list)
    links: list[PhoneLink] = field(default_factory=list)

    def of_country(self, country: str) -> list[CustomerProfile]:
        return [p for p in self.profiles if p.country == country]

    def order_link(self, customer_id: str, phone: str, *, since: datetime) -> PhoneLink:
        return order_link(self.rng, customer_id, phone, since=since, now=self.now)


def demo_data(seed: int = 20261128, *, now: datetime | None = None) -> DemoData:
    """The demo customers and links; dates are relative to `now` (default: today, noon UTC), so
    the demo never ages into "possibly stale" everywhere. Same seed and day, same data."""
    now = now or datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)
    draft = _Draft(
        rng=random.Random(seed),  # noqa: S311 - demo data, not security
        now=now,
        used={
            RECEPTION_DESK,
            FAMILY_PHONE,
            SINGLE_OWNER,
            LEGACY_ONLY,
            BR_NINTH_DIGIT,
            BR_BEFORE_NINTH_DIGIT,
            MX_CURRENT,
            MX_OLD_MOBILE_1,
            AR_WITHOUT_9,
            AR_MOBILE_9,
            DESIGN_RECORD,
            REASSIGNED,
        },
    )
    # In this order: each draws from the one random stream.
    _customers(draft)
    _reception_desk(draft)
    _family_phone(draft)
    _single_owner(draft)
    draft.links.append(
        legacy_link(draft.profiles[5].customer_id, LEGACY_ONLY, now - timedelta(days=1500))
    )
    _renumberings(draft)
    _shared_numbers(draft)
    _legacy_waiting_for_migration(draft)
    _benin_renumbering(draft)

    design_customer, design_link = _design_record_customer(now)
    draft.profiles.append(design_customer)
    reassigned_profiles, reassigned_links = _reassigned_number(now)
    draft.profiles.extend(reassigned_profiles)
    draft.links.extend(reassigned_links)
    operator, operator_links = _operator_account(now)
    draft.profiles.append(operator)
    draft.links.extend(operator_links)
    return DemoData(
        profiles=draft.profiles, links=one_per_key(draft.links), design_links=[design_link]
    )


def _customers(draft: _Draft) -> None:
    """CUSTOMER_COUNT customers, each with a profile phone, most with orders to it, some with
    orders to another number."""
    rng, now, countries = draft.rng, draft.now, list(PEOPLE)
    for index in range(CUSTOMER_COUNT):
        country = countries[index % len(countries)]
        first_names, last_names = PEOPLE[country]
        first, last = rng.choice(first_names), rng.choice(last_names)
        customer_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = now - timedelta(days=rng.randint(30, 2400), minutes=rng.randint(0, 1440))
        draft.profiles.append(
            CustomerProfile(
                customer_id=customer_id,
                name=f"{first} {last}",
                email=f"{ascii_fold(first)}.{ascii_fold(last)}{index}@example.com".lower(),
                country=country,
                created_at=created,
                status=rng.choice(STATUSES),
            )
        )
        own = new_mobile(rng, country, draft.used)
        draft.links.append(profile_link(customer_id, own, created, verified=rng.random() < 0.8))
        if rng.random() < 0.6:  # most customers order to their own phone
            draft.links.append(draft.order_link(customer_id, own, since=created))
        if rng.random() < 0.3:  # and some to a relative's, an office's, a neighbour's
            other = new_mobile(rng, country, draft.used)
            draft.links.append(draft.order_link(customer_id, other, since=created))


def _reception_desk(draft: _Draft) -> None:
    """A reception desk everyone in an office building types as their drop-off phone."""
    for profile in draft.rng.sample(draft.profiles, 130):
        draft.links.append(
            draft.order_link(profile.customer_id, RECEPTION_DESK, since=profile.created_at)
        )


def _family_phone(draft: _Draft) -> None:
    """Two on their profiles (one verified), two on their orders, one legacy."""
    family = draft.of_country("BR")[:4]
    draft.links += [
        profile_link(family[0].customer_id, FAMILY_PHONE, family[0].created_at, True),
        profile_link(family[1].customer_id, FAMILY_PHONE, family[1].created_at, False),
    ]
    draft.links.append(
        draft.order_link(family[1].customer_id, FAMILY_PHONE, since=family[1].created_at)
    )
    draft.links.append(
        draft.order_link(family[2].customer_id, FAMILY_PHONE, since=family[2].created_at)
    )
    draft.links.append(
        legacy_link(family[3].customer_id, FAMILY_PHONE, draft.now - timedelta(days=900))
    )


def _single_owner(draft: _Draft) -> None:
    """One customer with the same number on their profile and on their orders."""
    owner = draft.of_country("GB")[0]
    draft.links.append(profile_link(owner.customer_id, SINGLE_OWNER, owner.created_at, True))
    draft.links.append(draft.order_link(owner.customer_id, SINGLE_OWNER, since=owner.created_at))


def _renumberings(draft: _Draft) -> None:
    """One subscriber stored under its old and its current form by different services at
    different times: Brazil's ninth digit, Mexico's `+52 1`, Argentina's `9`."""
    now = draft.now
    brazilians, mexicans = draft.of_country("BR"), draft.of_country("MX")
    draft.links.append(profile_link(brazilians[10].customer_id, BR_NINTH_DIGIT, now, True))
    draft.links.append(
        legacy_link(brazilians[11].customer_id, BR_BEFORE_NINTH_DIGIT, now - timedelta(days=1900))
    )
    draft.links.append(
        order_link(
            draft.rng,
            mexicans[10].customer_id,
            MX_OLD_MOBILE_1,
            since=now - timedelta(days=2500),
            now=now - timedelta(days=1800),
        )
    )
    draft.links.append(
        profile_link(mexicans[11].customer_id, MX_CURRENT, now - timedelta(days=90), True)
    )
    argentine = CustomerProfile(
        customer_id=str(uuid.UUID(int=draft.rng.getrandbits(128), version=4)),
        name="Valentina Giménez",
        email="valentina.gimenez@example.com",
        country="AR",
        created_at=now - timedelta(days=700),
        status="active",
    )
    draft.profiles.append(argentine)
    draft.links.append(profile_link(argentine.customer_id, AR_MOBILE_9, argentine.created_at, True))
    draft.links.append(
        draft.order_link(mexicans[12].customer_id, AR_WITHOUT_9, since=now - timedelta(days=400))
    )


def _shared_numbers(draft: _Draft) -> None:
    """Numbers shared by 2-6 customers of one country, as order drop-off phones."""
    rng, countries = draft.rng, list(PEOPLE)
    for _ in range(12):
        country = rng.choice(countries)
        members = rng.sample(draft.of_country(country), rng.randint(2, 6))
        shared = new_mobile(rng, country, draft.used)
        for member in members:
            draft.links.append(
                draft.order_link(member.customer_id, shared, since=member.created_at)
            )


def _legacy_waiting_for_migration(draft: _Draft) -> None:
    rng = draft.rng
    for profile in rng.sample(draft.profiles, 8):
        moment = draft.now - timedelta(days=rng.randint(700, 2000))
        draft.links.append(
            legacy_link(profile.customer_id, new_mobile(rng, profile.country, draft.used), moment)
        )


def _benin_renumbering(draft: _Draft) -> None:
    """Benin's 2024 renumbering: a customer whose orders, all from before it, carry the 8-digit
    form; a search of today's 10-digit form finds her. Drawn from a random stream of its own,
    so the rest of the demo stays the same."""
    now = draft.now
    beninese = CustomerProfile(
        customer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "demo/benin")),
        name="Afiavi Houngbédji",
        email="afiavi.houngbedji@example.com",
        country="BJ",
        created_at=now - timedelta(days=1500),
        status="active",
    )
    draft.profiles.append(beninese)
    draft.links.append(
        order_link(
            random.Random(beninese.customer_id),  # noqa: S311 - demo data
            beninese.customer_id,
            BJ_BEFORE_01,
            since=beninese.created_at,
            now=now - timedelta(days=400),
        )
    )


def _design_record_customer(now: datetime) -> tuple[CustomerProfile, PhoneLink]:
    """A customer whose only link is a record the users service wrote a week ago."""
    customer = CustomerProfile(
        customer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "demo/design-record")),
        name="Dana Whitfield",
        email="dana.whitfield@example.com",
        country="GB",
        created_at=now - timedelta(days=90),
        status="active",
    )
    created = now - timedelta(days=7)
    link = PhoneLink(
        customer_id=customer.customer_id,
        phone=DESIGN_RECORD,
        source=LinkSource.ORDER,
        first_seen=created,
        last_seen=created,
    )
    return customer, link


def _operator_account(now: datetime) -> tuple[CustomerProfile, list[PhoneLink]]:
    """An operator account with OPERATOR_NUMBERS numbers, each on a few of its orders."""
    operator = CustomerProfile(
        customer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "demo/operator")),
        name="Northwind Catering (phone orders)",
        email="orders@northwind.example.com",
        country="GB",
        created_at=now - timedelta(days=900),
        status="active",
    )
    rng = random.Random(operator.customer_id)  # noqa: S311 - demo data
    numbers = [
        phone_normalize(raw=f"{area} 496 {line:04d}", region="GB").e164
        for area in ("0113", "0114")
        for line in range(OPERATOR_NUMBERS // 2)
    ]
    return operator, [
        order_link(rng, operator.customer_id, number, since=operator.created_at, now=now)
        for number in numbers
    ]


def _reassigned_number(now: datetime) -> tuple[list[CustomerProfile], list[PhoneLink]]:
    """A mobile number the network gave to someone else: its first owner's orders stopped
    about two years ago, a new customer's began this year. Drawn from a stream of its own, so
    the rest of the demo stays the same."""
    rng = random.Random("demo/reassigned")  # noqa: S311 - demo data
    people = [
        ("demo/reassigned-before", "Graham Pike", "graham.pike@example.com", 1400),
        ("demo/reassigned-after", "Priya Raman", "priya.raman@example.com", 300),
    ]
    profiles = [
        CustomerProfile(
            customer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
            name=name,
            email=email,
            country="GB",
            created_at=now - timedelta(days=age),
            status="active",
        )
        for key, name, email, age in people
    ]
    before, after = profiles
    # Dated by hand, not drawn: the story must read true on the page (Graham's orders for
    # about a year, none for the last 650 days; Priya's since she joined, every week or so).
    spans = [(before, 1000, 650, 36), (after, 250, 3, 26)]
    links = [
        PhoneLink(
            customer_id=owner.customer_id,
            phone=REASSIGNED,
            source=LinkSource.ORDER,
            first_seen=now - timedelta(days=first),
            last_seen=now - timedelta(days=last),
            order_count=count,
            recent_orders=tuple(
                RecentOrder(
                    order_id=f"ord_{rng.getrandbits(48):012x}",
                    created_at=now - timedelta(days=last + 7 * week),
                )
                for week in range(4)
            ),
        )
        for owner, first, last, count in spans
    ]
    return profiles, links
