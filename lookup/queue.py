"""The order-events queue (SQS): the only code that knows boto3's SQS calls and shapes.

The worker sees `QueueMessage`s and `QueueUnavailable`; receipt handles stay opaque. The endpoint,
region and credentials come from botocore's own variables (AWS_ENDPOINT_URL_SQS, ...), the queue
URL from settings.
"""

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)

RECEIVE_LIMIT = 10  # SQS's cap on messages per ReceiveMessage and per batch call
MAX_WAIT_SECONDS = 20  # SQS's cap on a long poll
MAX_VISIBILITY_TIMEOUT = 43200  # SQS's cap: 12 hours
DLQ_SUFFIX = "-dlq"
_DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the longest SQS allows: time to look at what failed

F = TypeVar("F", bound=Callable[..., Any])


class QueueUnavailable(Exception):
    """SQS could not be reached or refused the request; try again later."""


@dataclass(frozen=True, slots=True)
class QueueMessage:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int  # 1 on the first delivery


@dataclass(frozen=True, slots=True)
class RedrivePolicy:
    dead_letter_queue_arn: str
    max_receive_count: int


# Refusals that last until someone acts, though SQS answers them with a 4xx like any refusal.
_TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "RequestThrottled",
    "AWS.SimpleQueueService.RequestThrottled",
    "RequestTimeout",
}


def queue_error_transient(exc: Exception) -> bool:
    """Whether an SQS failure may pass by itself (the network, SQS's own 5xx, throttling), as
    opposed to a refusal that lasts until someone acts: permissions (AccessDenied, an
    unrecognised or invalid token), a queue that does not exist, a KMS key the role may not use.
    """
    if not isinstance(exc, ClientError):
        return True
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    code = exc.response.get("Error", {}).get("Code", "")
    return code in _TRANSIENT_CODES or not 400 <= status < 500


