"""The order-events worker: SQS messages in, `order_event_ingest` for each, acknowledgements out.

Delivery is at least once and ingestion is idempotent, so the rules are simple:

* a message whose event was recorded (or was already recorded), or skipped (an order with no
  drop-off or account phone: a pickup, say), is deleted, in one DeleteMessageBatch per receive;
* a bad event (not JSON, missing fields, unusable phone) is logged with the reason and made
  visible again at once, so it reaches the queue's maxReceiveCount within seconds and SQS moves
  it to the dead-letter queue: never acknowledged and lost, never retried forever;
* a transient failure (DynamoDB unavailable, or anything unexpected) is left on the queue with
  an exponential backoff visibility; if it keeps failing the same redrive policy ends it in the
  dead-letter queue too;
* when DynamoDB is down (no message of a batch could be recorded, for that reason) the worker
  stops receiving and probes DynamoDB with a growing pause until it answers: every receive
  counts towards the dead-letter queue, so an outage must not spend them.
"""

import logging
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum

from lookup.domain.errors import DirectoryUnavailable, InvalidField
from lookup.domain.evidence import LinkOutcome, OrderSeen
from lookup.events import ACCOUNT_PHONE_FIELD, event_unwrap
from lookup.heartbeat import Heartbeat
from lookup.queue import OrderEventQueue, QueueMessage, QueueUnavailable
from lookup.services.ingestion import order_event_ingest

logger = logging.getLogger(__name__)


class Verdict(StrEnum):
    DONE = "done"  # recorded, or nothing to record (skipped included): acknowledge
    REJECTED = "rejected"  # a bad event: on to the dead-letter queue
    RETRY = "retry"  # transient: try again later


@dataclass(frozen=True, slots=True)
class Handled:
    message: QueueMessage
    verdict: Verdict
    outcome: LinkOutcome | None = None
    reason: str = ""
    storage_down: bool = False  # the retry is DynamoDB's fault, not the message's
    account_phone: bool = False  # recorded with the account phone: the order had no drop-off


@dataclass(slots=True)
class WorkerReport:
    """Counts of one batch, or the running total of a worker."""

    batches: int = 0
    received: int = 0
    outcomes: Counter = field(default_factory=Counter)  # LinkOutcome -> messages
    account_phone: int = 0  # of the recorded: linked with the account phone
    rejected: int = 0
    retried: int = 0
    storage_down: int = 0  # of the retried: DynamoDB could not be reached
    unacknowledged: int = 0  # processed, but SQS refused the delete: it will come back
    seconds: float = 0.0

    def add(self, other: "WorkerReport") -> None:
        self.batches += other.batches
        self.received += other.received
        self.outcomes.update(other.outcomes)
        self.account_phone += other.account_phone
        self.rejected += other.rejected
        self.retried += other.retried
        self.storage_down += other.storage_down
        self.unacknowledged += other.unacknowledged
        self.seconds += other.seconds

    @property
    def skipped(self) -> int:
        return self.outcomes[LinkOutcome.SKIPPED]

    @property
    def recorded(self) -> int:
        return sum(self.outcomes.values()) - self.skipped

    def summary(self) -> str:
        outcomes = ", ".join(
            f"{self.outcomes[outcome]} {outcome.value.replace('_', ' ')}"
            for outcome in LinkOutcome
            if self.outcomes[outcome] and outcome is not LinkOutcome.SKIPPED
        )
        if self.account_phone:
            outcomes += f"; {self.account_phone} with the account phone"
        text = (
            f"{self.received} received: {self.recorded} recorded"
            f"{f' ({outcomes})' if outcomes else ''}, {self.skipped} skipped (no phone), "
            f"{self.rejected} rejected, {self.retried} to retry"
        )
        if self.unacknowledged:
            text += f", {self.unacknowledged} not acknowledged"
        return f"{text} in {self.seconds:.2f}s"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Visibility backoff of a transient failure: base * 2**(receives - 1), capped, jittered."""

    base_seconds: int
    max_seconds: int

    def delay(self, *, receive_count: int) -> int:
        exponential = self.base_seconds * 2 ** min(max(receive_count - 1, 0), 16)
        # Jitter spreads the retries of a whole batch failing at once (an outage).
        return int(min(exponential, self.max_seconds) * random.uniform(0.8, 1.0))  # noqa: S311


def message_handle(message: QueueMessage) -> Handled:
    """Ingest the event a message carries; never raises for a bad or failing message."""
    try:
        result = order_event_ingest(event=event_unwrap(message.body))
    except InvalidField as exc:
        return Handled(message, Verdict.REJECTED, reason=str(exc))
    except DirectoryUnavailable as exc:
        return Handled(
            message, Verdict.RETRY, reason=f"DynamoDB unavailable: {exc}", storage_down=True
        )
    except Exception as exc:
        # A bug, not the message's fault as far as we know: retry like a transient failure,
        # so a fix deployed meanwhile still gets the event; the redrive policy bounds it.
        logger.exception("Unexpected error on message %s", message.message_id)
        return Handled(message, Verdict.RETRY, reason=f"unexpected {type(exc).__name__}")
    return Handled(
        message,
        Verdict.DONE,
        outcome=result.outcome,
        account_phone=isinstance(result.order, OrderSeen)
        and result.order.phone_field == ACCOUNT_PHONE_FIELD,
    )


def batch_ingest(
    *, messages: list[QueueMessage], pool: ThreadPoolExecutor | None = None
) -> list[Handled]:
    """Ingest every message of a batch, in `pool`'s threads when there is one."""
    if pool is not None and len(messages) > 1:
        # Each ingestion is a couple of DynamoDB round trips: overlapping them is most of the
        # throughput. Two events for the same link meet the version condition and re-read.
        return list(pool.map(message_handle, messages))
    return [message_handle(message) for message in messages]


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


