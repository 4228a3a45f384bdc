"""A token bucket of read capacity units shared by a scan's threads (`review_scan --rate`).

A page's cost is known only once DynamoDB reports it (ReturnConsumedCapacity), so each thread
waits until the bucket is not in debt, reads a page, then spends what the page consumed: the
scan's rate over any stretch of time stays within `rate` plus one page per thread.
"""

import threading
import time
from collections.abc import Callable


class CapacityBucket:
    def __init__(
        self,
        *,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tokens = rate  # one second's worth to start with
        self._at = clock()
        self.spent = 0.0  # every unit reported, for the summary
        self.waited = 0.0  # seconds the threads were held back, together

    def wait(self) -> None:
        """Return once the bucket holds capacity again (no debt left)."""
        while True:
            with self._lock:
                self._refill()
                if self._tokens > 0:
                    return
                pause = -self._tokens / self.rate + 0.001
                self.waited += pause
            self._sleep(pause)

    def spend(self, units: float) -> None:
        with self._lock:
            self._refill()
            self._tokens -= units
            self.spent += units

    def _refill(self) -> None:
        now = self._clock()
        # At most one second banked: a pause does not buy a burst later.
        self._tokens = min(self.rate, self._tokens + (now - self._at) * self.rate)
        self._at = now