def _queue_errors_as_unavailable(method: F) -> F:
    @wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            if queue_error_transient(exc):
                logger.warning("SQS call %s failed: %s", method.__name__, exc)
            else:
                # ERROR, so the worker-errors alarm fires: nothing improves until the role, the
                # policy or the queue URL is fixed. The caller still backs off and retries, so
                # an IAM fix takes effect without a restart.
                logger.error(
                    "SQS call %s refused (permissions or configuration; retrying with backoff): %s",
                    method.__name__,
                    exc,
                )
            raise QueueUnavailable(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def queue_client():
    """An SQS client configured like the DynamoDB one: short connect, bounded retries.

    The read timeout outlasts the longest long-poll SQS allows (20 s) whatever `--wait-seconds`
    says, or every idle receive would fail.
    """
    return boto3.session.Session().client(
        "sqs",
        config=Config(
            connect_timeout=2,
            read_timeout=MAX_WAIT_SECONDS + 10,
            retries={"mode": "standard", "max_attempts": 3},
        ),
    )


def queue_name_from_url(url: str) -> str:
    """The queue name is the URL's last path segment (https://sqs.<region>.../<account>/<name>)."""
    head, _, name = url.rstrip("/").rpartition("/")
    if not head or not name:
        raise ValueError(f"Not a queue URL: {url!r}")
    return name


class OrderEventQueue:
    """Receive, acknowledge, release and publish order-committed events on one queue."""

    def __init__(self, *, client, url: str) -> None:
        if not url:
            raise ValueError("No queue URL: set ORDER_EVENTS_QUEUE_URL.")
        self.client = client
        self.url = url

    @_queue_errors_as_unavailable
    def messages_receive(self, *, wait_seconds: int) -> list[QueueMessage]:
        response = self.client.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=RECEIVE_LIMIT,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        return [
            QueueMessage(
                message_id=message["MessageId"],
                receipt_handle=message["ReceiptHandle"],
                body=message.get("Body", ""),
                receive_count=int(message.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
            )
            for message in response.get("Messages", [])
        ]

    @_queue_errors_as_unavailable
    def messages_delete(self, *, messages: Sequence[QueueMessage]) -> list[QueueMessage]:
        """Acknowledge messages; returns those SQS did not delete (they will come back)."""
        failed: list[QueueMessage] = []
        for chunk in _chunks(messages):
            response = self.client.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message.receipt_handle}
                    for index, message in enumerate(chunk)
                ],
            )
            failed += _failed_entries(chunk, response, "delete")
        return failed

    @_queue_errors_as_unavailable
    def messages_release(
        self, *, releases: Sequence[tuple[QueueMessage, int]]
    ) -> list[QueueMessage]:
        """Make messages visible again after the given seconds; returns those SQS refused.

        A refused release is harmless: the message reappears after the queue's own visibility
        timeout instead.
        """
        failed: list[QueueMessage] = []
        for chunk in _chunks(releases):
            response = self.client.change_message_visibility_batch(
                QueueUrl=self.url,
                Entries=[
                    {
                        "Id": str(index),
                        "ReceiptHandle": message.receipt_handle,
                        "VisibilityTimeout": max(0, min(seconds, MAX_VISIBILITY_TIMEOUT)),
                    }
                    for index, (message, seconds) in enumerate(chunk)
                ],
            )
            failed += _failed_entries([m for m, _ in chunk], response, "release")
        return failed

    @_queue_errors_as_unavailable
    def redrive_policy(self) -> RedrivePolicy | None:
        """The queue's dead-letter configuration, or None when it has none."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["RedrivePolicy"]
        ).get("Attributes", {})
        raw = attributes.get("RedrivePolicy")
        if not raw:
            return None
        policy = json.loads(raw)
        return RedrivePolicy(
            dead_letter_queue_arn=policy["deadLetterTargetArn"],
            max_receive_count=int(policy["maxReceiveCount"]),
        )

    @_queue_errors_as_unavailable
    def event_send(self, *, body: str) -> str:
        """Publish one message body; returns its message id."""
        return self.client.send_message(QueueUrl=self.url, MessageBody=body)["MessageId"]

    @_queue_errors_as_unavailable
    def events_send(self, *, bodies: Iterable[str]) -> int:
        """Publish many bodies, ten per SendMessageBatch; returns how many were accepted."""
        sent = 0
        for chunk in _chunks(list(bodies)):
            pending = list(enumerate(chunk))
            for _attempt in range(5):
                response = self.client.send_message_batch(
                    QueueUrl=self.url,
                    Entries=[{"Id": str(index), "MessageBody": body} for index, body in pending],
                )
                sent += len(response.get("Successful", []))
                failed_ids = {entry["Id"] for entry in response.get("Failed", [])}
                pending = [(index, body) for index, body in pending if str(index) in failed_ids]
                if not pending:
                    break
            else:
                raise QueueUnavailable(f"SQS refused {len(pending)} messages repeatedly.")
        return sent


@_queue_errors_as_unavailable
def queues_ensure(
    *, client, url: str, max_receive_count: int, visibility_timeout: int
) -> tuple[list[str], str]:
    """Create the queue and its dead-letter queue if missing and wire the redrive policy.

    For local runs and tests; in production the queues are infrastructure. Idempotent: returns
    what it changed (empty when nothing) and the dead-letter queue's URL.
    """
    name = queue_name_from_url(url)
    actions: list[str] = []
    dlq_url, created = _queue_get_or_create(client, f"{name}{DLQ_SUFFIX}")
    if created:
        actions.append(f"created dead-letter queue {dlq_url}")
    client.set_queue_attributes(
        QueueUrl=dlq_url, Attributes={"MessageRetentionPeriod": str(_DLQ_RETENTION_SECONDS)}
    )
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]

    queue_url, created = _queue_get_or_create(client, name)
    if created:
        actions.append(f"created queue {queue_url}")
    wanted = {
        "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
        ),
        "VisibilityTimeout": str(visibility_timeout),
    }
    current = client.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
    ).get("Attributes", {})
    if _redrive(current.get("RedrivePolicy")) != _redrive(wanted["RedrivePolicy"]) or str(
        current.get("VisibilityTimeout")
    ) != str(visibility_timeout):
        client.set_queue_attributes(QueueUrl=queue_url, Attributes=wanted)
        actions.append(
            f"set redrive policy of {name}: dead-letter queue {name}{DLQ_SUFFIX} after "
            f"{max_receive_count} receives, visibility timeout {visibility_timeout}s"
        )
    return actions, dlq_url


def _queue_get_or_create(client, name: str) -> tuple[str, bool]:
    try:
        return client.get_queue_url(QueueName=name)["QueueUrl"], False
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if "NonExistentQueue" not in code and "QueueDoesNotExist" not in code:
            raise
    return client.create_queue(QueueName=name)["QueueUrl"], True


def _redrive(raw: str | None) -> tuple[str, int] | None:
    if not raw:
        return None
    policy = json.loads(raw)
    return policy.get("deadLetterTargetArn"), int(policy.get("maxReceiveCount", 0))


def _chunks(items: Sequence) -> Iterable[Sequence]:
    for start in range(0, len(items), RECEIVE_LIMIT):
        yield items[start : start + RECEIVE_LIMIT]


def _failed_entries(
    chunk: Sequence[QueueMessage], response: dict[str, Any], action: str
) -> list[QueueMessage]:
    failed = []
    for entry in response.get("Failed", []):
        message = chunk[int(entry["Id"])]
        logger.warning(
            "SQS could not %s message %s: %s %s",
            action,
            message.message_id,
            entry.get("Code"),
            entry.get("Message", ""),
        )
        failed.append(message)
    return failed
