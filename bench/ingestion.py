"""Order events: events/s through the worker, through the ingest function alone, and the raw
conditional writes of the same dynalite at the same concurrency; the worker's memory; the
requests each event costs.

All three rates run the same driver shape as the worker: batches of ten (one SQS receive) and
`concurrency` threads within a batch, so only the work per event differs. Each measurement
writes to a fresh table of one dynalite on LevelDB that lives for the run only.

* raw: one conditional PutItem (a new link item, `attribute_not_exists(pk)`) per op, then one
  conditional UpdateItem (version check, new order counted) per op: the floor of any ingestion;
* ingest only: `order_event_ingest(event=event_unwrap(body))` for each body, no SQS;
* worker: `manage.py consume_order_events --concurrency C` in its own process (receive ->
  ingest -> delete, INFO logging as deployed), while this process publishes, keeping at most
  `backlog` messages waiting as a steady flow of orders would (moto's SQS slows down with the
  queue's depth; real SQS does not). Its RSS is sampled from /proc meanwhile.
"""

import calendar
import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.counting import requests_counted
from bench.stack import process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
BATCH = 10  # messages per SQS receive
FIRST, REPEAT, DUPLICATE = "first link", "repeat order", "redelivery"
KINDS = (FIRST, REPEAT, DUPLICATE)


@dataclass(frozen=True, slots=True)
class EventStream:
    bodies: list[str]
    kinds: list[str]
    pairs: list[tuple[str, str]]  # distinct (customer, E.164) the stream links

    def head(self, count: int) -> "EventStream":
        bodies, kinds = self.bodies[:count], self.kinds[:count]
        wanted = {json.loads(body)["order"]["customerId"] for body in bodies}
        return EventStream(bodies, kinds, [pair for pair in self.pairs if pair[0] in wanted])


def order_events(count: int, *, seed: int = 12) -> EventStream:
    """`count` order-committed events as the order service sends them: 30% a customer's first
    order with a number, 60% a repeat order of a link seen before, 10% SQS redeliveries of an
    earlier message. A fifth of the first links are to one of 200 numbers many customers share
    (family and office phones), so some events of a batch meet on the same index partition."""
    rng = random.Random(seed)
    bodies: list[str] = []
    kinds: list[str] = []
    pairs: list[tuple[str, str]] = []
    while len(bodies) < count:
        index = len(bodies)
        draw = rng.random()
        if bodies and draw < 0.1:
            bodies.append(bodies[rng.randrange(len(bodies))])
            kinds.append(DUPLICATE)
            continue
        if pairs and draw < 0.7:
            customer, national = pairs[rng.randrange(len(pairs))]
            kind = REPEAT
        else:
            customer = f"evt-customer-{index:07d}"
            local = 900000 + index % 200 if rng.random() < 0.2 else index
            national = f"0780 {local:07d}"
            pairs.append((customer, national))
            kind = FIRST
        created = 1_790_000_000 + index
        event = {
            "type": "order.committed",
            "id": f"evt_{index}",
            "occurredAt": _iso(created + 1),
            "order": {
                "id": f"ord_{index}",
                "customerId": customer,
                "country": "GB",
                "createdAt": _iso(created),
                "delivery": {"dropoff": {"phoneNumber": national}},
            },
        }
        bodies.append(json.dumps(event))
        kinds.append(kind)
    return EventStream(bodies, kinds, [(c, _e164(n)) for c, n in dict.fromkeys(pairs)])


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _e164(national: str) -> str:
    return "+44" + national.replace(" ", "")[1:]


def batched_rate(
    call: Callable[[object], object], items: Sequence[object], *, concurrency: int
) -> float:
    """Items per second through `call`, ten at a time, `concurrency` threads within the ten."""
    started = time.perf_counter()
    if concurrency <= 1:
        for item in items:
            call(item)
    else:
        with ThreadPoolExecutor(max_workers=min(concurrency, BATCH)) as pool:
            for start in range(0, len(items), BATCH):
                list(pool.map(call, items[start : start + BATCH]))
    return len(items) / (time.perf_counter() - started)


def table_create(*, client, name: str) -> None:
    from lookup.repository.dynamo import Table
    from lookup.repository.schema import table_ensure

    table_ensure(table=Table(client=client, name=name, index_name="gsi1"))


