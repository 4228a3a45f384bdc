"""Search and customer-page latency on dynalite at scale (DESIGN.md: measure on dynalite).

Starts its own dynalite on a free loopback port (LevelDB in a temp folder), loads a table with
`--customers` customers (profile + profile phone + order links, ~4 items each) plus numbers shared
by 1, 10 and 100 customers, then times the selectors the pages call. Bounded: a fixed
number of iterations per case. Usage:

    .venv/bin/python bench/search_latency.py --customers 25000 --iterations 200
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supporttool.test_settings")

import django  # noqa: E402

django.setup()

from lookup import selectors  # noqa: E402
from lookup.domain import CustomerProfile, LinkSource, PhoneLink, RecentOrder  # noqa: E402
from lookup.phones import phone_from_e164  # noqa: E402
from lookup.repository import get_table  # noqa: E402
from lookup.repository.records import records_put  # noqa: E402
from lookup.repository.schema import table_ensure  # noqa: E402
from tests.servers import dynalite_server  # noqa: E402

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def load(table, customers: int) -> None:
    rng = random.Random(7)
    profiles, links = [], []
    for index in range(customers):
        customer_id = f"bench-{index:07d}"
        profiles.append(
            CustomerProfile(
                customer_id=customer_id,
                name=f"Customer {index}",
                email=f"c{index}@example.com",
                country="GB",
                created_at=NOW - timedelta(days=rng.randint(1, 2000)),
            )
        )
        own = f"+4479{index:08d}"
        links.append(
            PhoneLink(
                customer_id=customer_id,
                phone=own,
                source=LinkSource.PROFILE,
                first_seen=NOW,
                verified=True,
            )
        )
        for extra in range(2):
            seen = NOW - timedelta(days=rng.randint(1, 900))
            links.append(
                PhoneLink(
                    customer_id=customer_id,
                    phone=f"+4478{index:07d}{extra}",
                    source=LinkSource.ORDER,
                    first_seen=seen,
                    last_seen=seen,
                    order_count=1,
                    recent_orders=(RecentOrder(order_id=f"ord_{index}_{extra}", created_at=seen),),
                )
            )
    for shared_by in (1, 10, 100):
        for index in range(shared_by):
            links.append(
                PhoneLink(
                    customer_id=f"bench-{index:07d}",
                    phone=f"+44207946{shared_by:04d}",
                    source=LinkSource.ORDER,
                    first_seen=NOW,
                    last_seen=NOW,
                    order_count=1,
                )
            )
    started = time.perf_counter()
    written = records_put(table=table, profiles=profiles, links=links)
    elapsed = time.perf_counter() - started
    print(f"loaded {written} items in {elapsed:.1f}s ({written / elapsed:.0f} items/s)")


def timed(label: str, call, iterations: int) -> None:
    call()  # warm up connections
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"{label:<40} p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms   "
        f"max {samples[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=25000)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="bench-dynalite-"))
    try:
        with dynalite_server(path=data) as endpoint:
            os.environ.update(
                AWS_ENDPOINT_URL_DYNAMODB=endpoint,
                AWS_DEFAULT_REGION="eu-west-1",
                AWS_ACCESS_KEY_ID="bench",
                AWS_SECRET_ACCESS_KEY="bench",
            )
            table = get_table()
            table_ensure(table=table)
            load(table, args.customers)
            for shared_by in (1, 10, 100):
                number = phone_from_e164(f"+44207946{shared_by:04d}")
                timed(
                    f"search, {shared_by} customer(s), page of 100",
                    lambda n=number: selectors.customers_of_number(number=n, page_size=100),
                    args.iterations,
                )
            timed(
                "customer page (2 queries)",
                lambda: selectors.customer_details(customer_id="bench-0000042"),
                args.iterations,
            )
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
