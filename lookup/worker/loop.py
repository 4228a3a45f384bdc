"""The loop: receive a batch (the next one already coming), ingest it, settle it beside the
next, and pause while SQS or DynamoDB is out."""

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lookup.domain.errors import DirectoryUnavailable
from lookup.queue import OrderEventQueue, QueueUnavailable
from lookup.worker.config import WorkerConfig
from lookup.worker.heartbeat import Heartbeat
from lookup.worker.processing import batch_ingest, batch_storage_down
from lookup.worker.receiving import Receiver
from lookup.worker.report import WorkerReport, report_log
from lookup.worker.settling import Settler
from lookup.worker.stopping import GracefulStop, Interrupted, storage_wait

# The name the worker's lines have always carried: the log group's filters and alarms use it.
logger = logging.getLogger("lookup.worker")


def worker_run(
    *,
    queue: OrderEventQueue,
    config: WorkerConfig,
    stop: GracefulStop | None = None,
    storage_probe: Callable[[], bool] | None = None,
    heartbeat: Heartbeat | None = None,
    on_batch: Callable[[WorkerReport], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> WorkerReport:
    """Receive and handle batches until stopped; with `config.once`, until a receive comes back
    empty.

    With `storage_probe`, a batch of which nothing could be recorded because DynamoDB was down
    pauses receiving until the probe succeeds (see `storage_wait`). With `once` there is no
    pause: DirectoryUnavailable is raised if the probe fails, the events staying queued.
    Raises QueueUnavailable only with `once` (a daemon keeps trying, with a pause).
    """
    total = WorkerReport()

    def settled(report: WorkerReport) -> None:
        report_log(report)
        total.add(report)
        if on_batch is not None:
            on_batch(report)

    concurrency = config.concurrency
    run = _Run(
        config=config,
        stop=stop or GracefulStop(),
        receiver=Receiver(queue=queue, wait_seconds=config.wait_seconds),
        settler=Settler(
            queue=queue,
            retry=config.retry,
            max_receive_count=config.max_receive_count,
            on_settled=settled,
        ),
        pool=ThreadPoolExecutor(max_workers=concurrency) if concurrency > 1 else None,
        storage_probe=storage_probe,
        sleep=sleep,
        heartbeat=heartbeat,
    )
    try:
        run.batches()
    finally:
        try:
            run.settler.close()
        finally:
            run.receiver.give_back()
            if run.pool is not None:
                run.pool.shutdown()
    return total


@dataclass(slots=True)
class _Run:
    config: WorkerConfig
    stop: GracefulStop
    receiver: Receiver
    settler: Settler
    pool: ThreadPoolExecutor | None
    storage_probe: Callable[[], bool] | None
    sleep: Callable[[float], None]
    heartbeat: Heartbeat | None

    def batches(self) -> None:
        once, stop, receiver, settler = self.config.once, self.stop, self.receiver, self.settler
        outage_pause = 1.0
        storage_pause = 1.0
        while not stop.requested:
            if self.heartbeat is not None:
                self.heartbeat.tick()
            if not receiver.has_batch_ready():
                settler.collect()
            try:
                with stop.waiting():
                    # Draining once, an empty receive ends the drain: it must be a real one.
                    messages = receiver.next(confirm_empty=once, before_confirming=settler.collect)
            except Interrupted:
                break
            except QueueUnavailable:
                if once:
                    raise
                settler.collect()
                logger.warning("SQS unavailable; trying again in %.0fs", outage_pause)
                try:
                    with stop.waiting():
                        self.sleep(outage_pause)
                except Interrupted:
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
            handled = batch_ingest(messages=messages, pool=self.pool)
            settler.submit(handled=handled, ingest_seconds=time.monotonic() - started)
            if not batch_storage_down(handled):
                storage_pause = 1.0
                continue
            settler.collect()  # its events released before any pause
            receiver.give_back()  # not to be recorded before DynamoDB answers again
            next_pause = self._storage_down(pause=storage_pause)
            if next_pause is None:
                break
            storage_pause = next_pause

    def _storage_down(self, *, pause: float) -> float | None:
        """The pause to start from next time, or None to stop."""
        if self.storage_probe is None:
            return pause
        if self.config.once:
            if not self.storage_probe():
                raise DirectoryUnavailable("the probe failed too; unrecorded events stay queued")
            return pause
        return storage_wait(
            probe=self.storage_probe,
            stop=self.stop,
            pause=pause,
            sleep=self.sleep,
            heartbeat=self.heartbeat,
        )
