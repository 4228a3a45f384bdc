"""Where a page's or an event's time goes: py-spy samples of the real processes, by category.

py-spy (a sampling profiler: `pip install py-spy`; found on PATH, in .venv/bin or at $PY_SPY)
records the gunicorn worker while this process requests the search page, and the
`consume_order_events` process while it ingests, with idle frames included, so waiting on
DynamoDB or SQS shows as time too. Each sample's stack gets the first category whose rule
matches, in the order below (the audit insert's SQL counts as the audit insert; a permission
check made while rendering counts as user loads), and a category's share of the samples taken
while a request was being handled, times the handling time per request, is its cost in ms.

Sampling pauses the process briefly (about 0.1 ms per sample at the default 250 Hz): the
totals come out a little above the unprofiled timings; the split is what matters.
"""

import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.servers import dynalite_server

ROOT = Path(__file__).resolve().parent.parent
RATE = 250  # samples per second

Rule = tuple[str, Callable[[str, str], bool]]  # (category, (stack, leaf) -> matches)


def _has(*parts: str) -> Callable[[str, str], bool]:
    return lambda stack, leaf: any(part in stack for part in parts)


def _waiting(stack: str, leaf: str) -> bool:
    """In a socket call inside botocore: sending the request or waiting for the response. On a
    busy 2-core machine, a send also stands for the server being scheduled in its place."""
    return "botocore/" in stack and any(
        name in leaf for name in ("socket.py", "selectors.py", "HTTPConnection.send (http/")
    )


WEB_RULES: list[Rule] = [
    # With CONN_MAX_AGE=0 every request opens its own connection, inside its first query.
    ("SQL: opening the database connection", _has("ensure_connection (")),
    ("template: form fields (the 245-option country list)", _has("as_widget (")),
    ("audit entry insert", _has("audit_write (")),
    # Function names, not files, where a decorator or middleware of that module wraps the view.
    ("rate-limit counter", _has("rate_hit (")),
    ("session load and save", _has("django/contrib/sessions/backends/")),
    (
        "user and permission loads",
        _has(
            "django/contrib/auth/__init__.py",
            "django/contrib/auth/backends.py",
            "django/contrib/auth/models.py",
            "django/contrib/auth/middleware.py",
        ),
    ),
    ("template: the rest of the page", _has("django/template/")),
    ("DynamoDB: on the network (send, wait for the answer)", _waiting),
    # The app's own work on what botocore returned (the raw side does none of it).
    ("results: item deserializing", _has("boto3/dynamodb/types.py")),
    ("DynamoDB: botocore request and response work", _has("botocore/", "boto3/")),
    (
        "results: records, ranking, phone formatting",
        _has(
            "lookup/repository/",
            "lookup/selectors/",
            "lookup/services/search.py",
            "lookup/domain/",
            "lookup/phones/",
        ),
    ),
    ("form validation", _has("lookup/forms.py", "lookup/navigation.py", "django/forms/")),
    ("logging (access line)", _has("logging/__init__.py", "lookup/logs.py")),
    ("SQL: connection, other queries", _has("django/db/")),
    (
        "middleware and Django's request handling",
        _has("django/", "lookup/middleware.py", "csp/", "whitenoise/", "lookup/"),
    ),
    ("gunicorn: reading the request, writing the response", _has("gunicorn/")),
]

INGEST_RULES: list[Rule] = [
    ("event: JSON, validation, phone normalization", _has("lookup/events.py")),
    ("DynamoDB: on the network (send, wait for the answer)", _waiting),
    ("records and rules (items, evidence fold)", _has("boto3/dynamodb/types.py")),
    ("DynamoDB: botocore request and response work", _has("botocore/", "boto3/")),
    ("records and rules (items, evidence fold)", _has("lookup/")),
]

LOOP_RULES: list[Rule] = [
    ("waiting for the batch's ingestion threads", _has("batch_ingest (")),
    ("SQS ReceiveMessage (nothing received ahead)", _has("messages_receive (")),
    ("waiting for the batch received ahead", _has("Receiver.next (")),
    ("starting the receive ahead (a thread)", _has("Receiver.ahead (")),
    ("waiting for the previous batch's acknowledgement", _has("Settler.collect (")),
    ("logging (batch line)", _has("logging/__init__.py", "lookup/logs.py")),
]

SQS_RULES: list[Rule] = [
    ("ReceiveMessage, received ahead", _has("Receiver._receive (")),
    ("DeleteMessageBatch and releases, while the next batch is recorded", _has("batch_settle (")),
]


def py_spy() -> str | None:
    for candidate in (os.environ.get("PY_SPY"), str(ROOT / ".venv" / "bin" / "py-spy")):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("py-spy")


def recording_start(*, pid: int, output: Path) -> subprocess.Popen:
    spy = py_spy()
    if spy is None:
        raise RuntimeError("py-spy not found: pip install py-spy (or set PY_SPY)")
    process = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(RATE),
            "--idle",
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)  # attached
    return process


def recording_stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stacks_read(path: Path) -> Counter[str]:
    """py-spy's raw (collapsed) output: `frame;frame;...;leaf count` per line."""
    stacks: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    return stacks


