"""`publish_order_event --pickup [--account-phone N]`: orders without a drop-off phone."""

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


def received_order(url: str) -> dict:
    [message] = queue_client().receive_message(QueueUrl=url).get("Messages", [])
    return json.loads(message["Body"])["order"]


def test_a_pickup_with_the_account_phone(queue_url):
    out = publish(
        "--customer", "cust-1", "--pickup", "--account-phone", "07946 095812", "--country", "GB",
        "--order-id", "ord_7",
    )  # fmt: skip

    assert "Published order ord_7 of customer cust-1 with account phone +447946095812" in out
    order = received_order(queue_url)
    assert "delivery" not in order
    assert order["customer"] == {"phoneNumber": "07946 095812"}


def test_a_pickup_without_any_phone_is_published_and_said_to_be_skipped(queue_url):
    out = publish("--customer", "cust-1", "--pickup", "--country", "GB")

    assert "with no phone to link (no drop-off or account phone: the worker skips it)" in out
    order = received_order(queue_url)
    assert "delivery" not in order and "customer" not in order


def test_a_delivery_can_carry_the_account_phone_too(queue_url):
    out = publish(
        "--customer", "cust-1", "--phone", "020 7946 0999", "--account-phone", "07946 095812",
        "--country", "GB",
    )  # fmt: skip

    assert "with drop-off phone +442079460999" in out
    order = received_order(queue_url)
    assert order["delivery"] == {"dropoff": {"phoneNumber": "020 7946 0999"}}
    assert order["customer"] == {"phoneNumber": "07946 095812"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "GB"), "Give --phone"),
        (("--pickup", "--phone", "07946 095812", "--country", "GB"), "leave out --phone"),
        (("--pickup", "--account-phone", "n/a", "--country", "GB"), "order.customer.phoneNumber"),
    ],
    ids=["neither", "both", "garbage account phone"],
)
def test_what_cannot_be_published_says_why(queue_url, args, message):
    with pytest.raises(CommandError, match=message):
        publish("--customer", "cust-1", *args)
    assert queue_client().receive_message(QueueUrl=queue_url).get("Messages", []) == []
