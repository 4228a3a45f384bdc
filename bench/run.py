"""`make bench`: the measurements of docs/performance.md in one command.

    .venv/bin/python -m bench [--quick] [--sizes 20000,500000] [--rounds 60] ...

Starts its own dynalite (one LevelDB folder per table size under the data folder, loaded once
and reused) and moto's SQS server on free loopback ports, measures, prints a table and writes
the results as JSON (`<data dir>/latest.json` and a timestamped copy). `--help` lists the knobs.
"""

import argparse
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from bench import dataset as data
from bench.report import machine, report_lines, results_write
from bench.stack import (
    ROOT,
    AgentBrowser,
    app_environment,
    app_use_table,
    django_prepare,
    gunicorn_server,
    table_environment,
)
from tests.servers import dynalite_server, moto_sqs_server

DEFAULTS = {
    "sizes": "20000,500000",
    "rounds": 60,
    "warmup": 5,
    "events": 3000,
    "worker_events": 20000,
    "concurrency": "1,4,10",
    "memory_concurrency": 4,
    "backlog": 20,
    "writers": 3,
    "account_links": 10000,
    "audit_rows": 2_000_000,
}
QUICK = {
    "sizes": "20000",
    "rounds": 20,
    "events": 1000,
    "worker_events": 2000,
    "concurrency": "4",
}


@dataclass(frozen=True)
class Settings:
    sizes: list[int]
    rounds: int
    warmup: int
    events: int
    worker_events: int
    concurrency: list[int]
    memory_concurrency: int
    backlog: int
    writers: int
    account_links: int
    audit_rows: int
    data_dir: Path
    database_url: str
    sections: set[str]
    profile: bool
    profile_seconds: float


