"""The SQS worker (`consume_order_events --once`) on moto's SQS, with DynamoDB on both backends."""

import json
import logging
import os
import signal
import threading
from io import StringIO

import botocore.config
import pytest
from django.core.management import CommandError, call_command

import lookup.worker.processing
from lookup.domain import DirectoryUnavailable
from lookup.queue import OrderEventQueue, queue_client
from lookup.worker import GracefulStop, RetryPolicy, WorkerConfig, worker_run
from tests.factories import NOW
from tests.ingestion.conftest import MAX_RECEIVES, order_event, sns_envelope
from tests.lookups import search, stored_link

PHONE = "+447946095812"


def consume_once(*extra: str) -> str:
    out = StringIO()
    call_command("consume_order_events", "--once", "--wait-seconds", "0", *extra, stdout=out)
    return out.getvalue()


def dynamodb_down(*, event):
    raise DirectoryUnavailable("connection refused")


def customers_of(table, phone=PHONE) -> list[str]:
    return [match.customer_id for match in search(phone).matches]


def test_events_on_the_queue_become_links_and_are_acknowledged(table, queues):
    queues.publish(*(order_event(customer=f"cust-{n:02d}") for n in range(23)))

    out = consume_once()

    assert sorted(customers_of(table)) == [f"cust-{n:02d}" for n in range(23)]
    assert queues.depth() == 0 and queues.dead_letters() == []
    assert "23 received: 23 recorded (23 created), 0 skipped (no phone), 0 rejected" in out


def test_an_sns_notification_is_unwrapped(table, queues):
    queues.send(sns_envelope(order_event(customer="cust-sns", phone="+44 7946 095812")))

    consume_once()

    assert customers_of(table) == ["cust-sns"]
    assert queues.depth() == 0


def test_duplicate_deliveries_make_one_link_with_one_order(table, queues):
    event = order_event(order_id="ord_dup")
    queues.publish(event, event)
    queues.send(sns_envelope(event))

    # In parallel on dynalite, where the conditional write is what keeps one of them; moto's
    # in-process DynamoDB does not make two threads' conditional writes atomic.
    on_dynalite = "127.0.0.1" in table.client.meta.endpoint_url
    out = consume_once("--concurrency", "3" if on_dynalite else "1")

    link = stored_link("cust-ana", PHONE)
    assert link.order_count == 1 and link.recent_order_ids == ("ord_dup",)
    assert "2 already recorded" in out
    assert queues.depth() == 0


def test_a_poison_message_reaches_the_dead_letter_queue_after_the_configured_receives(
    table, queues, caplog
):
    poison = json.dumps(order_event(customer="cust-bad", phone="hello"))
    queues.send(poison)
    queues.publish(order_event(customer="cust-good"))

    with caplog.at_level(logging.ERROR, logger="lookup.worker"):
        out = consume_once()

    # Logged with the reason at each receive, then moved aside by SQS: not lost, not looping.
    rejections = [r.getMessage() for r in caplog.records if "Rejected order event" in r.message]
    assert len(rejections) == MAX_RECEIVES
    assert all("cannot contain letters" in message for message in rejections)
    assert (
        f"receive {MAX_RECEIVES} of {MAX_RECEIVES}, the next receive moves it to the "
        "dead-letter queue" in rejections[-1]
    )
    assert queues.dead_letters() == [poison]
    assert queues.depth() == 0
    # The good event in the same batch was recorded and acknowledged all the same.
    assert customers_of(table) == ["cust-good"]
    assert f"{MAX_RECEIVES} rejected" in out


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "(message): is not valid JSON"),
        ("", "(message): is not valid JSON"),
        (json.dumps({"type": "order.committed", "order": {"id": "ord_1"}}), "order.customerId"),
        (json.dumps({"Type": "Notification", "Message": "]"}), "Message: is not valid JSON"),
        (json.dumps(order_event(country="XX")), "order.country"),
        ("[" * 50_000 + "]" * 50_000, "(message): is nested too deeply"),
        (json.dumps(order_event(created_at=NOW.replace(year=2999))), "order.createdAt"),
    ],
    ids=["not json", "empty", "missing field", "bad SNS", "bad country", "deep", "future"],
)
def test_every_kind_of_bad_message_ends_in_the_dead_letter_queue_with_its_reason(
    moto_table, queues, caplog, body, reason
):
    queues.send(body or " ")

    with caplog.at_level(logging.ERROR, logger="lookup.worker"):
        consume_once()

    rejections = [r.getMessage() for r in caplog.records if "Rejected order event" in r.message]
    assert len(rejections) == MAX_RECEIVES and reason in rejections[0]
    assert queues.dead_letters() == [body or " "]