def raw_write_rates(*, client, table: str, stream: EventStream, concurrency: int) -> dict:
    """Conditional PutItem of new link items, then a conditional UpdateItem of each."""
    from lookup.domain import LinkSource, PhoneLink
    from lookup.domain.times import parse_timestamp
    from lookup.repository.dynamo import serialize
    from lookup.repository.items import link_to_item

    table_create(client=client, name=table)
    items = []
    for nth, body in enumerate(stream.bodies):
        order = json.loads(body)["order"]
        moment = parse_timestamp(order["createdAt"])
        link = PhoneLink(
            customer_id=f"{order['customerId']}-{nth}",  # one new item per op
            phone=_e164(order["delivery"]["dropoff"]["phoneNumber"]),
            source=LinkSource.ORDER,
            first_seen=moment,
            last_seen=moment,
            order_count=1,
            country="GB",
            version=1,
        )
        items.append(serialize(link_to_item(link)))

    def put(item) -> None:
        client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    def update(item) -> None:
        client.update_item(
            TableName=table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET lastSeenAt = :seen, #v = #v + :one ADD orderCount :one",
            ConditionExpression="#v = :read",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={
                ":seen": {"S": "2026-11-30T10:00:00Z"},
                ":one": {"N": "1"},
                ":read": {"N": "1"},
            },
        )

    return {
        "put_per_s": round(batched_rate(put, items, concurrency=concurrency), 1),
        "update_per_s": round(batched_rate(update, items, concurrency=concurrency), 1),
    }


def ingest_only_rate(*, endpoint: str, table: str, stream: EventStream, concurrency: int) -> float:
    from bench.stack import app_use_table
    from lookup.events import event_unwrap
    from lookup.repository import get_table
    from lookup.services.ingestion import order_event_ingest

    app_use_table(endpoint=endpoint, table=table)
    table_create(client=get_table().client, name=table)

    def ingest(body: str) -> None:
        order_event_ingest(event=event_unwrap(body))

    return round(batched_rate(ingest, stream.bodies, concurrency=concurrency), 1)


def ingest_counts(*, endpoint: str, table: str) -> dict[str, dict]:
    """DynamoDB requests for one event of each kind, through `order_event_ingest`."""
    from bench.stack import app_use_table
    from lookup.events import event_unwrap
    from lookup.repository import get_table
    from lookup.services.ingestion import order_event_ingest

    app_use_table(endpoint=endpoint, table=table)
    client = get_table().client
    table_create(client=client, name=table)
    stream = order_events(200, seed=5)
    first = stream.kinds.index(FIRST)
    repeat = stream.kinds.index(REPEAT)
    repeated = json.loads(stream.bodies[repeat])["order"]["customerId"]
    earlier = next(
        body
        for body, kind in zip(stream.bodies, stream.kinds, strict=True)
        if kind == FIRST and json.loads(body)["order"]["customerId"] == repeated
    )
    late = _event_like(stream.bodies[repeat], order_id="late-order", seconds=-86_400 * 30)
    history = [
        _event_like(stream.bodies[first], order_id=f"hist-{n:02d}", seconds=-3_600 * n)
        for n in range(1, 26)
    ]
    cases = {
        FIRST: [stream.bodies[first]],
        REPEAT: [earlier, stream.bodies[repeat]],  # the link exists, then a new order
        DUPLICATE: [stream.bodies[repeat]],  # the same message again
        # An order older than the link's newest (SQS reordering, a late redelivery).
        "late order": [late],
    }
    counts: dict[str, dict] = {}
    for kind, bodies in cases.items():
        *before, measured = bodies
        for body in before:
            order_event_ingest(event=event_unwrap(body))
        with requests_counted(client, capacity=True) as aws:
            order_event_ingest(event=event_unwrap(measured))
        counts[kind] = _cost(aws, events=1)
    # A history of 25 orders delivered newest first, then all of it again: per event.
    with requests_counted(client, capacity=True) as aws:
        for body in [*history, *history]:
            order_event_ingest(event=event_unwrap(body))
    counts["history newest first, twice"] = _cost(aws, events=2 * len(history))
    return counts


