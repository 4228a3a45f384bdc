import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from moto import mock_aws

from lookup.queue import queue_client


@pytest.fixture
def queue_url(settings):
    with mock_aws():
        url = queue_client().create_queue(QueueName="order-events")["QueueUrl"]
        settings.ORDER_EVENTS_QUEUE_URL = url
        yield url


def publish(*args) -> str:
    out = StringIO()
    call_command("publish_order_event", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def received(url: str) -> list[str]:
    response = queue_client().receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [message["Body"] for message in response.get("Messages", [])]


def test_publishes_an_order_committed_event(queue_url):
    out = publish(
        "--customer", "cust-1", "--phone", "07946 095812", "--country", "gb",
        "--order-id", "ord_42", "--created-at", "2026-11-28T09:59:58Z",
    )  # fmt: skip

    assert "Published order ord_42 of customer cust-1 with drop-off phone +447946095812" in out
    [body] = received(queue_url)
    event = json.loads(body)
    assert event["type"] == "order.committed" and event["id"].startswith("evt_")
    assert event["order"] == {
        "id": "ord_42",
        "customerId": "cust-1",
        "country": "gb",
        "createdAt": "2026-11-28T09:59:58Z",
        "delivery": {"dropoff": {"phoneNumber": "07946 095812"}},
    }


def test_can_wrap_the_event_in_an_sns_envelope(queue_url):
    publish("--customer", "cust-1", "--phone", "+447946095812", "--country", "GB", "--sns")
    [body] = received(queue_url)
    envelope = json.loads(body)
    assert envelope["Type"] == "Notification"
    assert json.loads(envelope["Message"])["order"]["customerId"] == "cust-1"


def test_an_invalid_event_is_refused_unless_asked_for(queue_url):
    with pytest.raises(CommandError, match="cannot contain letters"):
        publish("--customer", "cust-1", "--phone", "hello", "--country", "GB")
    assert received(queue_url) == []

    publish("--customer", "cust-1", "--phone", "hello", "--country", "GB", "--allow-invalid")
    assert len(received(queue_url)) == 1