def settings_parse(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="The measurements of docs/performance.md (make bench): pages beside their "
        "raw DynamoDB calls, ingestion rates, worker memory, requests per page and event.",
    )
    parser.add_argument("--quick", action="store_true", help=f"a short run: {QUICK}")
    parser.add_argument("--sizes", help=f"table sizes in items (default {DEFAULTS['sizes']})")
    parser.add_argument("--rounds", type=int, help="timed rounds per page and case (default 60)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (default 5)")
    parser.add_argument(
        "--events", type=int, help="events per ingestion measurement (default 3000)"
    )
    parser.add_argument(
        "--worker-events",
        type=int,
        help="events through the worker at --memory-concurrency, its RSS sampled (default 20000)",
    )
    parser.add_argument("--concurrency", help="ingestion concurrency levels (default 1,4,10)")
    parser.add_argument(
        "--memory-concurrency", type=int, help="the level of the long worker run (default 4)"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        help="most messages waiting in SQS (default 20: one batch in flight, one ready)",
    )
    parser.add_argument("--writers", type=int, help="loader processes (default 3)")
    parser.add_argument(
        "--account-links",
        type=int,
        help="numbers of the shared account whose customer page is measured beside one of "
        "10 (default 10000)",
    )
    parser.add_argument(
        "--audit-rows",
        type=int,
        help="entries in the audit trail of --only audit (default 2000000; a year of 500 "
        "agents is about 20000000)",
    )
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"), help="default var/bench")
    parser.add_argument(
        "--database-url",
        default="",
        help="the web tier's relational database (default: a fresh SQLite file per run; for "
        "--only audit, TEST_DATABASE_URL, which bin/with-postgres exports)",
    )
    parser.add_argument(
        "--only",
        default="pages,ingestion,review",
        help="sections to run: pages, ingestion, review, audit (PostgreSQL: make bench-audit) "
        "(none: only the --profile)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also sample the search page and the worker with py-spy (bench/profiling.py)",
    )
    parser.add_argument("--profile-seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    chosen = {**DEFAULTS, **(QUICK if args.quick else {})}
    for name in DEFAULTS:
        if getattr(args, name) is not None:
            chosen[name] = getattr(args, name)
    data_dir = Path(args.data_dir).resolve()
    sections = {name.strip() for name in args.only.split(",")}
    database_url = args.database_url
    if not database_url and "audit" in sections:
        database_url = os.environ.get("TEST_DATABASE_URL", "")
    return Settings(
        sizes=[int(size) for size in str(chosen["sizes"]).split(",")],
        rounds=int(chosen["rounds"]),
        warmup=int(chosen["warmup"]),
        events=int(chosen["events"]),
        worker_events=int(chosen["worker_events"]),
        concurrency=[int(level) for level in str(chosen["concurrency"]).split(",")],
        memory_concurrency=int(chosen["memory_concurrency"]),
        backlog=int(chosen["backlog"]),
        writers=int(chosen["writers"]),
        account_links=int(chosen["account_links"]),
        audit_rows=int(chosen["audit_rows"]),
        data_dir=data_dir,
        database_url=database_url or f"sqlite:///{data_dir / 'run' / 'db.sqlite3'}",
        sections=sections,
        profile=args.profile,
        profile_seconds=args.profile_seconds,
    )


def raw_client(endpoint: str):
    """A plain boto3 DynamoDB client: the "raw" side of every comparison."""
    return boto3.session.Session().client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def dataset_served(*, size: int, folder: Path, writers: int) -> Iterator[tuple[data.Dataset, str]]:
    """dynalite on the size's data folder, loaded (once: a complete earlier load is reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    with dynalite_server(path=folder) as endpoint:
        try:
            marker = data.dataset_marker(client=raw_client(endpoint))
        except ClientError:  # no table yet
            marker = None
        if marker is not None and int(marker["size"]) == size:
            say(f"table of {size} items: reusing {folder}")
            yield (
                data.Dataset(
                    size=size,
                    items=int(marker["items"]),
                    customers=int(marker["customers"]),
                    folder=folder,
                    loaded_now=False,
                    load_seconds=float(marker["seconds"]),
                ),
                endpoint,
            )
            return
    data.folder_reset(folder)
    with dynalite_server(path=folder) as endpoint:
        say(f"table of {size} items: loading into {folder} with {writers} writers")
        loaded = data.dataset_load(
            client=raw_client(endpoint),
            endpoint=endpoint,
            size=size,
            writers=writers,
            folder=folder,
        )
        say(f"loaded {loaded.items} items in {loaded.load_seconds:.0f}s")
        yield loaded, endpoint


def pages_section(settings: Settings, env: dict[str, str], run_dir: Path) -> dict:
    from django.conf import settings as django_settings

    from bench.accounts import SMALL_ACCOUNT, accounts_count, accounts_ensure, accounts_measure
    from bench.pages import pages_count, pages_measure, raw_count
    from lookup.repository.dynamo import Table
    from lookup.repository.records import records_put

    page_size = django_settings.SEARCH_PAGE_SIZE
    results: dict = {}
    for size in settings.sizes:
        folder = settings.data_dir / f"dynalite-{size}"
        with dataset_served(size=size, folder=folder, writers=settings.writers) as served:
            dataset, endpoint = served
            client = raw_client(endpoint)
            probes = data.probes(dataset.customers) + data.equivalent_probes(dataset.customers)
            # Written on every run (the same items): a folder loaded before they existed has them.
            table = Table(client=client, name=data.TABLE_NAME, index_name=data.INDEX_NAME)
            records_put(table=table, links=data.equivalent_records(dataset.customers))
            account_sizes = (SMALL_ACCOUNT, settings.account_links)
            say(f"table of {size} items: accounts of {account_sizes} numbers")
            accounts_ensure(client=client, table=table, sizes=account_sizes)
            web_env = {**env, **table_environment(endpoint=endpoint, table=data.TABLE_NAME)}
            with gunicorn_server(env=web_env, log=run_dir / f"gunicorn-{size}.log") as web:
                browser = AgentBrowser(web.port)
                browser.sign_in()
                say(f"table of {size} items: timing pages, {settings.rounds} rounds per case")
                timings, cpu_ms_per_page, floor = pages_measure(
                    browser=browser,
                    client=client,
                    probes=probes,
                    rounds=settings.rounds,
                    warmup=settings.warmup,
                    page_size=page_size,
                    server_cpu=web.workers_cpu_seconds,
                )
                say(f"table of {size} items: customer pages of accounts of {account_sizes}")
                accounts = accounts_measure(
                    browser=browser,
                    client=client,
                    sizes=account_sizes,
                    rounds=settings.rounds,
                    warmup=settings.warmup,
                    server_cpu=web.workers_cpu_seconds,
                )
                browser.close()
            app_use_table(endpoint=endpoint, table=data.TABLE_NAME)
            counts = pages_count(probes=probes)
            for links, counted in accounts_count(client=client, sizes=account_sizes).items():
                accounts[links].update(counted)
            raw = raw_count(client=client, probes=probes, page_size=page_size)
        cases = {}
        for case, views in timings.items():
            cases[case] = {
                view: {
                    **comparison.as_dict(),
                    **counts[case][view],
                    "raw_requests": raw[case][view],
                }
                for view, comparison in views.items()
            }
        plain, through_other_form = cases["1"]["search"], cases["1 eq"]["search"]
        results[str(size)] = {
            "dataset": {**asdict(dataset), "folder": str(dataset.folder)},
            "page_size": page_size,
            # The bound for searching every form of a number: within 1.3x of a plain one.
            "equivalent_vs_plain_search_p50": round(
                through_other_form["page"]["p50_ms"] / plain["page"]["p50_ms"], 2
            ),
            # Search and customer pages alike, sign-in excluded: what one page costs a web CPU.
            "gunicorn_cpu_ms_per_page": round(cpu_ms_per_page, 2),
            # GET /healthz, answered before any middleware: HTTP and gunicorn alone.
            "http_floor": asdict(floor),
            "cases": cases,
            # The customer page of a shared account beside one of 10 numbers (bench/accounts.py).
            "accounts": {
                "page_size": django_settings.CUSTOMER_NUMBERS_PAGE_SIZE,
                "by_links": accounts,
            },
        }
    return results


def ingestion_section(settings: Settings, env: dict[str, str], run_dir: Path, sqs: str) -> dict:
    from bench import ingestion as ing
    from lookup.queue import queue_client

    folder = run_dir / "dynalite-ingest"
    data.folder_reset(folder)
    longest = max(settings.events, settings.worker_events)
    stream = ing.order_events(longest)
    sqs_client = queue_client()
    levels: dict = {}
    memory: dict = {}
    with dynalite_server(path=folder) as endpoint:
        client = raw_client(endpoint)
        for level in settings.concurrency:
            head = stream.head(settings.events)
            say(f"ingestion at concurrency {level}: raw writes, ingest only, worker")
            raw = ing.raw_write_rates(
                client=client, table=f"raw-c{level}", stream=head, concurrency=level
            )
            ingest = ing.ingest_only_rate(
                endpoint=endpoint, table=f"ingest-c{level}", stream=head, concurrency=level
            )
            worker_stream = (
                stream.head(settings.worker_events)
                if level == settings.memory_concurrency
                else head
            )
            table = f"worker-c{level}"
            ing.table_create(client=client, name=table)
            url, dlq_url = ing.queue_create(sqs_client=sqs_client, sqs=sqs, name=f"events-c{level}")
            worker = ing.worker_run_measure(
                env=ing.environ_for_worker(env, endpoint=endpoint, table=table),
                sqs_client=sqs_client,
                queue_url=url,
                dlq_url=dlq_url,
                stream=worker_stream,
                concurrency=level,
                backlog=settings.backlog,
                log=run_dir / f"worker-c{level}.log",
            )
            missing = ing.links_missing(client=client, table=table, pairs=worker_stream.pairs)
            if missing or worker.dead_letters:
                raise RuntimeError(
                    f"worker run at {level}: {missing} links missing, "
                    f"{worker.dead_letters} dead letters; see {run_dir}"
                )
            levels[str(level)] = {
                "raw": raw,
                "ingest_only_per_s": ingest,
                "worker": {
                    "events": worker.events,
                    "seconds": worker.seconds,
                    "events_per_s": worker.events_per_s,
                    "cpu_ms_per_event": worker.cpu_ms_per_event,
                    "summary": worker.summary,
                },
                "worker_vs_ingest": round(worker.events_per_s / ingest, 3),
                "ingest_vs_raw_put": round(ingest / raw["put_per_s"], 3),
            }
            if level == settings.memory_concurrency:
                memory = {
                    "events": worker.events,
                    "concurrency": level,
                    **worker.memory(),
                    "samples": worker.rss_samples,
                }
        say("ingestion: requests per event")
        per_kind = ing.ingest_counts(endpoint=endpoint, table="counts")
        url, _ = ing.queue_create(sqs_client=sqs_client, sqs=sqs, name="events-counts")
        loop = ing.worker_loop_counts(
            endpoint=endpoint,
            table="counts-loop",
            sqs_client=sqs_client,
            queue_url=url,
            events=min(200, settings.events),
        )
    return {
        "mix": {kind: stream.head(settings.events).kinds.count(kind) for kind in ing.KINDS},
        "backlog": settings.backlog,
        "levels": levels,
        "memory": memory,
        "requests": {"per_kind": per_kind, "worker_loop": loop},
    }


def review_section(settings: Settings, run_dir: Path) -> dict:
    """The review queue's scan on each loaded table, and its ingestion hook's requests."""
    from bench import review

    scans = {}
    for size in settings.sizes:
        folder = settings.data_dir / f"dynalite-{size}"
        with dataset_served(size=size, folder=folder, writers=settings.writers) as served:
            _, endpoint = served
            say(f"table of {size} items: the review queue's full scan")
            scans[str(size)] = review.scan_measure(endpoint=endpoint)
    folder = run_dir / "dynalite-review"
    data.folder_reset(folder)
    with dynalite_server(path=folder) as endpoint:
        say("review queue: requests per event, the ingestion hook off and on")
        ingest = review.ingest_hook_counts(endpoint=endpoint)
    return {"scan": scans, "ingest": ingest}


def audit_migrations(env: dict[str, str]) -> dict[str, dict]:
    os.environ.update(env)
    import django

    django.setup()
    from bench.audit import migrations_timed

    return migrations_timed()


def main(argv: list[str] | None = None) -> dict:
    settings = settings_parse(argv)
    run_dir = settings.data_dir / "run"  # this run's scratch: database, logs, ingestion tables
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    started = time.perf_counter()
    results: dict = {
        "machine": machine(),
        "settings": {
            name: str(value) if isinstance(value, Path | set) else value
            for name, value in asdict(settings).items()
        },
    }
    with ExitStack() as stack:
        sqs = ""
        if "ingestion" in settings.sections or settings.profile:
            sqs = stack.enter_context(moto_sqs_server())
        env = app_environment(run_dir=run_dir, database_url=settings.database_url, sqs=sqs)
        migrations: dict[str, dict] = {}
        if "audit" in settings.sections:
            # Before django_prepare migrates: a new migration's indexes, timed on the trail.
            migrations = audit_migrations(env)
        django_prepare(env)
        if "pages" in settings.sections:
            results["pages"] = pages_section(settings, env, run_dir)
        if "ingestion" in settings.sections:
            results["ingestion"] = ingestion_section(settings, env, run_dir, sqs)
        if "review" in settings.sections:
            results["review"] = review_section(settings, run_dir)
        if "audit" in settings.sections:
            from bench.audit import audit_section

            results["audit"] = audit_section(
                rows=settings.audit_rows,
                rounds=settings.rounds,
                warmup=settings.warmup,
                migrations=migrations,
            )
        if settings.profile:
            from bench.profiling import profile_section

            results["profile"] = profile_section(settings, env, run_dir, sqs)
    results["machine"]["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - started, 1)
    path = results_write(results, folder=settings.data_dir)
    print("\n".join(report_lines(results)))
    print(f"{results['seconds']:.0f}s in all; results in {path}")
    return results
