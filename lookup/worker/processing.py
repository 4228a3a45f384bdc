"""One message ingested, and a batch of them: what each verdict is, never an exception."""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from lookup.domain.errors import DirectoryUnavailable, InvalidField
from lookup.domain.evidence import LinkOutcome, OrderSeen
from lookup.events import ACCOUNT_PHONE_FIELD, event_unwrap
from lookup.queue import QueueMessage
from lookup.services.ingestion import order_event_ingest

# The name the worker's lines have always carried: the log group's filters and alarms use it.
logger = logging.getLogger("lookup.worker")


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


def batch_storage_down(handled: list[Handled]) -> bool:
    """Nothing of the batch recorded, and DynamoDB was the reason."""
    return any(h.storage_down for h in handled) and not any(
        h.verdict is Verdict.DONE for h in handled
    )
