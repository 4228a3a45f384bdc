"""The audit trail at a year's size (`make bench-audit`, docs/performance.md "The audit trail").

On PostgreSQL only (`bin/with-postgres` gives a throwaway cluster): a year of a 500-agent
support organisation's entries, drawn like the demo's numbers and customer ids, bulk-loaded with
`COPY` (ids in time order, as a live trail has them), then timed through Django's test client as
an admin: the change list unfiltered, filtered and searched; the search page's recent searches;
the CSV export of a day and of a month (first byte, total, peak Python memory); `prune_audit`
of the oldest month, with a probe of the locks it holds and of the search page while it runs.

A loaded trail is reused when the database already holds one of the same size (the table's
comment says so), and the month pruned is put back afterwards (the same rows, the same ids),
so runs against one long-lived database compare like with like; `migrate` runs first, so a run
after a new migration also times its indexes on the loaded trail (`migrations`).
"""

import random
import statistics
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from bench.stats import Latency

AGENTS = 500
API_CLIENTS = ("order-service", "crm-sync", "ivr-screen-pop")
CUSTOMERS = 200_000
NUMBERS = 60_000
YEAR_DAYS = 365
PRUNED_DAYS = 30
SEED = 20261201
# The mix of a support desk's year: mostly searches and the customers they open; the API's
# calls; a few unlinks, restores and refusals; a sign-in a day per agent; a rare export.
MIX = (
    ("search", 52.0),
    ("customer_view", 34.0),
    ("api_search", 4.0),
    ("api_link", 4.0),
    ("login", 3.5),
    ("unlink", 1.0),
    ("restore", 0.3),
    ("permission_denied", 0.5),
    ("login_failed", 0.4),
    ("rate_limited", 0.2),
    ("audit_export", 0.1),
)
# A region's share of the numbers: the business is mostly in the default region (GB).
REGIONS = (("GB", 70), ("IN", 8), ("MX", 6), ("BR", 6), ("US", 5), ("DE", 5))
COLUMNS = (
    "id",
    "at",
    "user_id",
    "api_client_id",
    "actor",
    "action",
    "phone",
    "customer_id",
    "subject",
    "result_count",
    "reason",
    "path",
    "client_address",
    "request_id",
)
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Trail:
    rows: int
    loaded_now: bool
    load_seconds: float
    start: datetime  # the oldest entry's day, midnight UTC
    table_mb: float
    indexes_mb: float
    index_build_s: dict[str, float]  # each index built after a fresh load (none when reused)


@dataclass(frozen=True, slots=True)
class Pools:
    """What entries are drawn from: agents, API clients, numbers and customer ids."""

    agents: list[tuple[int, str]]
    clients: list[tuple[int, str]]
    numbers: list[str]
    customers: list[str]


def say(message: str) -> None:
    from bench.run import say as bench_say

    bench_say(f"audit: {message}")


