"""The search results page and the customer page, over HTTP, beside the raw DynamoDB calls.

In each round, for each probe case (a number shared by 1, 10, 100 customers, and "1 eq": one
customer stored under another form of the number searched), four timings in
the same moment of the run: the raw boto3 calls the search needs (one Query on the phone index
for every link of the number, one BatchGetItem for the first results page's profiles), the
search results page through gunicorn, the customer page's two raw Queries, and the customer
page. The order alternates between rounds, so neither side always runs first; the round's
number rotates over the case's probes.

The request counts come from the same views in this process (Django's handler, the production
middleware, botocore hooks on the app's own client), with the SQL queries each page makes.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

from bench.counting import requests_counted
from bench.dataset import INDEX_NAME, TABLE_NAME, Probe
from bench.stack import AgentBrowser
from bench.stats import Comparison, Latency


def search_path(probe: Probe) -> str:
    return "/?" + urlencode({"phone": probe.phone, "country": "GB"})


def customer_path(probe: Probe) -> str:
    from django.urls import reverse

    path = reverse("lookup:customer", args=[probe.customer_id])
    return f"{path}?from={quote(probe.phone)}"


def probe_phones(probe: Probe) -> tuple[str, ...]:
    """The index partitions a search of the probe reads: its number, and the other form."""
    return (probe.phone, probe.stored_as) if probe.stored_as else (probe.phone,)


def raw_search(client, phones: tuple[str, ...], *, page_size: int) -> int:
    """What a search costs DynamoDB at the least: each form's index partition (one after the
    other; the app reads them at once), then the profiles of the first page's customers.
    Returns the number of customers."""
    customers: dict[str, None] = {}
    for phone in phones:
        request = {
            "TableName": TABLE_NAME,
            "IndexName": INDEX_NAME,
            "KeyConditionExpression": "pk2 = :pk2",
            "ExpressionAttributeValues": {":pk2": {"S": f"phone#{phone}"}},
        }
        while True:
            response = client.query(**request)
            for item in response["Items"]:
                customers[item["cognitoId"]["S"]] = None
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    keys = [
        {"pk": {"S": f"user#{customer}"}, "sk": {"S": "profile"}}
        for customer in list(customers)[:page_size]
    ]
    pending = {TABLE_NAME: {"Keys": keys}}
    while pending:
        pending = client.batch_get_item(RequestItems=pending).get("UnprocessedKeys") or {}
    return len(customers)


# The customer page judges the numbers of its first page (CUSTOMER_NUMBERS_PAGE_SIZE, 25).
PAGE_NUMBERS = 25


def raw_customer(client, customer_id: str) -> int:
    """The customer page's two consistent Queries (profile and phones; order links), then one
    Query of the index for each live order-linked number, all at the same time (has it passed
    to another customer?)."""
    found: list[dict] = []
    for pk in (f"user#{customer_id}", f"phone_user#{customer_id}"):
        found += _query_all(
            client,
            {
                "TableName": TABLE_NAME,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": pk}},
                "ConsistentRead": True,
            },
        )
    # A number on the customer's profile never passes to another customer by orders.
    on_profile = {item["sk"]["S"] for item in found if item["pk"]["S"].startswith("user#")}
    numbers = sorted(
        {
            item["pk2"]["S"]
            for item in found
            if item["pk"]["S"].startswith("phone_user#")
            and item.get("pk2", {}).get("S", "").startswith("phone#")
            and item["sk"]["S"] not in on_profile
        }
    )[:PAGE_NUMBERS]
    with ThreadPoolExecutor(max_workers=max(len(numbers), 1)) as pool:
        # Read, not counted: "items read" are the customer's own records.
        list(
            pool.map(
                lambda pk2: _query_all(
                    client,
                    {
                        "TableName": TABLE_NAME,
                        "IndexName": INDEX_NAME,
                        "KeyConditionExpression": "pk2 = :pk2",
                        "ExpressionAttributeValues": {":pk2": {"S": pk2}},
                    },
                ),
                numbers,
            )
        )
    return len(found)


def _query_all(client, request: dict) -> list[dict]:
    items: list[dict] = []
    while True:
        response = client.query(**request)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return items
        request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _page(browser: AgentBrowser, path: str, expect: str) -> Callable[[], None]:
    def get() -> None:
        status, body = browser.request("GET", path)
        if status != 200 or expect not in body:
            raise RuntimeError(f"GET {path}: {status}, {expect!r} not in the page")

    return get


def pages_measure(
    *,
    browser: AgentBrowser,
    client,
    probes: list[Probe],
    rounds: int,
    warmup: int,
    page_size: int,
    server_cpu: Callable[[], float],
) -> tuple[dict[str, dict], float, Latency]:
    """p50/p95 of each page and its raw calls, per case ({"1": {"search": ..., "customer":
    ...}}; "1 eq" for the probes found through another form), and the server's CPU ms per
    page over the timed rounds (`server_cpu`: its CPU seconds so far). Every case is warmed up
    first: a fresh gunicorn worker compiles templates and fills caches on its first pages.

    Each round also times `GET /healthz` on the same connection: answered before any
    middleware, it is the floor every page pays (the harness's HTTP client, the loopback,
    gunicorn), which the raw calls do not."""
    cases = sorted({probe.label for probe in probes}, key=_case_order)
    samples = {
        case: {"search_page": [], "search_raw": [], "customer_page": [], "customer_raw": []}
        for case in cases
    }
    floor: list[float] = []
    cpu_before = 0.0
    for round_ in range(warmup + rounds):
        if round_ == warmup:
            cpu_before = server_cpu()
        elapsed = _timed(_page(browser, "/healthz", "ok"))
        if round_ >= warmup:
            floor.append(elapsed)
        for case in cases:
            mine = [probe for probe in probes if probe.label == case]
            probe = mine[round_ % len(mine)]
            calls: dict[str, Callable[[], object]] = {
                "search_raw": lambda p=probe: raw_search(
                    client, probe_phones(p), page_size=page_size
                ),
                "search_page": _page(browser, search_path(probe), f"{probe.case} customer"),
                "customer_raw": lambda p=probe: raw_customer(client, p.customer_id),
                "customer_page": _page(browser, customer_path(probe), probe.customer_id),
            }
            order = list(calls) if round_ % 2 else list(reversed(calls))
            for name in order:
                elapsed = _timed(calls[name])
                if round_ >= warmup:
                    samples[case][name].append(elapsed)
    cpu_ms_per_page = (server_cpu() - cpu_before) * 1000 / (rounds * 2 * len(cases))
    results = {
        str(case): {
            "search": Comparison(
                page=Latency.of(mine["search_page"]), raw=Latency.of(mine["search_raw"])
            ),
            "customer": Comparison(
                page=Latency.of(mine["customer_page"]), raw=Latency.of(mine["customer_raw"])
            ),
        }
        for case, mine in samples.items()
    }
    return results, round(cpu_ms_per_page, 2), Latency.of(floor)


def pages_count(*, probes: list[Probe]) -> dict[str, dict]:
    """DynamoDB requests and SQL queries per page, per case, through Django's handler here."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.stack import bench_agent
    from lookup.repository import get_table

    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(bench_agent())
    counts: dict[str, dict] = {}
    for case in sorted({probe.label for probe in probes}, key=_case_order):
        probe = next(probe for probe in probes if probe.label == case)
        counts[str(case)] = {}
        for page, path in (("search", search_path(probe)), ("customer", customer_path(probe))):
            browser.get(path)  # the first request of a session differs (session created)
            with (
                requests_counted(get_table().client) as aws,
                CaptureQueriesContext(connection) as sql,
            ):
                response = browser.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} in process: {response.status_code}")
            counts[str(case)][page] = {
                "dynamodb_requests": aws.total("dynamodb"),
                "dynamodb_operations": dict(sorted(aws.counts.items())),
                "sql_queries": len(sql.captured_queries),
                "sql": [_sql_kind(query["sql"]) for query in sql.captured_queries],
            }
    return counts


def raw_count(*, client, probes: list[Probe], page_size: int) -> dict[str, dict[str, int]]:
    """The raw side's requests per case, as a check that they are the round trips claimed."""
    counts: dict[str, dict[str, int]] = {}
    for case in sorted({probe.label for probe in probes}, key=_case_order):
        probe = next(probe for probe in probes if probe.label == case)
        with requests_counted(client) as search:
            raw_search(client, probe_phones(probe), page_size=page_size)
        with requests_counted(client) as customer:
            raw_customer(client, probe.customer_id)
        counts[case] = {"search": search.total(), "customer": customer.total()}
    return counts


def _case_order(label: str) -> tuple[int, str]:
    number, _, kind = label.partition(" ")
    return int(number), kind


def _sql_kind(sql: str) -> str:
    """A query in a few words: its verb and first table ("SELECT django_session")."""
    words = sql.replace('"', "").split()
    verb = words[0].upper() if words else "?"
    table = ""
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in (word.upper() for word in words):
            index = [word.upper() for word in words].index(marker)
            if index + 1 < len(words):
                table = words[index + 1]
                break
    return f"{verb} {table}".strip()