def _cost(aws, *, events: int) -> dict:
    return {
        "dynamodb_requests": round(aws.total() / events, 2),
        "operations": {name: round(n / events, 2) for name, n in aws.counts.items()},
        "read_units": round(aws.read_units / events, 2),
        "write_units": round(aws.write_units / events, 2),
    }


def _event_like(body: str, *, order_id: str, seconds: int) -> str:
    """Another order of the same link as `body`, `seconds` away from it."""
    event = json.loads(body)
    order = event["order"]
    moment = time.strptime(order["createdAt"], "%Y-%m-%dT%H:%M:%SZ")
    order["id"] = order_id
    order["createdAt"] = _iso(int(calendar.timegm(moment)) + seconds)
    event["id"] = f"evt_{order_id}"
    return json.dumps(event)


def worker_loop_counts(*, endpoint: str, table: str, sqs_client, queue_url: str, events: int):
    """Requests per event through the worker loop itself (`lookup.worker.worker_run`), in this
    process: SQS receives and deletes per batch included."""
    from django.conf import settings

    from bench.stack import app_use_table
    from lookup.queue import OrderEventQueue
    from lookup.repository import get_table
    from lookup.worker import GracefulStop, RetryPolicy, WorkerConfig, worker_run

    app_use_table(endpoint=endpoint, table=table)
    table_create(client=get_table().client, name=table)
    stream = order_events(events, seed=9)
    queue = OrderEventQueue(client=sqs_client, url=queue_url)
    queue.events_send(bodies=stream.bodies)
    stop = GracefulStop()
    handled = [0]

    def on_batch(report) -> None:
        handled[0] += report.received
        if handled[0] >= events:
            stop.request()

    with requests_counted(get_table().client, sqs_client) as aws:
        worker_run(
            config=WorkerConfig(
                wait_seconds=1,
                retry=RetryPolicy(
                    base_seconds=settings.ORDER_EVENTS_RETRY_BASE_SECONDS,
                    max_seconds=settings.ORDER_EVENTS_RETRY_MAX_SECONDS,
                ),
                max_receive_count=5,
                concurrency=4,
            ),
            queue=queue,
            stop=stop,
            on_batch=on_batch,
        )
    kinds = {kind: stream.kinds.count(kind) for kind in (FIRST, REPEAT, DUPLICATE)}
    return {
        "events": events,
        "mix": kinds,
        "dynamodb_per_event": round(aws.total("dynamodb") / events, 2),
        "sqs_per_event": round(aws.total("sqs") / events, 2),
        "operations": dict(sorted(aws.counts.items())),
    }


@dataclass
class WorkerRun:
    events: int
    seconds: float
    events_per_s: float
    cpu_ms_per_event: float  # the worker process's CPU time (all threads) per event
    rss_samples: list[tuple[float, int, float]]  # (seconds, events handled, RSS MB)
    peak_rss_mb: float  # VmHWM of the process
    summary: str  # the worker's own closing line
    dead_letters: int

    def memory(self) -> dict:
        """RSS after the first tenth of the events (warm), at the end, peak, and the growth
        per 10k events between the two."""
        warm = next((s for s in self.rss_samples if s[1] >= self.events / 10), self.rss_samples[0])
        last = self.rss_samples[-1]
        growth = last[2] - warm[2]
        span = max(last[1] - warm[1], 1)
        return {
            "warm_rss_mb": round(warm[2], 1),
            "final_rss_mb": round(last[2], 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "growth_mb": round(growth, 1),
            "growth_mb_per_10k_events": round(growth / span * 10_000, 2),
        }


def worker_run_measure(
    *,
    env: dict[str, str],
    sqs_client,
    queue_url: str,
    dlq_url: str,
    stream: EventStream,
    concurrency: int,
    backlog: int,
    log: Path,
    on_started: Callable[[int], None] | None = None,
) -> WorkerRun:
    """Run `consume_order_events` in its own process until it has handled the whole stream.

    Its progress is read from its own log (one "Batch: N received ..." line per batch, after
    the batch's delete), so measuring costs the SQS server nothing beyond the publishing.
    """
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "consume_order_events",
        "--concurrency",
        str(concurrency),
        "--wait-seconds",
        "1",
    ]
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "ORDER_EVENTS_QUEUE_URL": queue_url, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    progress = _Progress(worker.stderr, log)
    try:
        first_line = worker.stdout.readline()
        if not first_line.startswith("Consuming"):
            raise RuntimeError(f"the worker did not start: {first_line!r}; see {log}")
        if on_started is not None:
            on_started(worker.pid)
        cpu_before = process_cpu_seconds(worker.pid)
        seconds, samples = _feed(worker, progress, sqs_client, queue_url, stream.bodies, backlog)
        cpu = process_cpu_seconds(worker.pid) - cpu_before
        peak = _status_mb(worker.pid, "VmHWM")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        progress.join()
    return WorkerRun(
        events=len(stream.bodies),
        seconds=round(seconds, 2),
        events_per_s=round(len(stream.bodies) / seconds, 1),
        cpu_ms_per_event=round(cpu * 1000 / len(stream.bodies), 2),
        rss_samples=samples,
        peak_rss_mb=peak,
        summary=(output.strip().splitlines() or [""])[-1],
        dead_letters=_depth(sqs_client, dlq_url),
    )