def pools_ensure(*, rows: int) -> Pools:
    """The 500 agents and the API clients as accounts (entries point at them), the numbers and
    customer ids drawn like the demo's (same seed, same pools)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from lookup.access import roles
    from lookup.demo.people import PEOPLE as _PEOPLE
    from lookup.demo.records import new_mobile as _new_mobile
    from lookup.models import ApiClient

    rng = random.Random(SEED)  # noqa: S311 - bench data
    user_model = get_user_model()
    names = []
    for index in range(AGENTS):
        first_names, last_names = _PEOPLE[list(_PEOPLE)[index % len(_PEOPLE)]]
        first, last = rng.choice(first_names), rng.choice(last_names)
        names.append(f"{first}.{last}{index}".lower())
    have = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    user_model.objects.bulk_create(
        [user_model(username=name, is_active=True) for name in names if name not in have]
    )
    agents = list(user_model.objects.filter(username__in=names).values_list("id", "username"))
    agents.sort(key=lambda pair: names.index(pair[1]))
    group = Group.objects.get(name=roles.SUPPORT_AGENT)
    group.user_set.add(*[pk for pk, _ in agents])
    clients = []
    for name in API_CLIENTS:
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            client = ApiClient(name=name, scopes=["customers:read", "links:write"])
            client.issue_key()
            client.save()
        clients.append((client.pk, f"api:{name}"))
    used: set[str] = set()
    regions = [region for region, share in REGIONS for _ in range(share)]
    # Fewer for a small trail (the test suite's), the same pools from 2 million entries up.
    numbers = [
        _new_mobile(rng, rng.choice(regions), used)
        for _ in range(min(NUMBERS, max(200, rows // 10)))
    ]
    customers = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4))
        for _ in range(min(CUSTOMERS, max(200, rows // 5)))
    ]
    return Pools(agents=agents, clients=clients, numbers=numbers, customers=customers)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def trail_rows(
    *, pools: Pools, rows: int, start: datetime, first: int = 0, last: int | None = None
) -> Iterator[str]:
    """COPY text lines for rows `first`..`last` of the trail: row i is the same whatever the
    range (its own seed), so a pruned month can be written back exactly."""
    span = YEAR_DAYS * 86400.0
    actions = [action for action, _ in MIX]
    weights = [weight for _, weight in MIX]
    for index in range(first, rows if last is None else last):
        rng = random.Random(SEED * 1_000_003 + index)  # noqa: S311 - bench data
        action = rng.choices(actions, weights)[0]
        at = start + timedelta(seconds=(index + rng.random()) * span / rows)
        # Every agent takes calls alike; a few numbers (a reception desk, a shop) and customers
        # (a call centre's account) come up far more often than the rest.
        agent_id, agent = pools.agents[rng.randrange(AGENTS)]
        user_id, client_id, actor = agent_id, None, agent
        phone = customer_id = subject = reason = ""
        result_count = None
        hot = rng.random() < 0.05
        number = pools.numbers[rng.randrange(50) if hot else rng.randrange(len(pools.numbers))]
        customer = pools.customers[
            rng.randrange(50) if hot else rng.randrange(len(pools.customers))
        ]
        path = "/"
        if action in ("search", "api_search"):
            phone, result_count = number, rng.choice((0, 1, 1, 1, 1, 2, 3))
            path = f"/?phone={number.replace('+', '%2B')}&country=GB"
        elif action in ("customer_view", "unlink", "restore", "api_link"):
            customer_id = customer
            path = f"/customers/{customer}/"
            if action != "customer_view":
                phone = number
                reason = "customer asked: not their number" if action == "unlink" else ""
        elif action == "permission_denied":
            path, reason = f"/customers/{customer}/unlink/", "needs unlink_phone"
        elif action in ("login_failed", "rate_limited"):
            subject = agent if action == "login_failed" else ""
            path = "/accounts/login/" if action == "login_failed" else "/"
        elif action == "audit_export":
            path, reason = "/admin/lookup/auditentry/export.csv", "filters: action=unlink"
        if action.startswith("api_"):
            client_id, actor = pools.clients[index % len(pools.clients)]
            user_id = None
        fields = (
            index + 1,
            at.isoformat(),
            user_id,
            client_id,
            actor,
            action,
            phone,
            customer_id,
            subject,
            result_count,
            reason,
            path,
            f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            f"{rng.getrandbits(128):032x}",
        )
        yield "\t".join(_copy_text(value) for value in fields) + "\n"


def _raw_connection():
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def trail_copy(*, pools: Pools, rows: int, start: datetime, first: int, last: int) -> None:
    """COPY rows `first`..`last` in, foreign keys unchecked (the pools are the accounts)."""
    raw = _raw_connection()
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        with cursor.copy(f"COPY lookup_auditentry ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            batch: list[str] = []
            for line in trail_rows(pools=pools, rows=rows, start=start, first=first, last=last):
                batch.append(line)
                if len(batch) == CHUNK:
                    copy.write("".join(batch))
                    batch.clear()
            if batch:
                copy.write("".join(batch))
        cursor.execute("SET session_replication_role = origin")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('lookup_auditentry', 'id'), "
            "(SELECT coalesce(max(id), 1) FROM lookup_auditentry))"
        )
    raw.commit()


def _marker(rows: int, start: datetime) -> str:
    return f"bench-audit rows={rows} start={start:%Y-%m-%d}"


def trail_ensure(*, rows: int, pools: Pools) -> Trail:
    """The trail of `rows` entries over the year to today, loaded once per database."""
    from django.db import connection

    start = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), UTC) - timedelta(
        days=YEAR_DAYS
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('lookup_auditentry'::regclass, 'pg_class')")
        comment = cursor.fetchone()[0] or ""
    loaded_now, seconds = False, 0.0
    index_seconds: dict[str, float] = {}
    if comment.startswith(f"bench-audit rows={rows} "):
        start = datetime.strptime(comment.rsplit("=", 1)[1], "%Y-%m-%d").replace(tzinfo=UTC)
        say(f"reusing the loaded trail of {rows} entries")
    else:
        loaded_now = True
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE lookup_auditentry")
            # Indexes are built after the load, as a restore does: faster, and each one's
            # build at this size is measured (docs/deploy.md's runbook quotes them).
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                "'lookup_auditentry' AND indexname <> 'lookup_auditentry_pkey'"
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        say(f"loading {rows} entries with COPY")
        for first in range(0, rows, 1_000_000):
            trail_copy(
                pools=pools, rows=rows, start=start, first=first, last=min(rows, first + 1_000_000)
            )
            say(f"{min(rows, first + 1_000_000)} entries in, {time.perf_counter() - began:.0f}s")
        for name, definition in indexes:
            tick = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(definition)
            index_seconds[name] = round(time.perf_counter() - tick, 1)
            say(f"index {name}: {index_seconds[name]}s")
        _vacuum()
        seconds = time.perf_counter() - began
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON TABLE lookup_auditentry IS '{_marker(rows, start)}'")
        say(f"loaded in {seconds:.0f}s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_table_size('lookup_auditentry'), pg_indexes_size('lookup_auditentry')"
        )
        table, indexes = cursor.fetchone()
    return Trail(
        rows=rows,
        loaded_now=loaded_now,
        load_seconds=round(seconds, 1),
        start=start,
        table_mb=round(table / 2**20, 1),
        indexes_mb=round(indexes / 2**20, 1),
        index_build_s=index_seconds,
    )


def _vacuum() -> None:
    raw = _raw_connection()
    autocommit = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE lookup_auditentry")
    raw.autocommit = autocommit


def _admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def _timed(
    call: Callable[[], object], *, rounds: int, warmup: int, budget_s: float
) -> tuple[Latency, object]:
    """p50/p95 of `call`; stops early (3 samples at least) once `budget_s` is spent."""
    last = None
    for _ in range(warmup):
        last = call()
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < rounds:
        tick = time.perf_counter()
        last = call()
        samples.append((time.perf_counter() - tick) * 1000)
        if len(samples) >= 3 and time.perf_counter() - began > budget_s:
            break
    return Latency.of(samples), last


def _slowest_statement(call: Callable[[], object]) -> dict:
    """The slowest SQL statement of one call, with its plan (EXPLAIN ANALYZE, BUFFERS)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    statements = [(float(query["time"]), query["sql"]) for query in captured.captured_queries]
    if not statements:
        return {}
    seconds, sql = max(statements)
    plan = ""
    if sql.lstrip().upper().startswith("SELECT"):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "statements": len(statements),
        "counts": sum("COUNT(" in sql.upper() for _, sql in statements),
        "slowest_ms": round(seconds * 1000, 2),
        "slowest_sql": sql,
        "plan": plan,
    }


