"""`make bench-audit` in a tiny configuration, on the PostgreSQL tier (the benchmark loads its
trail with PostgreSQL's COPY): it loads a trail, measures every figure docs/performance.md
quotes, reuses the loaded trail, and leaves it whole after pruning a month of it.

Timings are not asserted (the machine is shared); what is asserted is that each figure was
measured, and the counts the design promises (one INSERT per audit write, batches when pruning).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.database

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = 3000


@pytest.fixture(scope="module")
def bench_database():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the audit benchmark runs on PostgreSQL: make test-postgres")
    import psycopg

    name = f"bench_audit_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bench(database_url: str, data_dir: Path) -> tuple[dict, str]:
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--only=audit",
            f"--database-url={database_url}",
            f"--data-dir={data_dir}",
            f"--audit-rows={ROWS}",
            "--rounds=2",
            "--warmup=0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return json.loads((data_dir / "latest.json").read_text())["audit"], finished.stdout


@pytest.fixture(scope="module")
def runs(bench_database, tmp_path_factory):
    first = _bench(bench_database, tmp_path_factory.mktemp("audit-bench"))
    again = _bench(bench_database, tmp_path_factory.mktemp("audit-bench"))
    return first, again


def test_every_figure_of_the_audit_trail_is_measured(runs):
    (results, printed), _ = runs
    assert results["trail"]["rows"] == ROWS and results["trail"]["loaded_now"] is True
    # Each index was rebuilt after the COPY, and timed (the deploy runbook quotes them).
    assert "audit_actor_upper" in results["trail"]["index_build_s"]
    assert set(results["pages"]) == {
        "list, unfiltered",
        "list, action = unlink",
        "list, one day",
        "list, one user",
        "search a number (E.164)",
        "search a number (national)",
        "search a customer id prefix",
        "search a request id",
        "search an actor",
    }
    for label, page in results["pages"].items():
        assert page["samples"] == 2 and 0 < page["p50_ms"] <= page["p95_ms"], label
        assert page["rows_listed"] > 0, label  # each probe finds what the trail holds
        assert "Execution Time" in page["sql"]["plan"]  # its slowest statement, profiled
    assert results["recent_searches"]["numbers"] > 0
    assert [words[0] for words in results["audit_write"]["statements"]] == ["INSERT"]
    for export in results["exports"].values():
        assert export["rows"] > 0 and 0 < export["first_byte_ms"] <= export["total_ms"]
        assert export["peak_python_mb"] > 0
    assert results["exports"]["one month"]["rows"] > results["exports"]["one day"]["rows"]
    prune = results["prune"]
    assert prune["rows_deleted"] > 0 and prune["rows_per_s"] > 0
    assert prune["search_page_alone"]["samples"] > 0
    assert "Audit trail: 3,000 entries" in printed and "prune_audit of a month" in printed


def test_a_loaded_trail_is_reused_and_left_whole_after_pruning(runs):
    (first, _), (again, _) = runs
    assert again["trail"]["loaded_now"] is False
    # The pruned month was written back: the same entries are deleted the second time.
    assert abs(again["prune"]["rows_deleted"] - first["prune"]["rows_deleted"]) <= 1
