"""The benchmark's table: realistic records at a given size, loaded once and reused.

Loading 500k items takes minutes, so each size lives in its own dynalite data folder
(`<data dir>/dynalite-<size>/`, LevelDB) that later runs reuse. A marker item, written only
after the last batch went in, says the folder holds a complete table of this shape; without it
(an interrupted load, an older shape) the folder is wiped and loaded again.

The shape, per ten customers (so any size has the same mix):

* 10 profiles (`user#<id>`/`profile`) and 9 profile phones (UserPhone);
* 13 order links (UserPhoneLookUp) with up to 10 recent orders each; a third of the customers
  order with their profile phone, so that number has a profile and an order link;
* 2 legacy lookup records (the old one-customer-per-phone design);

plus the probe numbers the pages are measured on: numbers shared by 1, 10 and 100 customers
(a customer's own phone; a family phone with profile, order and legacy links; an office
reception desk), `PROBES_PER_CASE` of each; and numbers whose one customer is found through
another form (`equivalent_probes`: written on every run, so older folders get them).
Everything is written through the repository's own item mapping (`records_put`), so the items
are exactly what the app reads.
"""

import random
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from lookup.domain import CustomerProfile, LinkSource, PhoneLink, RecentOrder

TABLE_NAME = "bench-phone-lookup"
INDEX_NAME = "gsi1"
SHAPE_VERSION = 1  # bump when the generated records change: old folders are reloaded
MARKER_KEY = {"pk": "bench#dataset", "sk": "marker"}  # no record kind the app reads
CASES = (1, 10, 100)  # customers sharing a probe number
PROBES_PER_CASE = 5
# The dates the records are spread over end here, not at load time: a reused folder measures
# the same data whatever day it runs (staleness is judged against the real clock, as in use).
DATA_END = datetime(2026, 11, 1, tzinfo=UTC)

# Per customer index modulo 10: order links, and whether a profile phone / legacy record exists.
_ORDER_LINKS = (1, 2, 1, 0, 3, 1, 2, 1, 1, 1)
_LEGACY = (False, False, True, False, False, True, False, False, False, False)
_NAMES = ("Ana", "Ben", "Chloé", "Dev", "Eilidh", "Farah", "Gus", "Hana", "Idris", "Jo")
_SURNAMES = ("Silva", "Okafor", "Nguyen", "Smith", "Kowalski", "García", "Patel", "Brown")


def customer_items(index: int) -> int:
    """How many items customer `index` has before probe links (profile, phones, links)."""
    slot = index % 10
    return 1 + (slot != 9) + _ORDER_LINKS[slot] + _LEGACY[slot]