def list_cases(*, pools: Pools, trail: Trail) -> dict[str, dict[str, str]]:
    """The change list's queries an admin investigating runs, on values the trail holds."""
    import phonenumbers
    from django.db import connection

    # The worst cases an admin meets: the most searched number (a reception desk's) and
    # customer (a call centre's account); a request id from the middle of the year.
    phone = next(number for number in pools.numbers[:50] if number.startswith("+44"))
    customer_id = pools.customers[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT request_id FROM lookup_auditentry WHERE id = %s", [trail.rows // 2])
        (request_id,) = cursor.fetchone()
    national = phonenumbers.format_number(
        phonenumbers.parse(phone, None), phonenumbers.PhoneNumberFormat.NATIONAL
    )
    day = (trail.start + timedelta(days=200)).date()
    agent_id, agent = pools.agents[3]
    return {
        "list, unfiltered": {},
        "list, action = unlink": {"action": "unlink"},
        "list, one day": {
            "at__gte": f"{day}T00:00:00+00:00",
            "at__lt": f"{day + timedelta(days=1)}T00:00:00+00:00",
        },
        "list, one user": {"user__id__exact": str(agent_id)},
        "search a number (E.164)": {"q": phone},
        "search a number (national)": {"q": national},
        "search a customer id prefix": {"q": customer_id[:8]},
        "search a request id": {"q": request_id},
        "search an actor": {"q": agent},
    }


def _export_measure(client, url: str, query: dict[str, str], *, memory: bool) -> dict:
    began = time.perf_counter()
    if memory:
        tracemalloc.start()
    response = client.get(url, query)
    first_byte = None
    size = lines = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - began
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - began
    peak = 0
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "first_byte_ms": round((first_byte or total) * 1000, 1),
        "total_ms": round(total * 1000, 1),
        "rows": lines - 1,
        "mb": round(size / 2**20, 2),
        "peak_python_mb": round(peak / 2**20, 2),
    }