def stacks_categorized(
    stacks: Counter[str], *, within: Callable[[str], bool], rules: list[Rule]
) -> tuple[int, Counter[str]]:
    """The samples inside the unit of work (`within`), by first matching rule."""
    total = 0
    categories: Counter[str] = Counter()
    for stack, count in stacks.items():
        if not within(stack):
            continue
        total += count
        leaf = stack.rsplit(";", 1)[-1]
        category = next((name for name, rule in rules if rule(stack, leaf)), "other")
        categories[category] += count
    return total, categories


def breakdown(total: int, categories: Counter[str], *, units: int, unit: str) -> dict:
    """Samples turned into ms per unit of work, with shares, largest first."""
    per_sample_ms = 1000 / RATE
    return {
        "requests": units,
        "unit": unit,
        "samples": total,
        "ms_per_unit": round(total * per_sample_ms / max(units, 1), 2),
        "categories": {
            name: {
                "ms": round(count * per_sample_ms / max(units, 1), 2),
                "share": round(count / max(total, 1), 4),
            }
            for name, count in categories.most_common()
        },
    }


def _in_request(stack: str) -> bool:
    # gthread hands each readable connection to a pool thread, which parses the request, calls
    # the app and writes the response inside `handle`; between requests the thread waits.
    return "handle (gunicorn/workers/gthread.py" in stack


def _in_ingestion(stack: str) -> bool:
    return "message_handle (" in stack


def _in_loop(stack: str) -> bool:
    return "worker_run (" in stack and "message_handle (" not in stack


def _in_sqs_thread(stack: str) -> bool:
    # The receive ahead and the acknowledgements run beside the loop, on threads of their own.
    return "Receiver._receive (" in stack or "batch_settle (" in stack


def profile_section(settings, env: dict[str, str], run_dir: Path, sqs: str) -> dict:
    """Sample the search page (1 and 100 customers) and the worker, on the smallest table."""
    from bench import dataset as data
    from bench import ingestion as ing
    from bench.pages import search_path
    from bench.run import dataset_served, raw_client, say
    from bench.stack import AgentBrowser, gunicorn_server, table_environment
    from lookup.queue import queue_client

    results: dict = {}
    size = min(settings.sizes)
    folder = settings.data_dir / f"dynalite-{size}"
    with dataset_served(size=size, folder=folder, writers=settings.writers) as served:
        dataset, endpoint = served
        probes = data.probes(dataset.customers)
        # One gunicorn process, so one process holds every sample (threads as configured).
        web_env = {
            **env,
            **table_environment(endpoint=endpoint, table=data.TABLE_NAME),
            "GUNICORN_WORKERS": "1",
        }
        with gunicorn_server(env=web_env, log=run_dir / "gunicorn-profile.log") as web:
            worker_pid = _gunicorn_worker(web.process.pid)
            browser = AgentBrowser(web.port)
            browser.sign_in()
            for case in (1, 100):
                mine = [probe for probe in probes if probe.case == case]
                for probe in mine:  # warm up
                    browser.request("GET", search_path(probe))
                output = run_dir / f"profile-search-{case}.txt"
                say(f"profiling the search page ({case} customers) for {settings.profile_seconds}s")
                recorder = recording_start(pid=worker_pid, output=output)
                requests = 0
                deadline = time.monotonic() + settings.profile_seconds
                while time.monotonic() < deadline:
                    status, _ = browser.request("GET", search_path(mine[requests % len(mine)]))
                    if status != 200:
                        raise RuntimeError(f"search page answered {status} while profiling")
                    requests += 1
                recording_stop(recorder)
                total, categories = stacks_categorized(
                    stacks_read(output), within=_in_request, rules=WEB_RULES
                )
                results[f"search page, {case} customer{'s' if case > 1 else ''}"] = breakdown(
                    total, categories, units=requests, unit="requests"
                )
            browser.close()

    say("profiling the worker")
    folder = run_dir / "dynalite-profile"
    data.folder_reset(folder)
    with dynalite_server(path=folder) as endpoint:
        client = raw_client(endpoint)
        ing.table_create(client=client, name="profile")
        sqs_client = queue_client()
        url, dlq_url = ing.queue_create(sqs_client=sqs_client, sqs=sqs, name="events-profile")
        output = run_dir / "profile-worker.txt"
        recorder: list[subprocess.Popen] = []
        stream = ing.order_events(settings.events, seed=21)
        ing.worker_run_measure(
            env=ing.environ_for_worker(env, endpoint=endpoint, table="profile"),
            sqs_client=sqs_client,
            queue_url=url,
            dlq_url=dlq_url,
            stream=stream,
            concurrency=settings.memory_concurrency,
            backlog=settings.backlog,
            log=run_dir / "worker-profile.log",
            on_started=lambda pid: recorder.append(recording_start(pid=pid, output=output)),
        )
        recording_stop(recorder[0])
    stacks = stacks_read(output)
    events = len(stream.bodies)
    total, categories = stacks_categorized(stacks, within=_in_loop, rules=LOOP_RULES)
    results["worker loop (main thread)"] = breakdown(total, categories, units=events, unit="events")
    total, categories = stacks_categorized(stacks, within=_in_ingestion, rules=INGEST_RULES)
    results["worker ingestion threads"] = breakdown(total, categories, units=events, unit="events")
    total, categories = stacks_categorized(stacks, within=_in_sqs_thread, rules=SQS_RULES)
    results["worker SQS threads"] = breakdown(total, categories, units=events, unit="events")
    return results


def _gunicorn_worker(master: int) -> int:
    """The pid of gunicorn's (single) worker process."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")
