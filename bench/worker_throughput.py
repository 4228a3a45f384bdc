#!/usr/bin/env python
"""Measure the order-events worker's throughput (events/second) on the local stack.

Starts dynalite (in memory) and moto's server (SQS) on free 127.0.0.1 ports, creates the table
and the queues, and for each concurrency asked for sends N order events (10% of them
redeliveries of another, a fifth on numbers shared by several customers) and times the worker's
own loop (`lookup.worker.worker_run`, what `consume_order_events` runs) until it has handled all
N. Then it checks the result (queue and dead-letter queue empty, one link per distinct customer
and number) and stops both servers. Bounded: N events per concurrency level.

    .venv/bin/python bench/worker_throughput.py [--events 2000] [--concurrency 1,4,10]
                                                [--backlog 20] [--processes 1]

moto's SQS recomputes every queue attribute, walking all messages, on each message it adds, so
its calls slow down linearly with the queue's depth (real SQS does not). By default a producer
thread therefore publishes while the worker consumes, keeping at most --backlog messages
waiting, as under a steady flow of orders; `--backlog 0` queues all N first (a backlog drain,
dominated by moto). The "ingest only" column runs the same events through the worker's message
handler without SQS: DynamoDB (dynalite) alone.

With --processes P > 1 the N events are queued first and P `manage.py consume_order_events
--once` processes drain them side by side (start-up included), as a deployment scales out.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import dynalite_server, moto_sqs_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="events per run (default 2000)")
    parser.add_argument(
        "--concurrency", default="1,4,10", help="comma-separated values to measure (1-10)"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=20,
        help="most messages waiting while publishing (default 20; 0: queue all N first)",
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes side by side (default 1)"
    )
    args = parser.parse_args()
    levels = [int(value) for value in args.concurrency.split(",")]

    with ExitStack() as stack:
        dynamodb = stack.enter_context(dynalite_server())
        sqs = stack.enter_context(moto_sqs_server())
        env = _environment(dynamodb=dynamodb, sqs=sqs)
        os.environ.update(env)

        import django

        django.setup()
        from django.conf import settings

        from lookup.queue import OrderEventQueue, queue_client, queues_ensure
        from lookup.repository import get_table
        from lookup.repository.schema import table_ensure

        table_ensure(table=get_table())
        client = queue_client()
        _, dlq_url = queues_ensure(
            client=client,
            url=settings.ORDER_EVENTS_QUEUE_URL,
            max_receive_count=5,
            visibility_timeout=60,
        )
        queue = OrderEventQueue(client=client, url=settings.ORDER_EVENTS_QUEUE_URL)

        mode = f"backlog at most {args.backlog}" if args.backlog else "all queued first"
        print(
            f"dynalite on {dynamodb}, moto_server SQS on {sqs}; "
            f"{args.events} events per run, {mode}, {args.processes} worker process(es)"
        )
        print(
            f"{'concurrency':>11} {'events':>7} {'seconds':>8} {'events/s':>9} "
            f"{'ingest only':>12}  outcomes"
        )
        for concurrency in levels:
            bodies, distinct = _events(args.events)
            started = time.perf_counter()
            if args.processes > 1:
                queue.events_send(bodies=bodies)
                started = time.perf_counter()
                outcomes = _drain_in_processes(env, args.processes, concurrency)
            else:
                outcomes = _consume_in_process(queue, bodies, concurrency, args.backlog)
            seconds = time.perf_counter() - started

            remaining = _depth(client, settings.ORDER_EVENTS_QUEUE_URL) + _depth(client, dlq_url)
            links = _links_created(distinct)
            assert remaining == 0, f"{remaining} messages left on the queues"
            assert links == len(distinct), f"{links} links for {len(distinct)} distinct pairs"

            ingest_rate = _ingest_only(concurrency, args.events)
            print(
                f"{concurrency:>11} {len(bodies):>7} {seconds:>8.2f} "
                f"{len(bodies) / seconds:>9.0f} {ingest_rate:>10.0f}/s  {outcomes}"
            )


def _events(count: int) -> tuple[list[str], set[tuple[str, str]]]:
    """`count` bodies: 90% new orders, 10% redeliveries; some numbers shared by 5 customers."""
    from lookup.phones import phone_normalize

    rng = random.Random(count)
    run = uuid.uuid4().hex[:6]
    bodies: list[str] = []
    distinct: set[tuple[str, str]] = set()
    while len(bodies) < count:
        if bodies and rng.random() < 0.1:
            bodies.append(rng.choice(bodies))  # at-least-once delivery: a duplicate
            continue
        index = len(bodies)
        customer = f"bench-{run}-{index}"
        shared = rng.random() < 0.2
        local = 900000 + (index % 50 if shared else index)
        phone = f"07700 {local:06d}"
        event = {
            "type": "order.committed",
            "id": f"evt_{run}_{index}",
            "occurredAt": "2026-11-28T10:00:00Z",
            "order": {
                "id": f"ord_{run}_{index}",
                "customerId": customer,
                "country": "GB",
                "createdAt": "2026-11-28T09:59:58Z",
                "delivery": {"dropoff": {"phoneNumber": phone}},
            },
        }
        bodies.append(json.dumps(event))
        distinct.add((customer, phone_normalize(raw=phone, region="GB").e164))
    return bodies, distinct


def _consume_in_process(queue, bodies: list[str], concurrency: int, backlog: int) -> str:
    """Run the worker loop until it has handled every body; a producer feeds it meanwhile."""
    from django.conf import settings

    from lookup.queue import OrderEventQueue, queue_client
    from lookup.worker import GracefulStop, RetryPolicy, worker_run

    stop = GracefulStop()
    handled = [0]

    def on_batch(report) -> None:
        handled[0] += report.received
        if handled[0] >= len(bodies):
            stop.request()

    def produce() -> None:
        producer = OrderEventQueue(client=queue_client(), url=queue.url)
        for start in range(0, len(bodies), 10):
            while start - handled[0] >= backlog > 0:
                time.sleep(0.001)
            producer.events_send(bodies=bodies[start : start + 10])

    sqs_seconds = [0.0]
    for name in ("messages_receive", "messages_delete", "messages_release"):
        setattr(queue, name, _timed(getattr(queue, name), sqs_seconds))

    if not backlog:
        produce()
    feeder = threading.Thread(target=produce, daemon=True) if backlog else None
    if feeder:
        feeder.start()
    total = worker_run(
        queue=queue,
        wait_seconds=1,
        retry=RetryPolicy(
            base_seconds=settings.ORDER_EVENTS_RETRY_BASE_SECONDS,
            max_seconds=settings.ORDER_EVENTS_RETRY_MAX_SECONDS,
        ),
        max_receive_count=5,
        concurrency=concurrency,
        stop=stop,
        on_batch=on_batch,
    )
    if feeder:
        feeder.join()
    for name in ("messages_receive", "messages_delete", "messages_release"):
        delattr(queue, name)
    outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(total.outcomes.items()))
    return f"{outcomes}; worker time in SQS calls {sqs_seconds[0]:.1f}s"


def _timed(method, spent: list[float]):
    def timed(**kwargs):
        started = time.perf_counter()
        try:
            return method(**kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    return timed


def _ingest_only(concurrency: int, count: int) -> float:
    """Events/s of the worker's message handler alone (DynamoDB, no SQS), same mix."""
    from lookup.queue import QueueMessage
    from lookup.worker import message_handle

    bodies, _ = _events(count)
    messages = [
        QueueMessage(message_id=str(n), receipt_handle="", body=body, receive_count=1)
        for n, body in enumerate(bodies)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for start in range(0, len(messages), 10):  # batches of ten, as received
            list(pool.map(message_handle, messages[start : start + 10]))
    return len(messages) / (time.perf_counter() - started)


def _drain_in_processes(env: dict, processes: int, concurrency: int) -> str:
    command = [
        str(ROOT / ".venv/bin/python"),
        str(ROOT / "manage.py"),
        "consume_order_events",
        "--once",
        "--wait-seconds",
        "1",
        "--concurrency",
        str(concurrency),
    ]
    workers = [
        subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    outputs = [worker.communicate()[0].strip() for worker in workers]  # waits for them all
    failed = [(w.returncode, out) for w, out in zip(workers, outputs, strict=True) if w.returncode]
    if failed:
        raise SystemExit(f"A worker failed (exit {failed[0][0]}):\n{failed[0][1]}")
    return " | ".join(out.splitlines()[-1].split(": ", 1)[-1] for out in outputs)


def _depth(client, url: str) -> int:
    attributes = client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def _links_created(distinct: set[tuple[str, str]]) -> int:
    from lookup.repository import get_links

    links = get_links()
    return sum(
        links.link_find(customer_id=customer, phone=phone) is not None
        for customer, phone in distinct
    )


def _environment(*, dynamodb: str, sqs: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "supporttool.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_ENV_FILE": os.devnull,  # a developer's .env must not point this elsewhere
        "LOG_LEVEL": "WARNING",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb,
        "AWS_ENDPOINT_URL_SQS": sqs,
        "DYNAMODB_TABLE_NAME": "bench-phone-lookup",
        "ORDER_EVENTS_QUEUE_URL": f"{sqs}/123456789012/bench-order-events",
    }


if __name__ == "__main__":
    main()
