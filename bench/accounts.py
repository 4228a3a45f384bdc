"""The customer page of a shared account (an operator's, thousands of numbers) beside one of 10.

Orders a call-centre operator places are recorded under the operator's account, so one
customer id can collect thousands of numbers. The page shows one page of them
(CUSTOMER_NUMBERS_PAGE_SIZE): its size and the web process's work must not grow with the
account, while the DynamoDB read does (the page reads the customer's two partitions to the
end). Both are reported, side by side: the page over HTTP, the raw Queries, their difference
(the app's own part), the response's bytes and rows, the web workers' CPU per page, and the
requests and items read.

The two accounts are written once into the size's table (checked by their last link, so an
older folder gets them on its next run).
"""

import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import timedelta
from urllib.parse import quote

from bench.dataset import DATA_END, TABLE_NAME, _order_link
from bench.pages import raw_customer
from bench.stack import AgentBrowser
from bench.stats import Latency
from lookup.domain import CustomerProfile, PhoneLink

SMALL_ACCOUNT = 10
_ROWS = re.compile(r'<tr class="[^"]*" data-phone=')


def account_id(links: int) -> str:
    return f"bench-account-{links}"


def account_phone(links: int, nth: int) -> str:
    """A UK mobile per account and link: +4475… for the small account, +4476… for the large."""
    return f"+447{5 if links <= SMALL_ACCOUNT else 6}{nth:08d}"


def account_records(links: int) -> tuple[CustomerProfile, list[PhoneLink]]:
    """An operator's account: `links` order links, one order or more each, over two years."""
    rng = random.Random(f"account-{links}")
    customer = account_id(links)
    profile = CustomerProfile(
        customer_id=customer,
        name=f"Operator of {links} numbers",
        email=f"operator{links}@example.com",
        country="GB",
        created_at=DATA_END - timedelta(days=900),
        status="active",
    )
    return profile, [
        replace(_order_link(rng, nth, account_phone(links, nth)), customer_id=customer)
        for nth in range(links)
    ]


def accounts_ensure(*, client, table, sizes: tuple[int, ...]) -> dict[str, int]:
    """Write each account unless its last link is already there; items written per account."""
    from lookup.repository.records import records_put
    from lookup.repository.schema import lookup_key

    written: dict[str, int] = {}
    for links in sizes:
        last = lookup_key(account_id(links), account_phone(links, links - 1))
        found = client.get_item(
            TableName=TABLE_NAME, Key={name: {"S": value} for name, value in last.items()}
        )
        if "Item" in found:
            written[str(links)] = 0
            continue
        profile, own = account_records(links)
        written[str(links)] = records_put(table=table, profiles=[profile], links=own)
    return written


def account_path(links: int) -> str:
    """The page as an agent opens it from a search: the searched number (one of the oldest,
    so it is pinned first from the end of the list) in the query."""
    from django.urls import reverse

    path = reverse("lookup:customer", args=[account_id(links)])
    return f"{path}?from={quote(account_phone(links, links - 1))}"


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def accounts_measure(
    *,
    browser: AgentBrowser,
    client,
    sizes: tuple[int, ...],
    rounds: int,
    warmup: int,
    server_cpu: Callable[[], float],
) -> dict[str, dict]:
    """Per account size: the page's p50/p95 over HTTP and the raw Queries' (alternating which
    goes first), bytes and rows of the page, the web workers' CPU ms per page."""
    samples = {links: {"page": [], "raw": [], "cpu": 0.0} for links in sizes}
    shape: dict[int, tuple[int, int]] = {}
    for round_ in range(warmup + rounds):
        for links in sizes:

            def page(links=links) -> None:
                status, body = browser.request("GET", account_path(links))
                if status != 200:
                    raise RuntimeError(f"GET {account_path(links)}: {status}")
                shape[links] = (len(body.encode()), len(_ROWS.findall(body)))

            def raw(links=links) -> None:
                raw_customer(client, account_id(links))

            for name, call in (("page", page), ("raw", raw))[:: 1 if round_ % 2 else -1]:
                cpu_before = server_cpu() if name == "page" else 0.0
                elapsed = _timed(call)
                if round_ >= warmup:
                    samples[links][name].append(elapsed)
                    if name == "page":
                        samples[links]["cpu"] += server_cpu() - cpu_before
    results: dict[str, dict] = {}
    for links in sizes:
        mine = samples[links]
        page, raw = Latency.of(mine["page"]), Latency.of(mine["raw"])
        results[str(links)] = {
            "links": links,
            "page": asdict(page),
            "raw": asdict(raw),
            "difference_p50_ms": round(page.p50_ms - raw.p50_ms, 2),
            "response_bytes": shape[links][0],
            "rows": shape[links][1],
            "gunicorn_cpu_ms_per_page": round(mine["cpu"] * 1000 / rounds, 2),
        }
    return results


def accounts_count(*, client, sizes: tuple[int, ...]) -> dict[str, dict]:
    """The DynamoDB requests each account's page makes (Django's handler, in this process) and
    the items its raw Queries read."""
    from django.test import Client

    from bench.counting import requests_counted
    from bench.stack import bench_agent
    from lookup.repository import get_table

    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(bench_agent())
    counts: dict[str, dict] = {}
    for links in sizes:
        browser.get(account_path(links))
        with requests_counted(get_table().client) as aws:
            response = browser.get(account_path(links))
        if response.status_code != 200:
            raise RuntimeError(f"GET {account_path(links)} in process: {response.status_code}")
        with requests_counted(client) as raw:
            items = raw_customer(client, account_id(links))
        counts[str(links)] = {
            "dynamodb_requests": aws.total("dynamodb"),
            "dynamodb_operations": dict(sorted(aws.counts.items())),
            "raw_requests": raw.total(),
            "items_read": items,
        }
    return counts
