"""pytest plugin: record every AWS operation the code makes, and which component made it.

The IAM policies in infra/phone-lookup.yaml are checked against these recordings
(tests/infra/test_iam_policies.py), so the policies say what the code does, not what someone
remembered it does.

How a call is seen: every botocore client created during the run gets a handler on botocore's
own `before-parameter-build` event (the request's parameters as the code passed them, before
serialization), by wrapping `botocore.session.Session.create_client` for the whole run. boto3
makes a new botocore session for each client, so a single session's handlers would not do.

How a call is attributed: by the call stack at the moment of the call. A production process is
one component, and its entry point is on the stack of every call it makes:

* `web`: Django's request handler (`django.core.handlers.base`), for the pages and the HTTP
  API alike, whether served by the test client, the live server of the browser tests or
  gunicorn;
* `worker`: the `lookup.worker` package (the loop, and each message handled in its thread pool: a
  submitted function's frames are on its thread's stack) or the `consume_order_events`
  command;
* `batch`: the `backfill_phone_links`, `migrate_legacy_lookups` and `tombstones_index`
  commands (and `lookup.backfill`).

The outermost entry point on the stack wins. Work submitted to a thread pool
(`ThreadPoolExecutor.submit`, as the repository's concurrent reads do) belongs to the component
that submitted it: the submitter's component is noted at submission and used where the pool
thread's own stack names none. Calls with none on the stack are test set-up
(writing fixtures, creating tables and queues) or local-only commands (`ensure_table`,
`ensure_queues`, `seed_demo`, `publish_order_event`): recorded with component None, and no
policy is judged by them. Unlike a context variable set by a fixture, this needs no help from
the tests, cannot leak from one test into the next, and follows threads (the worker's pool, the
live server) by itself; unlike the test module's path it does not count a test's own set-up
writes as the component's.

Each call also notes the role of its table, index or queue, from the settings at the moment of
the call (`DYNAMODB_TABLE_NAME`, `DYNAMODB_INDEX_NAME`, `ORDER_EVENTS_QUEUE_URL`): the configured
one, the configured queue's dead-letter queue (`<name>-dlq`, the convention of `ensure_queues`
and of the template), or another. Tests give every table a random name, and the checker maps
"the configured table" to the deployed table's ARN while any other name keeps its own (and is
refused by the policies).
"""

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import botocore.session
import pytest

WEB, WORKER, BATCH = "web", "worker", "batch"
COMPONENTS = (WEB, WORKER, BATCH)

# The role of a call's resource, judged by the settings at the time of the call.
CONFIGURED, DEAD_LETTER, OTHER = "configured", "dead-letter", "other"
_DLQ_SUFFIX = "-dlq"  # lookup.queue.DLQ_SUFFIX; the recorder imports nothing of the app

# Module (a frame's __name__) -> the component whose entry point it is.
ENTRY_MODULES = {
    "django.core.handlers.base": WEB,
    "lookup.worker": WORKER,
    "lookup.management.commands.consume_order_events": WORKER,
    "lookup.backfill": BATCH,
    "lookup.management.commands.backfill_phone_links": BATCH,
    "lookup.management.commands.migrate_legacy_lookups": BATCH,
    "lookup.management.commands.tombstones_index": BATCH,
    "lookup.management.commands.review_scan": BATCH,
}


@dataclass(frozen=True, slots=True)
class AwsResource:
    """What one call was about: a table (with the index a Query or Scan used) or a queue."""

    kind: str  # "table" or "queue"
    name: str  # the table name, or the queue URL (a queue name for GetQueueUrl/CreateQueue)
    index: str | None = None
    role: str = OTHER  # CONFIGURED, DEAD_LETTER (of the configured queue) or OTHER

    @property
    def configured(self) -> bool:
        return self.role == CONFIGURED


@dataclass(frozen=True, slots=True)
class AwsCall:
    component: str | None
    service: str  # botocore's service name: "dynamodb", "sqs"
    operation: str  # the API operation: "Query", "DeleteMessageBatch"
    resources: tuple[AwsResource, ...]  # empty for calls on no particular resource


@dataclass
class AwsRecorder:
    """Every distinct call of the run (with the first test that made it), and capture windows."""

    first_seen: dict[AwsCall, str] = field(default_factory=dict)
    current_test: str = ""
    _windows: list[list[AwsCall]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, component: str | None = None) -> list[AwsCall]:
        with self._lock:
            recorded = list(self.first_seen)
        return [call for call in recorded if component is None or call.component == component]

    @contextmanager
    def capture(self) -> Iterator[list[AwsCall]]:
        """Collect every call made meanwhile, from any thread, in order."""
        window: list[AwsCall] = []
        with self._lock:
            self._windows.append(window)
        try:
            yield window
        finally:
            with self._lock:
                self._windows.remove(window)

    def on_parameter_build(self, params, model, **kwargs) -> None:
        call = AwsCall(
            component=component_on_stack(sys._getframe(1))
            or getattr(_submitted_by, "component", None),
            service=model.service_model.service_name,
            operation=model.name,
            resources=resources_of(model.service_model.service_name, params),
        )
        with self._lock:
            self.first_seen.setdefault(call, self.current_test)
            for window in self._windows:
                window.append(call)

    def report(self) -> str:
        lines = []
        for call, test in sorted(self.first_seen.items(), key=lambda entry: repr(entry[0]).lower()):
            names = ", ".join(
                f"{r.kind} {r.name}{f' index {r.index}' if r.index else ''} ({r.role})"
                for r in call.resources
            )
            lines.append(
                f"{call.component or '-'}\t{call.service}:{call.operation}\t{names}\t{test}"
            )
        return "\n".join(lines) + "\n"