def test_a_dynamodb_outage_leaves_the_message_for_a_later_retry(moto_table, queues, monkeypatch):
    queues.publish(order_event(customer="cust-later"))

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", dynamodb_down)
    out = consume_once()

    # Not acknowledged, not dead-lettered: invisible for a backoff, then redelivered.
    assert "1 to retry" in out
    assert queues.depth() == 1 and queues.dead_letters() == []
    visible = queues.client.receive_message(QueueUrl=queues.url, WaitTimeSeconds=0)
    assert "Messages" not in visible


def test_the_event_is_recorded_when_dynamodb_comes_back(moto_table, queues, monkeypatch, settings):
    settings.ORDER_EVENTS_RETRY_BASE_SECONDS = 0  # no backoff, so one drain sees the retry
    queues.publish(order_event(customer="cust-later"))
    real_ingest = lookup.worker.processing.order_event_ingest
    attempts = []

    def down_once(*, event):
        attempts.append(event)
        if len(attempts) == 1:
            raise DirectoryUnavailable("connection refused")
        return real_ingest(event=event)

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", down_once)
    out = consume_once()

    assert len(attempts) == 2
    assert customers_of(moto_table) == ["cust-later"]
    assert queues.depth() == 0 and queues.dead_letters() == []
    assert "1 recorded (1 created)" in out and "1 to retry" in out


def test_a_dynamodb_outage_pauses_receiving_instead_of_spending_the_receives(
    moto_table, queues, monkeypatch
):
    # Without the pause, MAX_RECEIVES quick failed receives would dead-letter a valid event.
    queues.publish(order_event(customer="cust-patient"))
    real_ingest = lookup.worker.processing.order_event_ingest
    state = {"down": True, "probes": 0}
    attempts, pauses = [], []

    def ingest(*, event):
        attempts.append(event)
        if state["down"]:
            raise DirectoryUnavailable("connection refused")
        return real_ingest(event=event)

    def probe():
        state["probes"] += 1
        state["down"] = state["probes"] <= 5  # DynamoDB answers again at the sixth probe
        return not state["down"]

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", ingest)
    stop = GracefulStop()
    total = worker_run(
        config=WorkerConfig(
            wait_seconds=0,
            retry=RetryPolicy(base_seconds=0, max_seconds=0),  # visible again at once
            max_receive_count=MAX_RECEIVES,
        ),
        queue=OrderEventQueue(client=queue_client(), url=queues.url),
        stop=stop,
        storage_probe=probe,
        sleep=pauses.append,
        # Stop once recorded (or, should the pause not work, before looping for ever).
        on_batch=lambda report: stop.request() if report.outcomes or len(attempts) > 5 else None,
    )

    assert len(attempts) == 2  # one receive during the outage, one after
    assert pauses == [1, 2, 4, 8, 16, 32]  # growing pauses until the probe succeeded
    assert customers_of(moto_table, phone=PHONE) == ["cust-patient"]
    assert queues.dead_letters() == [] and queues.depth() == 0
    assert total.storage_down == 1 and total.retried == 1


