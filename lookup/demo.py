"""Deterministic, realistic demo data for local runs and the browser tests.

Same seed, same data: every run writes the same items, so seeding twice changes nothing. Numbers
come from each country's real numbering plan (phonenumbers' own example numbers, varied), the
UK ones from Ofcom's ranges reserved for drama, so none belongs to a real person.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

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
# A call-centre operator's account: orders placed for callers are recorded under it, so it
# collects numbers (Ofcom's drama ranges in Leeds and Sheffield, 1,000 each).
OPERATOR_NUMBERS = 2000

_PEOPLE = {
    "GB": (
        [
            "Oliver",
            "Amelia",
            "Harry",
            "Isla",
            "George",
            "Ava",
            "Noah",
            "Mia",
            "Jack",
            "Lily",
            "Priya",
            "Mohammed",
        ],
        [
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Evans",
            "Patel",
            "Khan",
            "Walker",
        ],
    ),
    "BR": (
        [
            "Miguel",
            "Helena",
            "Arthur",
            "Alice",
            "Heitor",
            "Laura",
            "Davi",
            "Valentina",
            "Gabriel",
            "Sophia",
        ],
        [
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Rodrigues",
            "Ferreira",
            "Alves",
            "Pereira",
            "Lima",
            "Gomes",
        ],
    ),
    "US": (
        [
            "Liam",
            "Olivia",
            "James",
            "Emma",
            "Lucas",
            "Charlotte",
            "Mateo",
            "Sofia",
            "Ethan",
            "Harper",
        ],
        [
            "Johnson",
            "Garcia",
            "Miller",
            "Davis",
            "Martinez",
            "Anderson",
            "Thomas",
            "Moore",
            "Jackson",
            "Lee",
        ],
    ),
    "DE": (
        ["Noah", "Emilia", "Leon", "Hannah", "Paul", "Emma", "Finn", "Mia", "Elias", "Lina"],
        [
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schulz",
        ],
    ),
    "IN": (
        [
            "Aarav",
            "Saanvi",
            "Vivaan",
            "Ananya",
            "Aditya",
            "Diya",
            "Arjun",
            "Isha",
            "Reyansh",
            "Kavya",
        ],
        ["Sharma", "Verma", "Gupta", "Reddy", "Iyer", "Nair", "Das", "Singh", "Mehta", "Rao"],
    ),
    "MX": (
        [
            "Santiago",
            "Ximena",
            "Sebastián",
            "Valeria",
            "Diego",
            "Regina",
            "Emiliano",
            "Camila",
            "Leonardo",
            "Renata",
        ],
        [
            "Hernández",
            "García",
            "Martínez",
            "López",
            "González",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Cruz",
            "Flores",
        ],
    ),
}
_STATUSES = ["active"] * 8 + ["suspended", None]


@dataclass(frozen=True)
class DemoData:
    profiles: list[CustomerProfile]
    links: list[PhoneLink]
    # Written in the design's own shape (keys and `createdAt` only), as the users service does.
    design_links: list[PhoneLink] = field(default_factory=list)


def demo_data(seed: int = 20261128, *, now: datetime | None = None) -> DemoData:
    """The demo customers and links; dates are relative to `now` (default: today, noon UTC), so
    the demo never ages into "possibly stale" everywhere. Same seed and day, same data."""
    now = now or datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    used: set[str] = {
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
    }
    profiles: list[CustomerProfile] = []
    links: list[PhoneLink] = []
    countries = list(_PEOPLE)

    for index in range(CUSTOMER_COUNT):
        country = countries[index % len(countries)]
        first_names, last_names = _PEOPLE[country]
        first, last = rng.choice(first_names), rng.choice(last_names)
        customer_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = now - timedelta(days=rng.randint(30, 2400), minutes=rng.randint(0, 1440))
        profiles.append(
            CustomerProfile(
                customer_id=customer_id,
                name=f"{first} {last}",
                email=f"{_ascii(first)}.{_ascii(last)}{index}@example.com".lower(),
                country=country,
                created_at=created,
                status=rng.choice(_STATUSES),
            )
        )
        own = _new_mobile(rng, country, used)
        links.append(_profile_link(customer_id, own, created, verified=rng.random() < 0.8))
        if rng.random() < 0.6:  # most customers order to their own phone
            links.append(_order_link(rng, customer_id, own, since=created, now=now))
        if rng.random() < 0.3:  # and some to a relative's, an office's, a neighbour's
            other = _new_mobile(rng, country, used)
            links.append(_order_link(rng, customer_id, other, since=created, now=now))

    gb_customers = [p for p in profiles if p.country == "GB"]
    # A reception desk everyone in an office building types as their drop-off phone.
    for profile in rng.sample(profiles, 130):
        links.append(
            _order_link(rng, profile.customer_id, RECEPTION_DESK, since=profile.created_at, now=now)
        )

    # A family phone: two on their profiles (one verified), two on their orders, one legacy.
    family = [p for p in profiles if p.country == "BR"][:4]
    links.append(_profile_link(family[0].customer_id, FAMILY_PHONE, family[0].created_at, True))
    links.append(_profile_link(family[1].customer_id, FAMILY_PHONE, family[1].created_at, False))
    links.append(
        _order_link(rng, family[1].customer_id, FAMILY_PHONE, since=family[1].created_at, now=now)
    )
    links.append(
        _order_link(rng, family[2].customer_id, FAMILY_PHONE, since=family[2].created_at, now=now)
    )
    links.append(_legacy_link(family[3].customer_id, FAMILY_PHONE, now - timedelta(days=900)))

    # One customer with the same number on their profile and on their orders.
    owner = gb_customers[0]
    links.append(_profile_link(owner.customer_id, SINGLE_OWNER, owner.created_at, True))
    links.append(_order_link(rng, owner.customer_id, SINGLE_OWNER, since=owner.created_at, now=now))

    links.append(_legacy_link(profiles[5].customer_id, LEGACY_ONLY, now - timedelta(days=1500)))

    # Renumberings: one subscriber stored under its old and its current form by different
    # services at different times.
    brazilians = [p for p in profiles if p.country == "BR"]
    mexicans = [p for p in profiles if p.country == "MX"]
    links.append(_profile_link(brazilians[10].customer_id, BR_NINTH_DIGIT, now, True))
    links.append(
        _legacy_link(brazilians[11].customer_id, BR_BEFORE_NINTH_DIGIT, now - timedelta(days=1900))
    )
    links.append(
        _order_link(
            rng,
            mexicans[10].customer_id,
            MX_OLD_MOBILE_1,
            since=now - timedelta(days=2500),
            now=now - timedelta(days=1800),
        )
    )
    links.append(
        _profile_link(mexicans[11].customer_id, MX_CURRENT, now - timedelta(days=90), True)
    )
    argentine = CustomerProfile(
        customer_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        name="Valentina Giménez",
        email="valentina.gimenez@example.com",
        country="AR",
        created_at=now - timedelta(days=700),
        status="active",
    )
    profiles.append(argentine)
    links.append(_profile_link(argentine.customer_id, AR_MOBILE_9, argentine.created_at, True))
    links.append(
        _order_link(
            rng, mexicans[12].customer_id, AR_WITHOUT_9, since=now - timedelta(days=400), now=now
        )
    )

    # Numbers shared by 2-6 customers of one country, as order drop-off phones.
    for _ in range(12):
        country = rng.choice(countries)
        members = rng.sample([p for p in profiles if p.country == country], rng.randint(2, 6))
        shared = _new_mobile(rng, country, used)
        for member in members:
            links.append(
                _order_link(rng, member.customer_id, shared, since=member.created_at, now=now)
            )

    # Legacy lookups still waiting for migration.
    for profile in rng.sample(profiles, 8):
        moment = now - timedelta(days=rng.randint(700, 2000))
        links.append(
            _legacy_link(profile.customer_id, _new_mobile(rng, profile.country, used), moment)
        )

    # Benin's 2024 renumbering: a customer whose orders, all from before it, carry the 8-digit
    # form; a search of today's 10-digit form finds her. Made after every random draw above
    # (its own seed), so the rest of the demo stays the same.
    beninese = CustomerProfile(
        customer_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "demo/benin")),
        name="Afiavi Houngbédji",
        email="afiavi.houngbedji@example.com",
        country="BJ",
        created_at=now - timedelta(days=1500),
        status="active",
    )
    profiles.append(beninese)
    links.append(
        _order_link(
            random.Random(beninese.customer_id),  # noqa: S311 - demo data
            beninese.customer_id,
            BJ_BEFORE_01,
            since=beninese.created_at,
            now=now - timedelta(days=400),
        )
    )

    design_customer, design_link = _design_record_customer(now)
    profiles.append(design_customer)
    operator, operator_links = _operator_account(now)
    profiles.append(operator)
    links.extend(operator_links)
    return DemoData(profiles=profiles, links=_one_per_key(links), design_links=[design_link])


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
        _order_link(rng, operator.customer_id, number, since=operator.created_at, now=now)
        for number in numbers
    ]


def _profile_link(customer_id: str, phone: str, since, verified: bool) -> PhoneLink:
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.PROFILE,
        first_seen=since,
        verified=verified,
    )


def _order_link(
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


def _legacy_link(customer_id: str, phone: str, moment) -> PhoneLink:
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.LEGACY,
        first_seen=moment,
        last_seen=moment,
    )


def _new_mobile(rng: random.Random, region: str, used: set[str]) -> str:
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


def _one_per_key(links: list[PhoneLink]) -> list[PhoneLink]:
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


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
