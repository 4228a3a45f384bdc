"""What the alarms read from the worker: a heartbeat line every minute even when the queue is
idle, and ERROR lines (JSON with LOG_FORMAT=json) for SQS refusals and for failures to start
(the web process's refused settings too, which take the same path)."""

import json
import logging
import os
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

import boto3
import pytest
from django.core.management import CommandError, call_command
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

import lookup.worker.processing
from lookup.domain.errors import DirectoryUnavailable
from lookup.logs import JsonFormatter, RequestContextFilter
from lookup.queue import OrderEventQueue, queue_client
from lookup.worker import GracefulStop, RetryPolicy, WorkerConfig, worker_run
from lookup.worker.heartbeat import HEARTBEAT_MESSAGE, Heartbeat
from tests.ingestion.conftest import MAX_RECEIVES, order_event

ROOT = Path(__file__).resolve().parent.parent.parent


def as_json(record: logging.LogRecord) -> dict:
    """The line LOG_FORMAT=json writes for a record, as the metric filters read it."""
    RequestContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def beats(records: list[logging.LogRecord]) -> list[dict]:
    return [as_json(r) for r in records if r.getMessage() == HEARTBEAT_MESSAGE]


class StopAfter(logging.Handler):
    """Asks the worker to stop once it has logged `count` heartbeats."""

    def __init__(self, stop: GracefulStop, count: int) -> None:
        super().__init__()
        self.stop, self.count = stop, count

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == HEARTBEAT_MESSAGE:
            self.count -= 1
            if self.count <= 0:
                self.stop.request()


def test_an_idle_worker_beats_once_per_interval(moto_table, queues, caplog):
    """Nothing on the queue, so no batch line: the heartbeat is the only sign of life."""
    now = [0.0]

    def clock() -> float:
        now[0] += 25.0  # each turn of the loop (an empty long poll) takes 25 s
        return now[0]

    stop = GracefulStop()
    handler = StopAfter(stop, count=4)
    logging.getLogger("lookup.heartbeat").addHandler(handler)
    try:
        with caplog.at_level(logging.INFO):
            total = worker_run(
                config=WorkerConfig(
                    wait_seconds=0,
                    retry=RetryPolicy(base_seconds=0, max_seconds=0),
                    max_receive_count=MAX_RECEIVES,
                ),
                queue=OrderEventQueue(client=queue_client(), url=queues.url),
                stop=stop,
                heartbeat=Heartbeat(interval_seconds=60, clock=clock),
            )
    finally:
        logging.getLogger("lookup.heartbeat").removeHandler(handler)

    assert total.received == 0
    lines = beats(caplog.records)
    assert len(lines) == 4
    assert lines[0] == {
        **lines[0],
        "level": "INFO",
        "logger": "lookup.heartbeat",
        "message": "worker heartbeat",
        "worker_id": f"{socket.gethostname()}:{os.getpid()}",
        "heartbeat": 1,
    }
    # Loop turns every 25 s: beats at 25, 100, 150, 225 s (fixed rate: due at 85, 145, 205),
    # so 16 turns of the loop gave 4 beats, not one per turn.
    assert now[0] == 25.0 * (1 + 3 + 2 + 3)


def test_the_heartbeat_keeps_a_fixed_rate_and_does_not_burst_after_a_long_pause(caplog):
    now = [0.0]
    heartbeat = Heartbeat(interval_seconds=60, clock=lambda: now[0], worker_id="host:1")
    with caplog.at_level(logging.INFO, logger="lookup.heartbeat"):
        for t in (0, 30, 59, 70, 119, 125, 500, 505, 560):
            now[0] = t
            heartbeat.tick()
    # At 0, 70 (due 60), 125 (due 120), 500 (one beat, not six), 560 (due 560).
    assert len(caplog.records) == 5


def test_the_heartbeat_goes_on_while_dynamodb_is_down(moto_table, queues, caplog, monkeypatch):
    """The worker pausing for a DynamoDB outage is alive and says so."""
    queues.publish(order_event(customer="cust-waiting"))

    def down(*, event):
        raise DirectoryUnavailable("connection refused")

    monkeypatch.setattr(lookup.worker.processing, "order_event_ingest", down)
    now = [0.0]
    stop = GracefulStop()

    def pause(seconds: float) -> None:
        now[0] += seconds
        if now[0] > 600:
            stop.request()

    with caplog.at_level(logging.INFO):
        worker_run(
            config=WorkerConfig(
                wait_seconds=0,
                retry=RetryPolicy(base_seconds=0, max_seconds=0),
                max_receive_count=MAX_RECEIVES,
            ),
            queue=OrderEventQueue(client=queue_client(), url=queues.url),
            stop=stop,
            storage_probe=lambda: False,
            sleep=pause,
            heartbeat=Heartbeat(interval_seconds=60, clock=lambda: now[0]),
        )

    # Ten minutes of pauses (1, 2, 4, ... then 60 s each): about one beat a minute.
    assert len(beats(caplog.records)) >= 9
    queues.client.purge_queue(QueueUrl=queues.url)