def test_pauses_keep_growing_while_dynamodb_answers_the_probe_but_refuses_the_work(
    moto_table, queues, monkeypatch
):
    queues.publish(order_event(customer="cust-throttled"))
    real_ingest = lookup.worker.processing.order_event_ingest
    attempts, pauses = [], []

    def throttled_twice(*, event):
        attempts.append(event)
        if len(attempts) <= 2:
            raise DirectoryUnavailable("ProvisionedThroughputExceededException")
        return real_ingest(event=event)

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", throttled_twice)
    stop = GracefulStop()
    worker_run(
        config=WorkerConfig(
            wait_seconds=0,
            retry=RetryPolicy(base_seconds=0, max_seconds=0),
            max_receive_count=MAX_RECEIVES,
        ),
        queue=OrderEventQueue(client=queue_client(), url=queues.url),
        stop=stop,
        storage_probe=lambda: True,
        sleep=pauses.append,
        on_batch=lambda report: stop.request() if report.outcomes or len(attempts) > 5 else None,
    )

    assert pauses == [1, 2]
    assert customers_of(moto_table, phone=PHONE) == ["cust-throttled"]
    assert queues.dead_letters() == []


def test_a_drain_stops_with_an_error_while_dynamodb_is_down_and_keeps_the_events(
    moto_table, queues, monkeypatch
):
    queues.publish(order_event(customer="cust-kept"))

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", dynamodb_down)
    monkeypatch.setattr(
        "lookup.management.commands.consume_order_events.table_available", lambda table: False
    )
    with pytest.raises(CommandError, match="DynamoDB unavailable, stopped the drain"):
        consume_once()

    assert queues.depth() == 1 and queues.dead_letters() == []


def test_a_failure_on_the_last_receive_is_logged_as_an_error(
    moto_table, queues, monkeypatch, settings, caplog
):
    settings.ORDER_EVENTS_RETRY_BASE_SECONDS = 0
    queues.publish(order_event(customer="cust-unlucky"))

    def bug(*, event):
        raise KeyError("a bug")

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", bug)
    with caplog.at_level(logging.WARNING, logger="lookup.worker"):
        consume_once()

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(
        f"failed on its last receive ({MAX_RECEIVES} of {MAX_RECEIVES})" in m for m in errors
    )
    [dead] = queues.dead_letters()
    assert json.loads(dead)["order"]["customerId"] == "cust-unlucky"


def test_the_probe_tells_a_live_table_from_an_unreachable_or_missing_one(moto_table):
    import boto3

    from lookup.repository import Table, table_available

    assert table_available(moto_table)
    missing = Table(client=moto_table.client, name="no-such-table", index_name="gsi1")
    assert not table_available(missing)
    unreachable = Table(
        client=boto3.client(
            "dynamodb",
            endpoint_url="http://127.0.0.1:9",
            config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1),
        ),
        name=moto_table.name,
        index_name=moto_table.index_name,
    )
    assert not table_available(unreachable)


def test_retry_backoff_grows_with_receives_and_is_capped():
    policy = RetryPolicy(base_seconds=10, max_seconds=300)
    delays = [policy.delay(receive_count=n) for n in (1, 2, 3, 10)]
    assert 8 <= delays[0] <= 10 and 16 <= delays[1] <= 20 and 32 <= delays[2] <= 40
    assert 240 <= delays[3] <= 300


def test_sigterm_stops_after_the_batch_in_hand(moto_table, queues, monkeypatch):
    queues.publish(*(order_event(customer=f"cust-{n:02d}") for n in range(15)))
    real_ingest = lookup.worker.processing.order_event_ingest
    calls = []

    def ingest_then_terminate(*, event):
        calls.append(event)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while the first batch is in hand
        return real_ingest(event=event)

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", ingest_then_terminate)
    stop = GracefulStop()
    with stop.installed():
        total = worker_run(
            config=WorkerConfig(
                wait_seconds=0,
                retry=RetryPolicy(base_seconds=1, max_seconds=1),
                max_receive_count=MAX_RECEIVES,
                once=True,
            ),
            queue=OrderEventQueue(client=queue_client(), url=queues.url),
            stop=stop,
        )

    assert stop.requested
    assert total.batches == 1 and total.received == 10
    assert len(customers_of(moto_table)) == 10  # the whole batch in hand was recorded
    assert queues.depth() == 5  # the rest waits for the next worker
    # ...at once: the batch received ahead while the first was recorded was given back.
    assert queues.visible() == 5