def _entry_component(module: str) -> str | None:
    # A package entry (lookup.worker) covers its modules (lookup.worker.loop).
    while module:
        if module in ENTRY_MODULES:
            return ENTRY_MODULES[module]
        module = module.rpartition(".")[0]
    return None


def component_on_stack(frame) -> str | None:
    """The component of the outermost entry point on the stack, None when there is none."""
    component = None
    while frame is not None:
        found = _entry_component(frame.f_globals.get("__name__", ""))
        if found:
            component = found
        frame = frame.f_back
    return component


def resources_of(service: str, params: dict) -> tuple[AwsResource, ...]:
    configured = _configured_names()
    if service == "dynamodb":
        # BatchGetItem/BatchWriteItem name their tables as the keys of RequestItems.
        tables = [params["TableName"]] if "TableName" in params else []
        tables += list(params.get("RequestItems", {}))
        index = params.get("IndexName")
        return tuple(
            AwsResource(
                kind="table",
                name=table,
                index=index,
                role=CONFIGURED
                if table == configured["table"] and index in (None, configured["index"])
                else OTHER,
            )
            for table in tables
        )
    if service == "sqs":
        place, _, queue = configured["queue"].rstrip("/").rpartition("/")
        roles = {queue: CONFIGURED, f"{queue}{_DLQ_SUFFIX}": DEAD_LETTER} if queue else {}
        if "QueueUrl" in params:
            url = params["QueueUrl"]
            url_place, _, name = url.rstrip("/").rpartition("/")
            role = roles.get(name, OTHER) if url_place == place else OTHER
            return (AwsResource(kind="queue", name=url, role=role),)
        if "QueueName" in params:
            name = params["QueueName"]
            return (AwsResource(kind="queue", name=name, role=roles.get(name, OTHER)),)
    return ()


def _configured_names() -> dict[str, str | None]:
    try:
        from django.conf import settings

        return {
            "table": settings.DYNAMODB_TABLE_NAME,
            "index": settings.DYNAMODB_INDEX_NAME,
            "queue": settings.ORDER_EVENTS_QUEUE_URL or "",
        }
    except Exception:  # settings not configured: nothing is "the configured" resource
        return {"table": None, "index": None, "queue": ""}


# The component whose thread submitted the work a pool thread is running, if any.
_submitted_by = threading.local()
_submitted_by.component = None
_original_submit = ThreadPoolExecutor.submit
# lookup.repository.dynamo's pool of concurrent requests; review_scan's segment readers.
_REPOSITORY_POOLS = ("dynamodb", "review-scan")


def _submit_recorded(self, fn, /, *args, **kwargs):
    # Only the repository's own pool of concurrent reads: the worker's pools run its own frames.
    if not getattr(self, "_thread_name_prefix", "").startswith(_REPOSITORY_POOLS):
        return _original_submit(self, fn, *args, **kwargs)
    component = component_on_stack(sys._getframe(1)) or getattr(_submitted_by, "component", None)
    if component is None:
        return _original_submit(self, fn, *args, **kwargs)

    def run(*inner_args, **inner_kwargs):
        before = getattr(_submitted_by, "component", None)
        _submitted_by.component = component
        try:
            return fn(*inner_args, **inner_kwargs)
        finally:
            _submitted_by.component = before

    return _original_submit(self, run, *args, **kwargs)


# --- plugin hooks ---------------------------------------------------------------------------------

recorder = AwsRecorder()
_original_create_client = botocore.session.Session.create_client


def _create_client_recorded(self, *args, **kwargs):
    client = _original_create_client(self, *args, **kwargs)
    client.meta.events.register("before-parameter-build", recorder.on_parameter_build)
    return client


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--aws-calls-report",
        metavar="PATH",
        default=None,
        help="Write every distinct AWS call the run made (component, action, resources, first "
        "test) to PATH, tab-separated.",
    )


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "after_all_aws_calls: run after every other test, to judge the AWS calls the whole run "
        "recorded",
    )
    botocore.session.Session.create_client = _create_client_recorded
    ThreadPoolExecutor.submit = _submit_recorded


def pytest_unconfigure(config) -> None:
    botocore.session.Session.create_client = _original_create_client
    ThreadPoolExecutor.submit = _original_submit


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items) -> None:
    items.sort(key=lambda item: item.get_closest_marker("after_all_aws_calls") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    recorder.current_test = item.nodeid
    yield
    recorder.current_test = ""


def pytest_sessionfinish(session) -> None:
    path = session.config.getoption("--aws-calls-report")
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(recorder.report(), encoding="utf-8")


@pytest.fixture
def aws_recorder() -> AwsRecorder:
    """The run's recorder: `calls()` so far, `capture()` for a window of calls."""
    return recorder
