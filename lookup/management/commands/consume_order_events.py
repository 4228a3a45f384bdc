import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lookup.domain.errors import DirectoryUnavailable
from lookup.queue import OrderEventQueue, QueueUnavailable, queue_client
from lookup.repository import get_table, table_available
from lookup.worker import GracefulStop, WorkerConfig, worker_run
from lookup.worker.heartbeat import Heartbeat

logger = logging.getLogger("lookup.worker")


class Command(BaseCommand):
    help = (
        "Consume order-committed events from SQS and record each drop-off phone as a link to "
        "its customer. Runs until SIGTERM/SIGINT (it finishes the batch in hand first)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Drain the queue and exit: stop at the first receive that returns nothing.",
        )
        parser.add_argument(
            "--queue-url",
            default=None,
            help="Queue to read (default ORDER_EVENTS_QUEUE_URL).",
        )
        parser.add_argument(
            "--wait-seconds",
            type=int,
            choices=range(21),
            metavar="0-20",
            default=None,
            help="Long-poll wait per receive (default ORDER_EVENTS_WAIT_SECONDS).",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=4,
            help="Messages of a batch ingested in parallel (1-10, default 4).",
        )

    def handle(self, *args, **options) -> None:
        try:
            self._consume(**options)
        except CommandError as exc:
            # Also as a log line (JSON with LOG_FORMAT=json), which the worker-errors alarm
            # counts: Django prints a CommandError as plain text the metric filter ignores,
            # and systemd would restart a worker that cannot start every 10 s, unseen.
            logger.error("Worker stopped: %s", exc)
            raise

    def _consume(self, *, once: bool, queue_url, wait_seconds, concurrency, **options) -> None:
        url = queue_url or settings.ORDER_EVENTS_QUEUE_URL
        if not url:
            raise CommandError("No queue: set ORDER_EVENTS_QUEUE_URL or pass --queue-url.")
        if not 1 <= concurrency <= 10:
            raise CommandError("--concurrency must be between 1 and 10.")
        queue = OrderEventQueue(client=queue_client(), url=url)
        try:
            policy = queue.redrive_policy()
        except QueueUnavailable as exc:
            raise CommandError(f"Could not reach the queue {url}: {exc}") from exc
        if policy is None:
            # Without a dead-letter queue a bad event could only be dropped (lost) or retried
            # forever; refuse rather than pick either.
            raise CommandError(
                f"The queue {url} has no redrive policy (dead-letter queue): bad events would "
                "be retried forever. Configure one (locally: manage.py ensure_queues)."
            )
        self.stdout.write(
            f"Consuming {url} (dead-letter queue after {policy.max_receive_count} receives)"
            + ("; draining once." if once else "; SIGTERM or Ctrl-C stops after the batch.")
        )
        stop = GracefulStop()
        try:
            with stop.installed():
                total = worker_run(
                    queue=queue,
                    config=WorkerConfig.from_settings(
                        settings,
                        max_receive_count=policy.max_receive_count,
                        wait_seconds=wait_seconds,
                        once=once,
                        concurrency=concurrency,
                    ),
                    stop=stop,
                    storage_probe=lambda: table_available(get_table()),
                    heartbeat=None
                    if once
                    else Heartbeat(interval_seconds=settings.WORKER_HEARTBEAT_SECONDS),
                )
        except QueueUnavailable as exc:
            raise CommandError(f"The queue became unreachable: {exc}") from exc
        except DirectoryUnavailable as exc:
            raise CommandError(f"DynamoDB unavailable, stopped the drain: {exc}") from exc
        self.stdout.write(f"Stopped after {total.batches} batches: {total.summary()}")
