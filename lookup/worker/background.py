"""The worker's one way of running something beside its loop: one call on a thread of its own.

A daemon thread, so a call in flight (a long poll on an idle queue) does not hold up a stopping
process; the caller waits for the result when it needs it.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def background_call(call: Callable[[], T], *, name: str) -> Future[T]:
    """Start `call` now; its result, or what it raised, in the returned future."""
    future: Future[T] = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            result = call()
        except BaseException as exc:  # handed to whoever waits for the future
            future.set_exception(exc)
        else:
            future.set_result(result)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