def customers_for(items: int) -> int:
    """The number of customers whose records (with the probe links) come closest to `items`."""
    budget = items - probe_link_count()
    per_block = sum(customer_items(slot) for slot in range(10))
    customers = max(budget // per_block * 10, 0)
    total = customers // 10 * per_block
    while total + customer_items(customers) <= budget:
        total += customer_items(customers)
        customers += 1
    # Probe numbers need distinct customers: at least the largest case.
    return max(customers, max(CASES))


def probe_link_count() -> int:
    return sum(_probe_links_per_number(case) for case in CASES) * PROBES_PER_CASE


def _probe_links_per_number(case: int) -> int:
    # The single-customer probes reuse links every such customer already has.
    return 0 if case == 1 else case


def customer_id(index: int) -> str:
    return f"bench-{index:07d}"


def profile_phone(index: int) -> str:
    """A UK mobile, distinct per customer."""
    return f"+4479{index:08d}"


def _order_phone(index: int, nth: int) -> str:
    return f"+4478{index * 4 + nth:08d}"


def _legacy_phone(index: int) -> str:
    return f"+4477{index:08d}"


def _moment(rng: random.Random, *, within_days: int) -> datetime:
    return DATA_END - timedelta(seconds=rng.randrange(within_days * 86400))


def _order_link(rng: random.Random, index: int, phone: str) -> PhoneLink:
    last = _moment(rng, within_days=700)
    first = last - timedelta(days=rng.randrange(0, 400))
    count = min(int(rng.expovariate(1 / 6)) + 1, 200)
    recent = tuple(
        RecentOrder(order_id=f"ord_{index}_{phone[-4:]}_{n}", created_at=last - timedelta(days=n))
        for n in range(min(count, 10))
    )
    return PhoneLink(
        customer_id=customer_id(index),
        phone=phone,
        source=LinkSource.ORDER,
        first_seen=first,
        last_seen=last,
        order_count=count,
        recent_orders=recent,
        country="GB",
        version=count,
    )


def _legacy_link(rng: random.Random, index: int, phone: str) -> PhoneLink:
    moment = _moment(rng, within_days=2500) - timedelta(days=700)
    return PhoneLink(
        customer_id=customer_id(index),
        phone=phone,
        source=LinkSource.LEGACY,
        first_seen=moment,
        last_seen=moment,
    )


def customer_records(index: int) -> tuple[CustomerProfile, list[PhoneLink]]:
    """Customer `index`'s profile and links (deterministic: any writer can make any customer)."""
    rng = random.Random(index)
    slot = index % 10
    cid = customer_id(index)
    profile = CustomerProfile(
        customer_id=cid,
        name=f"{_NAMES[index % len(_NAMES)]} {_SURNAMES[index // 10 % len(_SURNAMES)]}",
        email=f"customer{index}@example.com",
        country="GB",
        created_at=_moment(rng, within_days=3000),
        status="active",
    )
    links: list[PhoneLink] = []
    if slot != 9:
        links.append(
            PhoneLink(
                customer_id=cid,
                phone=profile_phone(index),
                source=LinkSource.PROFILE,
                first_seen=profile.created_at,
                verified=slot % 2 == 0,
            )
        )
    for nth in range(_ORDER_LINKS[slot]):
        own = nth == 0 and slot != 9 and index % 3 == 0
        links.append(
            _order_link(rng, index, profile_phone(index) if own else _order_phone(index, nth))
        )
    if _LEGACY[slot]:
        links.append(_legacy_link(rng, index, _legacy_phone(index)))
    return profile, links


@dataclass(frozen=True, slots=True)
class Probe:
    """A number the pages are measured on, and the customer whose page is opened from it."""

    case: int  # customers sharing the number
    phone: str
    customer_id: str
    stored_as: str = ""  # the other form of `phone` the link is stored under, if any

    @property
    def label(self) -> str:
        """The case as reported: "1", "10", "100"; "1 eq" found through another form."""
        return f"{self.case} eq" if self.stored_as else str(self.case)


def probes(customers: int) -> list[Probe]:
    """The probe numbers of a table of `customers` customers (`PROBES_PER_CASE` per case)."""
    found: list[Probe] = []
    for case in CASES:
        for nth in range(PROBES_PER_CASE):
            members = _probe_members(case, nth, customers)
            phone = profile_phone(members[0]) if case == 1 else _shared_phone(case, nth)
            found.append(Probe(case=case, phone=phone, customer_id=customer_id(members[0])))
    return found


def equivalent_probes(customers: int) -> list[Probe]:
    """One customer found through another form of the number searched: a Brazilian mobile
    searched as it is written today, with its ninth digit (+55 11 98765-nnnn), whose link was
    stored by another service before the change (+55 11 8765-nnnn). The search Queries both
    forms at once, then gets the profile: 2 Queries + 1 BatchGetItem."""
    return [
        Probe(
            case=1,
            phone=f"+551198765{nth:04d}",
            customer_id=customer_id(_probe_members(1, nth + PROBES_PER_CASE, customers)[0]),
            stored_as=f"+55118765{nth:04d}",
        )
        for nth in range(PROBES_PER_CASE)
    ]


def equivalent_records(customers: int) -> list[PhoneLink]:
    """The links of `equivalent_probes`, under the old form (idempotent: the same items)."""
    return [
        _order_link(random.Random(probe.stored_as), _index(probe.customer_id), probe.stored_as)
        for probe in equivalent_probes(customers)
    ]


def _index(customer: str) -> int:
    return int(customer.removeprefix("bench-"))


def _shared_phone(case: int, nth: int) -> str:
    # London's range reserved for drama (020 7946 0000-0999): a landline nobody owns.
    return f"+44207946{case * 5 + nth:04d}"


def _probe_members(case: int, nth: int, customers: int) -> list[int]:
    """Distinct customers spread over the table; for one customer, one whose profile phone is
    on their orders too (index divisible by 3, not slot 9)."""
    if case == 1:
        index = (nth * 7919 * 3) % customers
        index -= index % 30  # slot 0 and divisible by 3
        return [index]
    stride = max(customers // (case + 1), 1)
    start = (nth * 104729 + case) % customers
    members: list[int] = []
    seen: set[int] = set()
    for member in range(case):
        index = (start + member * stride) % customers
        while index in seen:
            index = (index + 1) % customers
        seen.add(index)
        members.append(index)
    return members


def probe_records(customers: int) -> list[PhoneLink]:
    """The links that make the shared probe numbers: a family phone (profile, order and legacy
    links) for 10, an office reception desk (order links, some legacy) for 100."""
    links: list[PhoneLink] = []
    for case in CASES:
        if case == 1:
            continue
        for nth in range(PROBES_PER_CASE):
            phone = _shared_phone(case, nth)
            for position, index in enumerate(_probe_members(case, nth, customers)):
                rng = random.Random(f"{phone}-{index}")
                if case == 10 and position < 3:
                    links.append(
                        PhoneLink(
                            customer_id=customer_id(index),
                            phone=phone,
                            source=LinkSource.PROFILE,
                            first_seen=_moment(rng, within_days=2000),
                            verified=position == 0,
                        )
                    )
                elif position % 10 == 9:
                    links.append(_legacy_link(rng, index, phone))
                else:
                    links.append(_order_link(rng, index, phone))
    return links


@dataclass(frozen=True, slots=True)
class Dataset:
    size: int  # items asked for
    items: int  # items written
    customers: int
    folder: Path
    loaded_now: bool  # False: a complete earlier load was reused
    load_seconds: float  # of the load that made it (this run's or the earlier one's)


def dataset_marker(*, client) -> dict | None:
    response = client.get_item(
        TableName=TABLE_NAME,
        Key={name: {"S": value} for name, value in MARKER_KEY.items()},
        ConsistentRead=True,
    )
    item = response.get("Item")
    if item is None or int(item.get("shape", {}).get("N", "0")) != SHAPE_VERSION:
        return None
    return {name: next(iter(value.values())) for name, value in item.items()}


def dataset_load(*, client, endpoint: str, size: int, writers: int, folder: Path) -> Dataset:
    """Fill an empty table to `size` items with `writers` processes, then write the marker."""
    from lookup.repository.dynamo import Table
    from lookup.repository.records import records_put
    from lookup.repository.schema import table_ensure

    table = Table(client=client, name=TABLE_NAME, index_name=INDEX_NAME)
    table_ensure(table=table)
    customers = customers_for(size)
    started = time.perf_counter()
    shards = [(endpoint, shard, writers, customers) for shard in range(writers)]
    if writers <= 1:
        items = _shard_load(shards[0])
    else:
        # spawn, not fork: the parent may hold threads and open connections.
        with ProcessPoolExecutor(max_workers=writers, mp_context=get_context("spawn")) as pool:
            items = sum(pool.map(_shard_load, shards))
    items += records_put(table=table, links=probe_records(customers))
    seconds = time.perf_counter() - started
    client.put_item(
        TableName=TABLE_NAME,
        Item={
            **{name: {"S": value} for name, value in MARKER_KEY.items()},
            "shape": {"N": str(SHAPE_VERSION)},
            "size": {"N": str(size)},
            "items": {"N": str(items)},
            "customers": {"N": str(customers)},
            "seconds": {"N": f"{seconds:.1f}"},
            "loadedAt": {"S": datetime.now(UTC).isoformat(timespec="seconds")},
        },
    )
    return Dataset(size, items, customers, folder, loaded_now=True, load_seconds=seconds)


def _shard_load(args: tuple[str, int, int, int]) -> int:
    """One writer process: every `shards`-th customer, in BatchWriteItem calls of 25."""
    endpoint, shard, shards, customers = args
    import boto3

    from lookup.repository.dynamo import Table
    from lookup.repository.records import records_put

    client = boto3.session.Session().client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    table = Table(client=client, name=TABLE_NAME, index_name=INDEX_NAME)
    written = 0
    for profiles, links in _chunks(range(shard, customers, shards)):
        written += records_put(table=table, profiles=profiles, links=links)
    return written


def _chunks(indexes: range, size: int = 250) -> Iterator[tuple[list, list]]:
    profiles: list[CustomerProfile] = []
    links: list[PhoneLink] = []
    for index in indexes:
        profile, own = customer_records(index)
        profiles.append(profile)
        links.extend(own)
        if len(profiles) >= size:
            yield profiles, links
            profiles, links = [], []
    if profiles:
        yield profiles, links


def folder_reset(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