def exports_measure(*, client, trail: Trail, rounds: int) -> dict:
    from django.urls import reverse

    url = reverse("admin:lookup_auditentry_export")
    day = (trail.start + timedelta(days=200)).date()
    month_start = (trail.start + timedelta(days=180)).date()
    ranges = {
        "one day": (day, day + timedelta(days=1)),
        "one month": (month_start, month_start + timedelta(days=30)),
    }
    results = {}
    for label, (since, until) in ranges.items():
        query = {"at__gte": f"{since}T00:00:00+00:00", "at__lt": f"{until}T00:00:00+00:00"}
        say(f"CSV of {label}")
        timed = [
            _export_measure(client, url, query, memory=False)
            for _ in range(max(1, rounds if label == "one day" else 1))
        ]
        memory = _export_measure(client, url, query, memory=True)
        results[label] = {
            "rounds": len(timed),
            "first_byte_ms": statistics.median(run["first_byte_ms"] for run in timed),
            "total_ms": statistics.median(run["total_ms"] for run in timed),
            "rows": timed[0]["rows"],
            "mb": timed[0]["mb"],
            "peak_python_mb": memory["peak_python_mb"],
        }
    return results


def _lock_probe(stop: threading.Event, found: dict) -> None:
    """Polls which transactions hold a write lock on the trail, and since when: the longest
    one seen is the longest any pruning statement made others wait on its rows."""
    from django.db import connection

    seen: dict[tuple[int, datetime], datetime] = {}
    try:
        with connection.cursor() as cursor:
            while not stop.is_set():
                cursor.execute(
                    "SELECT a.pid, a.xact_start, clock_timestamp() FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.relation = 'lookup_auditentry'::regclass "
                    "AND l.mode = 'RowExclusiveLock' AND a.query ILIKE 'DELETE%%' "
                    "AND a.pid <> pg_backend_pid()"
                )
                for pid, xact_start, now in cursor.fetchall():
                    if xact_start is not None:
                        seen[(pid, xact_start)] = now
                time.sleep(0.01)
    finally:
        connection.close()
    held = [(last - began).total_seconds() for (_, began), last in seen.items()]
    found["transactions_seen"] = len(held)
    found["longest_lock_ms"] = round(max(held, default=0.0) * 1000, 1)


