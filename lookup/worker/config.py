"""What one run of the worker is told, from the settings and the command's options."""

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Visibility backoff of a transient failure: base * 2**(receives - 1), capped, jittered."""

    base_seconds: int
    max_seconds: int

    def delay(self, *, receive_count: int) -> int:
        exponential = self.base_seconds * 2 ** min(max(receive_count - 1, 0), 16)
        # Jitter spreads the retries of a whole batch failing at once (an outage).
        return int(min(exponential, self.max_seconds) * random.uniform(0.8, 1.0))  # noqa: S311


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """`once`: drain, ending at the first receive that comes back empty (and never pausing for
    an outage); `concurrency`: messages of a batch ingested at the same time;
    `max_receive_count`: the queue's redrive policy, only for telling the last receive."""

    wait_seconds: int
    retry: RetryPolicy
    max_receive_count: int | None
    once: bool = False
    concurrency: int = 1

    @classmethod
    def from_settings(
        cls,
        settings,
        *,
        max_receive_count: int | None,
        wait_seconds: int | None = None,
        once: bool = False,
        concurrency: int = 1,
    ) -> "WorkerConfig":
        """The command's options over the settings' defaults."""
        if wait_seconds is None:
            wait_seconds = settings.ORDER_EVENTS_WAIT_SECONDS
        return cls(
            wait_seconds=wait_seconds,
            retry=RetryPolicy(
                base_seconds=settings.ORDER_EVENTS_RETRY_BASE_SECONDS,
                max_seconds=settings.ORDER_EVENTS_RETRY_MAX_SECONDS,
            ),
            max_receive_count=max_receive_count,
            once=once,
            concurrency=concurrency,
        )