def test_sqs_access_denied_is_an_error_line_and_retried_with_backoff(monkeypatch, caplog):
    """A worker role without sqs:ReceiveMessage: ERROR (the alarm), and backoff, not a crash,
    so the worker recovers by itself once IAM is fixed."""
    pauses: list[float] = []

    @set_initial_no_auth_action_count(3)  # the three set-up calls below; then IAM is enforced
    def denied() -> None:
        with mock_aws():
            url = boto3.client("sqs").create_queue(QueueName="order-events")["QueueUrl"]
            iam = boto3.client("iam")
            iam.create_user(UserName="worker-without-policy")
            key = iam.create_access_key(UserName="worker-without-policy")["AccessKey"]
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
            stop = GracefulStop()

            def pause(seconds: float) -> None:
                pauses.append(seconds)
                if len(pauses) == 4:
                    stop.request()

            worker_run(
                config=WorkerConfig(
                    wait_seconds=0,
                    retry=RetryPolicy(base_seconds=0, max_seconds=0),
                    max_receive_count=MAX_RECEIVES,
                ),
                queue=OrderEventQueue(client=queue_client(), url=url),
                stop=stop,
                sleep=pause,
            )

    with caplog.at_level(logging.INFO):
        denied()

    assert pauses == [1, 2, 4, 8]
    errors = [as_json(r) for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 4
    assert errors[0]["level"] == "ERROR" and errors[0]["logger"] == "lookup.queue"
    assert "refused (permissions or configuration" in errors[0]["message"]
    assert "not authorized to perform: sqs:ReceiveMessage" in errors[0]["message"]


def test_a_queue_that_does_not_exist_is_an_error_line(moto_table, queues, caplog):
    missing = queues.url.rsplit("/", 1)[0] + "/no-such-queue"
    with caplog.at_level(logging.INFO), pytest.raises(CommandError):
        call_command("consume_order_events", "--once", "--queue-url", missing, stdout=StringIO())
    levels = [(r.name, r.levelname) for r in caplog.records]
    assert ("lookup.queue", "ERROR") in levels
    stopped = [as_json(r) for r in caplog.records if r.getMessage().startswith("Worker stopped")]
    assert stopped and stopped[0]["level"] == "ERROR"
    assert "Could not reach the queue" in stopped[0]["message"]


def test_a_transient_sqs_failure_stays_a_warning(settings, monkeypatch, caplog):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9")
    queue = OrderEventQueue(client=queue_client(), url="http://127.0.0.1:9/1/order-events")
    with caplog.at_level(logging.INFO), pytest.raises(Exception, match="Could not connect"):
        queue.messages_receive(wait_seconds=0)
    assert [r.levelname for r in caplog.records if r.name == "lookup.queue"] == ["WARNING"]


def test_a_worker_without_a_queue_url_logs_an_error_line(settings, caplog):
    settings.ORDER_EVENTS_QUEUE_URL = ""
    with caplog.at_level(logging.INFO), pytest.raises(CommandError):
        call_command("consume_order_events", stdout=StringIO())
    [line] = [as_json(r) for r in caplog.records if r.levelno >= logging.ERROR]
    assert line["level"] == "ERROR"
    assert line["message"].startswith("Worker stopped: No queue: set ORDER_EVENTS_QUEUE_URL")


def test_settings_refused_at_start_are_a_json_error_line():
    """Before logging exists (a bad setting): still one JSON ERROR line, not a bare traceback."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "consume_order_events"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "support.example.com",
            "LOG_FORMAT": "json",
            "PHONE_REGIONS": "UK",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    [line] = [json.loads(text) for text in result.stderr.splitlines()]
    assert line["level"] == "ERROR" and line["logger"] == "supporttool.startup"
    assert "PHONE_REGIONS: UK is not an ISO 3166 alpha-2 region code" in line["message"]


def test_the_web_process_reports_refused_settings_as_a_json_error_line_too():
    """gunicorn imports supporttool.wsgi: the same line before gunicorn's own traceback."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import supporttool.wsgi"],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV_FILE": os.devnull, "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    line = json.loads(result.stderr.splitlines()[0])
    assert line["level"] == "ERROR" and "DJANGO_SECRET_KEY" in line["message"]
