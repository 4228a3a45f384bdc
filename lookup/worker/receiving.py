"""The next batch received while the current one is being recorded."""

import logging
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as futures_wait
from contextlib import suppress

from lookup.queue import OrderEventQueue, QueueMessage, QueueUnavailable
from lookup.worker.background import background_call

# The name the worker's lines have always carried: the log group's filters and alarms use it.
logger = logging.getLogger("lookup.worker")


class Receiver:
    """Receives the next batch while the current one is being recorded, so that the queue's
    round trips overlap DynamoDB's instead of adding to them; a batch received ahead and not
    handled (the worker stopping, DynamoDB going down) is given back to the queue at once."""

    def __init__(self, *, queue: OrderEventQueue, wait_seconds: int) -> None:
        self.queue = queue
        self.wait_seconds = wait_seconds
        self._ahead: Future[list[QueueMessage] | QueueUnavailable | None] | None = None

    def ahead(self) -> None:
        if self._ahead is None:
            self._ahead = background_call(self._receive, name="receive")

    def has_batch_ready(self) -> bool:
        """Whether `next` returns without waiting for SQS."""
        return self._ahead is not None and self._ahead.done()

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
        received = self._ahead.result()
        self._ahead = None
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
        futures_wait([self._ahead], timeout=1.0)
        if not self._ahead.done():
            return
        ahead, self._ahead = self._ahead, None
        received = ahead.result()
        if isinstance(received, list) and received:
            with suppress(QueueUnavailable):
                self.queue.messages_release(releases=[(message, 0) for message in received])

    def _receive(self) -> list[QueueMessage] | QueueUnavailable | None:
        try:
            return self.queue.messages_receive(wait_seconds=self.wait_seconds)
        except QueueUnavailable as exc:
            return exc
        except Exception:
            # Not SQS refusing but a bug: the loop goes on as after an empty receive, and the
            # next receive, made on the loop's own thread, raises it where it can be seen.
            logger.exception("Unexpected error receiving the next batch ahead")
            return None
