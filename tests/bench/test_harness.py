"""`make bench` in a tiny configuration: it still starts its stack, measures every section, and
reports what the docs say it reports; its loaded table is reused, and an interrupted load is not.

Timings are not asserted (the machine is shared); what is asserted is that each figure was
measured (present, positive, consistent with its neighbours) and the request counts the design
promises.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.dataset import MARKER_KEY, TABLE_NAME
from bench.run import dataset_served, raw_client

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent.parent
SIZE = 300  # items asked for; the 100-customer probe makes it about 900
ACCOUNT_LINKS = 120  # the shared account's numbers: more than a page of them


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[dict, str, Path]:
    data_dir = tmp_path_factory.mktemp("bench")
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            f"--data-dir={data_dir}",
            f"--sizes={SIZE}",
            "--rounds=3",
            "--warmup=1",
            "--events=60",
            "--worker-events=120",
            "--concurrency=4",
            "--writers=1",
            f"--account-links={ACCOUNT_LINKS}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    results = json.loads((data_dir / "latest.json").read_text())
    return results, finished.stdout, data_dir


def test_pages_are_measured_beside_their_raw_calls_for_each_case(tiny_run):
    results, printed, _ = tiny_run
    table = results["pages"][str(SIZE)]
    assert table["dataset"]["loaded_now"] is True
    assert table["dataset"]["items"] >= SIZE
    assert set(table["cases"]) == {"1", "10", "100", "1 eq"}
    for label, case in table["cases"].items():
        for view in ("search", "customer"):
            entry = case[view]
            page, raw = entry["page"], entry["raw"]
            assert page["samples"] == raw["samples"] == 3
            assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["max_ms"]
            assert 0 < raw["p50_ms"] <= raw["p95_ms"]
            assert entry["ratio_p50"] == round(page["p50_ms"] / raw["p50_ms"], 2)
            assert entry["difference_p50_ms"] == round(page["p50_ms"] - raw["p50_ms"], 2)
            # Two round trips for a search (Query + BatchGetItem); a search through another form
            # Queries both forms. A customer: two Queries, and one per order-linked number (has
            # it passed to another customer?), at least the searched one.
            if view == "search":
                expected = 3 if label == "1 eq" else 2
            else:
                expected = entry["raw_requests"]
                assert expected >= 3
            assert entry["dynamodb_requests"] == expected == entry["raw_requests"]
            # Audit on: every page view leaves its entry; the rate limit counts it.
            assert "INSERT lookup_auditentry" in entry["sql"]
            assert any("lookup_ratecounter" in statement for statement in entry["sql"])
    assert "page p50" in printed and "search" in printed and "customer" in printed
    assert table["equivalent_vs_plain_search_p50"] > 0
    assert table["http_floor"]["samples"] == 3 and table["http_floor"]["p50_ms"] > 0
    assert "HTTP floor (GET /healthz)" in printed
    assert "through another form of the number (1 eq)" in printed


def test_a_shared_accounts_customer_page_is_measured_beside_one_of_10_numbers(tiny_run):
    results, printed, _ = tiny_run
    accounts = results["pages"][str(SIZE)]["accounts"]
    small, large = accounts["by_links"]["10"], accounts["by_links"][str(ACCOUNT_LINKS)]
    page_size = accounts["page_size"]
    assert (small["rows"], large["rows"]) == (10, page_size)
    # The DynamoDB read of the account grows with it (every item read, on the page's two
    # Queries); the page holds one page of numbers.
    assert (small["items_read"], large["items_read"]) == (11, ACCOUNT_LINKS + 1)
    # Two Queries, and one per order-linked number the page shows (passed to another customer?).
    assert (small["dynamodb_requests"], large["dynamodb_requests"]) == (2 + 10, 2 + page_size)
    # 25 rows against 10, not 120: the page's size follows the page, not the account.
    assert small["response_bytes"] > 0
    assert large["response_bytes"] < small["response_bytes"] * (page_size / 10 + 1)
    for entry in (small, large):
        assert entry["page"]["samples"] == entry["raw"]["samples"] == 3
        assert entry["gunicorn_cpu_ms_per_page"] > 0
    assert "Customer page by account size" in printed


def test_ingestion_rates_memory_and_requests_per_event_are_reported(tiny_run):
    results, printed, _ = tiny_run
    ingestion = results["ingestion"]
    level = ingestion["levels"]["4"]
    assert level["raw"]["put_per_s"] > 0 and level["raw"]["update_per_s"] > 0
    assert level["ingest_only_per_s"] > 0
    worker = level["worker"]
    assert worker["events"] == 120 and worker["events_per_s"] > 0
    assert "120 received" in worker["summary"]  # the worker's own account of the run
    assert level["worker_vs_ingest"] == round(
        worker["events_per_s"] / level["ingest_only_per_s"], 3
    )
    memory = ingestion["memory"]
    assert memory["events"] == 120 and memory["peak_rss_mb"] >= memory["final_rss_mb"] > 20
    per_kind = ingestion["requests"]["per_kind"]
    first, repeat, again = (
        per_kind[kind]["dynamodb_requests"] for kind in ("first link", "repeat order", "redelivery")
    )
    # A repeat order is its marker and one conditional update; a first link (legacy records
    # may remain) and a redelivery need more; every case reports the capacity it consumed.
    assert repeat == 2 and first > repeat and again >= 2
    assert all(entry["write_units"] >= 1 for entry in per_kind.values())
    assert per_kind["history newest first, twice"]["dynamodb_requests"] > 0
    loop = ingestion["requests"]["worker_loop"]
    assert loop["sqs_per_event"] > 0 and loop["dynamodb_per_event"] >= repeat
    assert "Worker memory over 120 events" in printed


def test_a_loaded_table_is_reused_and_an_interrupted_load_is_redone(tiny_run):
    results, _, data_dir = tiny_run
    folder = data_dir / f"dynalite-{SIZE}"
    items = results["pages"][str(SIZE)]["dataset"]["items"]
    with dataset_served(size=SIZE, folder=folder, writers=1) as (dataset, endpoint):
        assert dataset.loaded_now is False and dataset.items == items
        # As if the load had stopped before its last write: no marker.
        raw_client(endpoint).delete_item(
            TableName=TABLE_NAME, Key={name: {"S": value} for name, value in MARKER_KEY.items()}
        )
    with dataset_served(size=SIZE, folder=folder, writers=1) as (dataset, _):
        assert dataset.loaded_now is True and dataset.items == items