def test_the_next_batch_is_received_while_the_current_one_is_recorded(moto_table, queues):
    queues.publish(*(order_event(customer=f"cust-{n:02d}") for n in range(25)))
    receiving = []
    queue = OrderEventQueue(client=queue_client(), url=queues.url)
    real_receive = queue.messages_receive

    def receive(**kwargs):
        receiving.append(threading.current_thread() is threading.main_thread())
        return real_receive(**kwargs)

    queue.messages_receive = receive
    total = worker_run(
        config=WorkerConfig(
            wait_seconds=0,
            retry=RetryPolicy(base_seconds=1, max_seconds=1),
            max_receive_count=MAX_RECEIVES,
            once=True,
        ),
        queue=queue,
    )

    assert total.received == 25 and len(customers_of(moto_table)) == 25
    # The first receive waits for nothing in hand; each next one overlaps a batch's recording.
    assert receiving[0] is True and receiving[1:3] == [False, False]
    assert queues.depth() == 0


def test_a_batch_is_acknowledged_while_the_next_one_is_recorded(moto_table, queues, monkeypatch):
    queues.publish(*(order_event(customer=f"cust-{n:02d}") for n in range(20)))
    queue = OrderEventQueue(client=queue_client(), url=queues.url)
    second_batch_received = threading.Event()
    second_batch_recording = threading.Event()
    real_receive, real_delete = queue.messages_receive, queue.messages_delete
    receives, ingested, overlapped = [], [], []

    def receive(**kwargs):
        messages = real_receive(**kwargs)
        receives.append(messages)
        if len(receives) == 2:
            second_batch_received.set()
        return messages

    real_ingest = lookup.worker.processing.order_event_ingest

    def ingest(*, event):
        ingested.append(event)
        if len(ingested) == 1:  # keep the first batch in hand until the next one is here
            second_batch_received.wait(timeout=5)
        if len(ingested) == 11:
            second_batch_recording.set()
        return real_ingest(event=event)

    def delete(**kwargs):
        if not overlapped:
            overlapped.append(second_batch_recording.wait(timeout=5))
        return real_delete(**kwargs)

    queue.messages_receive, queue.messages_delete = receive, delete
    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", ingest)
    total = worker_run(
        config=WorkerConfig(
            wait_seconds=0,
            retry=RetryPolicy(base_seconds=1, max_seconds=1),
            max_receive_count=MAX_RECEIVES,
            once=True,
        ),
        queue=queue,
    )

    # The first batch's DeleteMessageBatch waited for the second batch's recording to start.
    assert overlapped == [True]
    assert total.received == 20 and total.batches == 2
    assert len(customers_of(moto_table)) == 20
    assert queues.depth() == 0


def test_a_queue_without_dead_letter_queue_is_refused(moto_table, queues):
    bare = queues.client.create_queue(QueueName="no-dlq")["QueueUrl"]
    with pytest.raises(CommandError, match="no redrive policy"):
        consume_once("--queue-url", bare)


def test_no_queue_configured_is_a_clear_error(settings):
    settings.ORDER_EVENTS_QUEUE_URL = ""
    with pytest.raises(CommandError, match="ORDER_EVENTS_QUEUE_URL"):
        consume_once()


def test_an_unreachable_queue_is_a_clear_error(settings, monkeypatch):
    settings.ORDER_EVENTS_QUEUE_URL = "http://127.0.0.1:9/123456789012/order-events"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9")
    with pytest.raises(CommandError, match="Could not reach the queue"):
        consume_once()