class _Progress(threading.Thread):
    """Messages the worker has handled, from its log lines (copied to `log`)."""

    _BATCH = re.compile(r"Batch: (\d+) received")

    def __init__(self, stream, log: Path) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.log = log
        self.handled = 0
        self.start()

    def run(self) -> None:
        with self.log.open("a") as copy:
            for line in self.stream:
                copy.write(line)
                if match := self._BATCH.search(line):
                    self.handled += int(match.group(1))


def _feed(worker, progress: _Progress, sqs_client, queue_url: str, bodies: list[str], backlog: int):
    """Publish while the worker consumes, keeping at most `backlog` messages waiting; returns
    the seconds until the worker had handled every body, and RSS samples taken meanwhile."""
    sent = 0
    samples: list[tuple[float, int, float]] = []
    started = time.perf_counter()
    next_sample = started
    deadline = started + max(120.0, len(bodies) / 5)
    while True:
        if sent < len(bodies) and sent - progress.handled < backlog:
            chunk = bodies[sent : sent + BATCH]
            sqs_client.send_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(chunk)],
            )
            sent += len(chunk)
            continue
        now = time.perf_counter()
        handled = progress.handled
        done = handled >= len(bodies)
        if now >= next_sample or done:
            samples.append((round(now - started, 2), handled, _status_mb(worker.pid, "VmRSS")))
            next_sample = now + 1.0
        if done:
            return now - started, samples
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({worker.returncode}) with {handled} handled")
        if now > deadline:
            raise RuntimeError(f"the worker handled {handled} of {len(bodies)} in time")
        time.sleep(0.002)


def _depth(sqs_client, url: str) -> int:
    attributes = sqs_client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def _status_mb(pid: int, field: str) -> float:
    """A memory figure of a process from /proc/<pid>/status (VmRSS now, VmHWM its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def links_missing(*, client, table: str, pairs: list[tuple[str, str]], sample: int = 50) -> int:
    """How many of a sample of the stream's links are not in the table (0 if the run was right)."""
    rng = random.Random(3)
    chosen = rng.sample(pairs, min(sample, len(pairs)))
    missing = 0
    for customer, e164 in chosen:
        response = client.get_item(
            TableName=table,
            Key={"pk": {"S": f"phone_user#{customer}"}, "sk": {"S": f"phone#{e164}"}},
            ConsistentRead=True,
        )
        missing += "Item" not in response
    return missing


def queue_create(*, sqs_client, sqs: str, name: str) -> tuple[str, str]:
    """A fresh queue with its dead-letter queue and redrive policy, as `ensure_queues` makes."""
    from lookup.queue import queues_ensure

    url = f"{sqs}/123456789012/{name}"
    _, dlq_url = queues_ensure(
        client=sqs_client, url=url, max_receive_count=5, visibility_timeout=60
    )
    return url, dlq_url


def environ_for_worker(env: dict[str, str], *, endpoint: str, table: str) -> dict[str, str]:
    from bench.stack import table_environment

    return {**env, **table_environment(endpoint=endpoint, table=table)}
