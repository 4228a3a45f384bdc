"""A handled batch settled with SQS: the done deleted, the rejected released at once towards
the dead-letter queue, the failed released with a backoff; on a thread beside the loop."""

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress

from lookup.queue import OrderEventQueue, QueueMessage, QueueUnavailable
from lookup.worker.background import background_call
from lookup.worker.config import RetryPolicy
from lookup.worker.processing import Handled, Verdict
from lookup.worker.report import WorkerReport

# The name the worker's lines have always carried: the log group's filters and alarms use it.
logger = logging.getLogger("lookup.worker")


def batch_settle(
    *,
    queue: OrderEventQueue,
    handled: list[Handled],
    retry: RetryPolicy,
    max_receive_count: int | None,
) -> WorkerReport:
    """Settle every message of a handled batch with SQS: delete the done, release the rest."""
    started = time.monotonic()
    report = WorkerReport(batches=1, received=len(handled))
    done = [h.message for h in handled if h.verdict is Verdict.DONE]
    releases: list[tuple[QueueMessage, int]] = []
    for h in handled:
        if h.verdict is Verdict.DONE:
            report.outcomes[h.outcome] += 1
            report.account_phone += h.account_phone
        elif h.verdict is Verdict.REJECTED:
            report.rejected += 1
            releases.append((h.message, 0))
            last = max_receive_count and h.message.receive_count >= max_receive_count
            logger.error(
                "Rejected order event in message %s (receive %d%s%s): %s",
                h.message.message_id,
                h.message.receive_count,
                f" of {max_receive_count}" if max_receive_count else "",
                ", the next receive moves it to the dead-letter queue" if last else "",
                h.reason,
            )
        else:
            report.retried += 1
            report.storage_down += h.storage_down
            delay = retry.delay(receive_count=h.message.receive_count)
            releases.append((h.message, delay))
            if max_receive_count and h.message.receive_count >= max_receive_count:
                logger.error(
                    "Message %s failed on its last receive (%d of %d): SQS moves it to the "
                    "dead-letter queue instead of delivering it again: %s",
                    h.message.message_id,
                    h.message.receive_count,
                    max_receive_count,
                    h.reason,
                )
            else:
                logger.warning(
                    "Will retry message %s in %ds (receive %d): %s",
                    h.message.message_id,
                    delay,
                    h.message.receive_count,
                    h.reason,
                )
    try:
        report.unacknowledged = len(queue.messages_delete(messages=done)) if done else 0
    except QueueUnavailable:
        # Recorded but not acknowledged: redelivered later, and recording is idempotent.
        report.unacknowledged = len(done)
    if releases:
        # If SQS refuses, they reappear after the queue's visibility timeout instead.
        with suppress(QueueUnavailable):
            queue.messages_release(releases=releases)
    report.seconds = time.monotonic() - started
    return report


class Settler:
    """Settles a batch with SQS (its deletes and releases) beside the loop while the worker
    records the next batch: acknowledging is a queue round trip the recording need not wait
    for. Settling is collected (its report logged and counted, on the worker's thread, in
    batch order) before the next batch is settled and whenever the worker would otherwise
    wait: for a receive, a pause, its end."""

    def __init__(
        self,
        *,
        queue: OrderEventQueue,
        retry: RetryPolicy,
        max_receive_count: int | None,
        on_settled: Callable[[WorkerReport], None],
    ) -> None:
        self.queue = queue
        self.retry = retry
        self.max_receive_count = max_receive_count
        self.on_settled = on_settled
        self._pending: Future[WorkerReport] | None = None
        self._pending_ingest_seconds = 0.0

    def submit(self, *, handled: list[Handled], ingest_seconds: float) -> None:
        self.collect()
        self._pending = background_call(
            lambda: batch_settle(
                queue=self.queue,
                handled=handled,
                retry=self.retry,
                max_receive_count=self.max_receive_count,
            ),
            name="settle",
        )
        self._pending_ingest_seconds = ingest_seconds

    def collect(self) -> None:
        """Wait for the batch being settled, if any, and report it."""
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        report = pending.result()
        report.seconds += self._pending_ingest_seconds
        self.on_settled(report)

    def close(self) -> None:
        self.collect()
