"""Fixtures for the ingestion paths: order events and an SQS queue with its dead-letter queue.

The queue is moto's SQS in process (moto implements redrive to the dead-letter queue). DynamoDB
is whatever the `table` fixture chose: on dynalite, moto lets the requests to its loopback
endpoint through untouched.
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from moto import mock_aws

from lookup.domain.times import format_timestamp
from lookup.queue import DLQ_SUFFIX, queue_client, queues_ensure
from tests.factories import NOW

MAX_RECEIVES = 3


def order_event(
    *,
    customer: str = "cust-ana",
    phone: str = "07946 095812",
    country: str = "GB",
    order_id: str | None = None,
    created_at: datetime = NOW,
) -> dict:
    """An order-committed event as the order service publishes it (DESIGN.md section 4)."""
    return {
        "type": "order.committed",
        "id": f"evt_{uuid.uuid4().hex[:12]}",
        "occurredAt": format_timestamp(created_at),
        "order": {
            "id": order_id or f"ord_{uuid.uuid4().hex[:12]}",
            "customerId": customer,
            "country": country,
            "createdAt": format_timestamp(created_at),
            "delivery": {"dropoff": {"phoneNumber": phone}},
        },
    }


def sns_envelope(event: dict) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:order-committed",
            "Message": json.dumps(event),
            "Timestamp": "2026-11-20T12:00:00.000Z",
            "SignatureVersion": "1",
        }
    )


@dataclass
class Queues:
    client: object
    url: str
    dlq_url: str

    def publish(self, *events: dict) -> None:
        for event in events:
            self.send(json.dumps(event))

    def send(self, body: str) -> None:
        self.client.send_message(QueueUrl=self.url, MessageBody=body)

    def depth(self, url: str | None = None) -> int:
        """Messages on a queue, visible or in flight."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=url or self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def visible(self) -> int:
        """Messages on the queue that a receive would get now."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def dead_letters(self) -> list[str]:
        bodies = []
        while True:
            messages = self.client.receive_message(
                QueueUrl=self.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=60
            ).get("Messages", [])
            if not messages:
                return bodies
            bodies += [message["Body"] for message in messages]


@pytest.fixture
def queues(settings) -> Iterator[Queues]:
    """The order-events queue and its dead-letter queue (after MAX_RECEIVES receives)."""
    with mock_aws():
        client = queue_client()
        url = client.create_queue(QueueName=f"order-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        _, dlq_url = queues_ensure(
            client=client, url=url, max_receive_count=MAX_RECEIVES, visibility_timeout=30
        )
        assert dlq_url.endswith(DLQ_SUFFIX)
        settings.ORDER_EVENTS_QUEUE_URL = url
        settings.ORDER_EVENTS_WAIT_SECONDS = 0
        yield Queues(client=client, url=url, dlq_url=dlq_url)
