"""Stopping and waiting: SIGTERM/SIGINT, and the pause while DynamoDB is out."""

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lookup.worker.heartbeat import Heartbeat

# The name the worker's lines have always carried: the log group's filters and alarms use it.
logger = logging.getLogger("lookup.worker")


class Interrupted(BaseException):
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
                raise Interrupted
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
            raise Interrupted


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
        except Interrupted:
            return None
        pause = min(pause * 2, max_pause)
        if probe():
            logger.info("DynamoDB answers the probe: receiving again")
            return pause
