"""The counts of a batch or of a whole run, as a sentence and as one log line per batch."""

import logging
from collections import Counter
from dataclasses import dataclass, field

from lookup.domain.evidence import LinkOutcome

# The name the worker's lines have always carried: the log group's filters and alarms use it.
logger = logging.getLogger("lookup.worker")


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


def report_log(report: WorkerReport) -> None:
    """The batch's line, at INFO."""
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
