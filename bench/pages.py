"""The search results page and the customer page, over HTTP, beside the raw DynamoDB calls.

In each round, for each probe case (a number shared by 1, 10, 100 customers), four timings in
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


def raw_search(client, phone: str, *, page_size: int) -> int:
    """What a search costs DynamoDB at the least: the number's index partition, then the
    profiles of the first page's customers. Returns the number of customers."""
    request = {
        "TableName": TABLE_NAME,
        "IndexName": INDEX_NAME,
        "KeyConditionExpression": "pk2 = :pk2",
        "ExpressionAttributeValues": {":pk2": {"S": f"phone#{phone}"}},
    }
    customers: dict[str, None] = {}
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


def raw_customer(client, customer_id: str) -> int:
    """The customer page's two consistent Queries (profile and phones; order links)."""
    items = 0
    for pk in (f"user#{customer_id}", f"phone_user#{customer_id}"):
        request = {
            "TableName": TABLE_NAME,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ConsistentRead": True,
        }
        while True:
            response = client.query(**request)
            items += len(response["Items"])
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return items


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
) -> tuple[dict[str, dict], float]:
    """p50/p95 of each page and its raw calls, per case ({"1": {"search": ..., "customer":
    ...}}), and the server's CPU ms per page over the timed rounds (`server_cpu`: its CPU
    seconds so far). Every case is warmed up first: a fresh gunicorn worker compiles templates
    and fills caches on its first pages."""
    cases = sorted({probe.case for probe in probes})
    samples = {
        case: {"search_page": [], "search_raw": [], "customer_page": [], "customer_raw": []}
        for case in cases
    }
    cpu_before = 0.0
    for round_ in range(warmup + rounds):
        if round_ == warmup:
            cpu_before = server_cpu()
        for case in cases:
            mine = [probe for probe in probes if probe.case == case]
            probe = mine[round_ % len(mine)]
            calls: dict[str, Callable[[], object]] = {
                "search_raw": lambda p=probe: raw_search(client, p.phone, page_size=page_size),
                "search_page": _page(browser, search_path(probe), f"{case} customer"),
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
    return results, round(cpu_ms_per_page, 2)


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
    for case in sorted({probe.case for probe in probes}):
        probe = next(probe for probe in probes if probe.case == case)
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


def raw_count(*, client, probes: list[Probe], page_size: int) -> dict[str, int]:
    """The raw side's requests, as a check that it is the two round trips it claims."""
    probe = next(probe for probe in probes if probe.case == max(p.case for p in probes))
    with requests_counted(client) as search:
        raw_search(client, probe.phone, page_size=page_size)
    with requests_counted(client) as customer:
        raw_customer(client, probe.customer_id)
    return {"search": search.total(), "customer": customer.total()}


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