def _search_page_probe(stop: threading.Event, samples: list[float], agent_id: int) -> None:
    """The search page's own database work as an agent meets it: the page with their recent
    searches, then a search's audit entry (the DynamoDB part is not the trail's)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from lookup.audit import AuditContext, audit_write

    agent = get_user_model().objects.get(pk=agent_id)
    client = Client()
    client.force_login(agent)
    url = reverse("lookup:search")
    try:
        while not stop.is_set():
            tick = time.perf_counter()
            assert client.get(url).status_code == 200
            audit_write(
                audit=AuditContext(user=agent, path="/?phone=x", request_id=uuid.uuid4().hex),
                action="search",
                phone="+447700900123",
                result_count=1,
            )
            samples.append((time.perf_counter() - tick) * 1000)
            time.sleep(0.02)
    finally:
        connection.close()


def prune_measure(*, pools: Pools, trail: Trail, seconds_without: float) -> dict:
    """The search page alone, then `prune_audit` of the oldest month with the probes running;
    the month is written back afterwards."""
    from django.core.management import call_command
    from django.db import connection

    agent_id = pools.agents[3][0]
    alone: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_search_page_probe, args=(stop, alone, agent_id))
    probe.start()
    time.sleep(seconds_without)
    stop.set()
    probe.join()

    days = YEAR_DAYS - PRUNED_DAYS
    cutoff_row = int(trail.rows * PRUNED_DAYS / YEAR_DAYS)
    during: list[float] = []
    locks: dict = {}
    stop = threading.Event()
    probes = [
        threading.Thread(target=_search_page_probe, args=(stop, during, agent_id)),
        threading.Thread(target=_lock_probe, args=(stop, locks)),
    ]
    for thread in probes:
        thread.start()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lookup_auditentry")
        before = cursor.fetchone()[0]
    say(f"prune_audit --days {days} (the oldest month)")
    began = time.perf_counter()
    call_command("prune_audit", days=days, stdout=_Null())
    duration = time.perf_counter() - began
    stop.set()
    for thread in probes:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(id) FROM lookup_auditentry")
        after, oldest_left = cursor.fetchone()
    deleted = before - after
    # Back as they were (rows before the first kept id, the same values): the next run
    # measures the same trail. The probes' own entries stay (a few hundred, at the end).
    say(f"writing the {deleted} pruned entries back")
    trail_copy(pools=pools, rows=trail.rows, start=trail.start, first=0, last=oldest_left - 1)
    _vacuum()
    return {
        "days_kept": days,
        "rows_deleted": deleted,
        "expected_about": cutoff_row,
        "seconds": round(duration, 2),
        "rows_per_s": round(deleted / duration) if duration else 0,
        **locks,
        "search_page_alone": asdict(Latency.of(alone)) if alone else {},
        "search_page_while_pruning": asdict(Latency.of(during)) if during else {},
    }


class _Null:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def audit_write_measure(*, pools: Pools, rounds: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lookup.audit import AuditContext, audit_write

    agent = get_user_model().objects.get(pk=pools.agents[5][0])
    context = AuditContext(user=agent, path="/?phone=x", client_address="10.0.0.1")

    def write() -> None:
        audit_write(audit=context, action="search", phone=pools.numbers[0], result_count=1)

    with CaptureQueriesContext(connection) as captured:
        write()
    latency, _ = _timed(write, rounds=max(rounds, 20), warmup=2, budget_s=10)
    return {
        **asdict(latency),
        "statements": [query["sql"].split(" ", 2)[:2] for query in captured.captured_queries],
    }


def migrations_timed() -> dict[str, dict]:
    """Applies what is unapplied, one migration at a time, timing each and each of its index
    statements (on the loaded trail: what a deploy builds, at this size)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    statements: list[tuple[str, float]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if " INDEX " in sql.upper():
                statements.append((sql, round(time.perf_counter() - began, 2)))

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    timings = {}
    for migration, _ in plan:
        statements.clear()
        began = time.perf_counter()
        with connection.execute_wrapper(timed):
            call_command("migrate", migration.app_label, migration.name, verbosity=0)
        timings[f"{migration.app_label}.{migration.name}"] = {
            "seconds": round(time.perf_counter() - began, 1),
            "index_statements_s": dict(statements),
        }
    return timings


def audit_section(*, rows: int, rounds: int, warmup: int, migrations: dict[str, dict]) -> dict:
    from django.db import connection
    from django.urls import reverse

    from lookup.selectors.audit_trail import searches_recent

    if connection.vendor != "postgresql":
        raise SystemExit(
            "The audit benchmark needs PostgreSQL: bin/with-postgres .venv/bin/python -m bench "
            '--only audit --database-url "$TEST_DATABASE_URL" (or make bench-audit).'
        )
    say("pools of agents, numbers and customer ids")
    pools = pools_ensure(rows=rows)
    trail = trail_ensure(rows=rows, pools=pools)
    client = _admin_client()
    url = reverse("admin:lookup_auditentry_changelist")
    budget = 40.0
    pages = {}
    for label, query in list_cases(pools=pools, trail=trail).items():
        say(label)

        def page(query=query) -> object:
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code
            return response

        latency, response = _timed(page, rounds=rounds, warmup=warmup, budget_s=budget)
        pages[label] = {
            **asdict(latency),
            "rows_listed": response.content.count(b'class="field-actor"'),
            "sql": _slowest_statement(page),
        }
    agent_id = pools.agents[3][0]
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.get(pk=agent_id)
    say("recent searches")
    recent, found = _timed(
        lambda: searches_recent(user=agent), rounds=max(rounds, 50), warmup=warmup, budget_s=20
    )
    exports = exports_measure(client=client, trail=trail, rounds=rounds)
    write = audit_write_measure(pools=pools, rounds=rounds)
    prune = prune_measure(pools=pools, trail=trail, seconds_without=5.0 if rows >= 100_000 else 1.0)
    return {
        "trail": {**asdict(trail), "start": trail.start.isoformat()},
        "migrations_applied_s": migrations,
        "pages": pages,
        "recent_searches": {
            **asdict(recent),
            "numbers": len(found),
            "sql": _slowest_statement(lambda: searches_recent(user=agent)),
        },
        "exports": exports,
        "audit_write": write,
        "prune": prune,
    }


def report_lines(results: dict) -> list[str]:
    trail = results["trail"]
    loaded = f"now, in {trail['load_seconds']:.0f}s" if trail["loaded_now"] else "before"
    lines = [
        "",
        f"Audit trail: {trail['rows']:,} entries ({trail['table_mb']:.0f} MB table, "
        f"{trail['indexes_mb']:.0f} MB indexes; loaded {loaded})",
        f"{'admin audit page':<34} {'p50 ms':>9} {'p95 ms':>9} {'n':>4}  slowest statement",
    ]
    for label, page in results["pages"].items():
        lines.append(
            f"{label:<34} {page['p50_ms']:>9.1f} {page['p95_ms']:>9.1f} {page['samples']:>4}"
            f"  {page['sql'].get('slowest_ms', 0):.1f} ms, {page['sql'].get('counts', 0)} COUNT"
        )
    recent = results["recent_searches"]
    lines.append(
        f"{'recent searches (selector)':<34} {recent['p50_ms']:>9.2f} {recent['p95_ms']:>9.2f} "
        f"{recent['samples']:>4}"
    )
    write = results["audit_write"]
    lines.append(
        f"{'an audit write':<34} {write['p50_ms']:>9.2f} {write['p95_ms']:>9.2f} "
        f"{write['samples']:>4}  {write['statements']}"
    )
    for label, export in results["exports"].items():
        lines.append(
            f"CSV of {label}: {export['rows']:,} rows, {export['mb']} MB, first byte "
            f"{export['first_byte_ms']:.0f} ms, total {export['total_ms']:.0f} ms, peak Python "
            f"memory {export['peak_python_mb']} MB"
        )
    prune = results["prune"]
    alone, during = prune["search_page_alone"], prune["search_page_while_pruning"]
    lines.append(
        f"prune_audit of a month: {prune['rows_deleted']:,} rows in {prune['seconds']} s "
        f"({prune['rows_per_s']:,}/s), longest lock {prune.get('longest_lock_ms')} ms over "
        f"{prune.get('transactions_seen')} transactions"
    )
    if alone and during:
        lines.append(
            f"search page (DB work) p50/p95: alone {alone['p50_ms']}/{alone['p95_ms']} ms, "
            f"while pruning {during['p50_ms']}/{during['p95_ms']} ms ({during['samples']} samples)"
        )
    # On a fresh database every migration ran on an empty table: nothing worth printing.
    applied = {} if trail["loaded_now"] else results["migrations_applied_s"]
    for name, migration in applied.items():
        lines.append(f"migration {name} on the loaded trail: {migration['seconds']} s")
        for sql, seconds in migration["index_statements_s"].items():
            lines.append(f"  {seconds:>7.1f} s  {sql[:110]}")
    return lines