class _Interrupted(BaseException):
    """Raised by the signal handler to leave an idle wait; BaseException so no handler eats it."""


class GracefulStop:
    """SIGTERM/SIGINT ask the worker to stop after the batch in hand.

    While the worker only waits (a long poll with nothing received yet, or a pause) the signal
    ends the wait at once: nothing is in hand. Should a batch arrive in that very instant, its
    messages are not lost: they reappear after the queue's visibility timeout.
    """

    def __init__(self) -> None:
        self.requested = False
        self._waiting = False

    @contextmanager
    def installed(self) -> Iterator["GracefulStop"]:
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals only reach the main thread; nothing to install
            return
        previous = {
            sig: signal.signal(sig, self._handle) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def request(self) -> None:
        self.requested = True

    @contextmanager
    def waiting(self) -> Iterator[None]:
        # Mark the wait first, then look: a signal between the two still ends the wait.
        self._waiting = True
        try:
            if self.requested:
                raise _Interrupted
            yield
        finally:
            self._waiting = False

    def _handle(self, signum: int, frame) -> None:
        if not self.requested:
            logger.info(
                "%s received: stopping after the batch in hand", signal.Signals(signum).name
            )
        self.requested = True
        if self._waiting:
            self._waiting = False
            raise _Interrupted


def storage_wait(
    *,
    probe: Callable[[], bool],
    stop: GracefulStop,
    pause: float,
    sleep: Callable[[float], None] = time.sleep,
    max_pause: float = 60.0,
    heartbeat: Heartbeat | None = None,
) -> float | None:
    """After a batch DynamoDB refused: pause receiving, then probe, until the probe succeeds.

    Returns the pause to start from should the next batch fail the same way (so a DynamoDB
    that answers the probe but still refuses the work is given ever longer pauses too), or
    None when a signal asked the worker to stop.
    """
    while True:
        if heartbeat is not None:
            heartbeat.tick()
        logger.warning("DynamoDB unavailable: not receiving; probing again in %.0fs", pause)
        try:
            with stop.waiting():
                sleep(pause)
        except _Interrupted:
            return None
        pause = min(pause * 2, max_pause)
        if probe():
            logger.info("DynamoDB answers the probe: receiving again")
            return pause


def worker_run(
    *,
    queue: OrderEventQueue,
    wait_seconds: int,
    retry: RetryPolicy,
    max_receive_count: int | None,
    once: bool = False,
    concurrency: int = 1,
    stop: GracefulStop | None = None,
    on_batch: Callable[[WorkerReport], None] | None = None,
    storage_probe: Callable[[], bool] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    heartbeat: Heartbeat | None = None,
) -> WorkerReport:
    """Receive and handle batches until stopped; with `once`, until a receive comes back empty.

    With `storage_probe`, a batch of which nothing could be recorded because DynamoDB was down
    pauses receiving until the probe succeeds (see `storage_wait`). With `once` there is no
    pause: DirectoryUnavailable is raised if the probe fails, the events staying queued.
    Raises QueueUnavailable only with `once` (a daemon keeps trying, with a pause).
    """
    stop = stop or GracefulStop()
    total = WorkerReport()

    def settled(report: WorkerReport) -> None:
        logger.info(
            "Batch: %s",
            report.summary(),
            # As fields too, for JSON log lines (LOG_FORMAT=json) and the alarms built on them.
            extra={
                "received": report.received,
                "recorded": report.recorded,
                "skipped": report.skipped,
                "rejected": report.rejected,
                "retried": report.retried,
                "duration_ms": round(report.seconds * 1000, 1),
            },
        )
        total.add(report)
        if on_batch is not None:
            on_batch(report)

    receiver = _Receiver(queue=queue, wait_seconds=wait_seconds)
    settler = _Settler(
        queue=queue, retry=retry, max_receive_count=max_receive_count, on_settled=settled
    )
    pool = ThreadPoolExecutor(max_workers=concurrency) if concurrency > 1 else None
    try:
        _batches(
            receiver=receiver,
            settler=settler,
            pool=pool,
            once=once,
            stop=stop,
            storage_probe=storage_probe,
            sleep=sleep,
            heartbeat=heartbeat,
        )
    finally:
        try:
            settler.close()
        finally:
            receiver.give_back()
            if pool is not None:
                pool.shutdown()
    return total


class _Settler:
    """Settles a batch with SQS (its deletes and releases) on a thread of its own while the
    worker records the next batch: acknowledging is a queue round trip the recording need not
    wait for. Settling is collected (its report logged and counted, on the worker's thread,
    in batch order) before the next batch is settled and whenever the worker would otherwise
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
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="settle")
        self._pending: Future[WorkerReport] | None = None
        self._pending_ingest_seconds = 0.0

    def submit(self, *, handled: list[Handled], ingest_seconds: float) -> None:
        self.collect()
        self._pending = self._thread.submit(
            batch_settle,
            queue=self.queue,
            handled=handled,
            retry=self.retry,
            max_receive_count=self.max_receive_count,
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
        try:
            self.collect()
        finally:
            self._thread.shutdown()


class _Receiver:
    """Receives the next batch while the current one is being recorded, so that the queue's
    round trips overlap DynamoDB's instead of adding to them; a batch received ahead and not
    handled (the worker stopping, DynamoDB going down) is given back to the queue at once."""

    def __init__(self, *, queue: OrderEventQueue, wait_seconds: int) -> None:
        self.queue = queue
        self.wait_seconds = wait_seconds
        self._ahead: threading.Thread | None = None
        self._received: list[QueueMessage] | QueueUnavailable | None = None

    def ahead(self) -> None:
        if self._ahead is None:
            self._received = None
            # A daemon: a long poll in flight must not hold up a stopping process.
            self._ahead = threading.Thread(target=self._receive, daemon=True)
            self._ahead.start()

    def has_batch_ready(self) -> bool:
        """Whether `next` returns without waiting for SQS."""
        return self._ahead is not None and not self._ahead.is_alive()

    def next(
        self, *, confirm_empty: bool = False, before_confirming: Callable[[], None] = lambda: None
    ) -> list[QueueMessage]:
        """The batch received ahead, else one received now. Raises QueueUnavailable.

        With `confirm_empty`, an empty batch received ahead is checked by receiving again,
        after `before_confirming`: it was asked for before the previous batch gave its rejects
        and retries back.
        """
        if self._ahead is None:
            return self.queue.messages_receive(wait_seconds=self.wait_seconds)
        self._ahead.join()
        self._ahead, received = None, self._received
        if isinstance(received, QueueUnavailable):
            raise received
        if not received and confirm_empty:
            before_confirming()
            return self.queue.messages_receive(wait_seconds=self.wait_seconds)
        return received or []

    def give_back(self) -> None:
        """Make a batch received ahead visible again, unhandled. A receive still waiting after
        a second (a long poll on an idle queue) is left: what it may yet bring reappears after
        the queue's visibility timeout."""
        if self._ahead is None:
            return
        self._ahead.join(timeout=1.0)
        if self._ahead.is_alive():
            return
        self._ahead, received = None, self._received
        if isinstance(received, list) and received:
            with suppress(QueueUnavailable):
                self.queue.messages_release(releases=[(message, 0) for message in received])

    def _receive(self) -> None:
        try:
            self._received = self.queue.messages_receive(wait_seconds=self.wait_seconds)
        except QueueUnavailable as exc:
            self._received = exc


def _batches(
    *,
    receiver: _Receiver,
    settler: _Settler,
    pool: ThreadPoolExecutor | None,
    once: bool,
    stop: GracefulStop,
    storage_probe: Callable[[], bool] | None,
    sleep: Callable[[float], None],
    heartbeat: Heartbeat | None = None,
) -> None:
    outage_pause = 1.0
    storage_pause = 1.0
    while not stop.requested:
        if heartbeat is not None:
            heartbeat.tick()
        if not receiver.has_batch_ready():
            settler.collect()
        try:
            with stop.waiting():
                # Draining once, an empty receive ends the drain: it must be a real one.
                messages = receiver.next(confirm_empty=once, before_confirming=settler.collect)
        except _Interrupted:
            break
        except QueueUnavailable:
            if once:
                raise
            settler.collect()
            logger.warning("SQS unavailable; trying again in %.0fs", outage_pause)
            try:
                with stop.waiting():
                    sleep(outage_pause)
            except _Interrupted:
                break
            outage_pause = min(outage_pause * 2, 60.0)
            continue
        outage_pause = 1.0
        if not messages:
            settler.collect()
            if once:
                break
            continue
        receiver.ahead()
        started = time.monotonic()
        handled = batch_ingest(messages=messages, pool=pool)
        settler.submit(handled=handled, ingest_seconds=time.monotonic() - started)
        storage_down = any(h.storage_down for h in handled) and not any(
            h.verdict is Verdict.DONE for h in handled
        )
        if not storage_down:
            storage_pause = 1.0
            continue
        settler.collect()  # its events released before any pause
        receiver.give_back()  # not to be recorded before DynamoDB answers again
        if storage_probe is None:
            continue
        if once:
            if not storage_probe():
                raise DirectoryUnavailable("the probe failed too; unrecorded events stay queued")
        else:
            next_pause = storage_wait(
                probe=storage_probe,
                stop=stop,
                pause=storage_pause,
                sleep=sleep,
                heartbeat=heartbeat,
            )
            if next_pause is None:
                break
            storage_pause = next_pause
