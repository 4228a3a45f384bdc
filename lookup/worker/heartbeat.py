"""The worker's liveness signal: one `worker heartbeat` log line a minute, idle or busy.

The queue's age alarm needs a message waiting, so a worker that dies at night, when no orders
arrive, would go unnoticed until the morning's first order. Each worker process logs this line
at INFO every WORKER_HEARTBEAT_SECONDS with `worker_id` (host:pid) and `heartbeat: 1`; a metric
filter on the worker's log group counts them and an alarm fires when fewer arrive than the
expected workers send (infra/, docs/deploy.md).

The line is written by the worker's own loop (`tick` on every turn: a receive, an empty long
poll, a pause while DynamoDB or SQS is out), not by a timer thread, so a loop that hangs stops
beating too. The loop turns at least every long poll (at most 20 s) while things are well, and
the schedule is kept at a fixed rate, so lines come once per interval on average; during a long
outage pause they can be up to a minute and a half apart.
"""

import logging
import os
import socket
import time
from collections.abc import Callable

# The name the heartbeat lines have always carried: log searches and runbooks use it.
logger = logging.getLogger("lookup.heartbeat")

HEARTBEAT_MESSAGE = "worker heartbeat"


def worker_id_current() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    def __init__(
        self,
        *,
        interval_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        worker_id: str | None = None,
    ) -> None:
        self.interval = interval_seconds
        self.clock = clock
        self.worker_id = worker_id or worker_id_current()
        self._due: float | None = None  # the first tick beats at once: "started" is news too

    def tick(self) -> None:
        """Log the heartbeat if it is due."""
        now = self.clock()
        if self._due is not None and now < self._due:
            return
        logger.info(HEARTBEAT_MESSAGE, extra={"worker_id": self.worker_id, "heartbeat": 1})
        # Fixed rate: a late beat does not push the next ones back; after a long pause, one
        # beat, not a burst of the missed ones.
        self._due = now + self.interval if self._due is None else self._due + self.interval
        if self._due <= now:
            self._due = now + self.interval
