import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from moto import mock_aws

from lookup.queue import queue_client

URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/order-events"


def run(*args) -> str:
    out = StringIO()
    call_command("ensure_queues", *args, stdout=out)
    return out.getvalue()


def redrive_of(client, name: str) -> dict:
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return json.loads(attributes["RedrivePolicy"])


@mock_aws
def test_creates_the_queue_and_its_dead_letter_queue_then_does_nothing(settings):
    settings.ORDER_EVENTS_QUEUE_URL = URL
    settings.ORDER_EVENTS_MAX_RECEIVE_COUNT = 4

    first = run()
    assert "created dead-letter queue" in first and "created queue" in first
    assert "after 4 receives" in first
    assert "are in place" in run()

    client = queue_client()
    policy = redrive_of(client, "order-events")
    assert policy["maxReceiveCount"] == 4
    assert policy["deadLetterTargetArn"].endswith(":order-events-dlq")


@mock_aws
def test_a_new_max_receive_count_updates_the_policy(settings):
    settings.ORDER_EVENTS_QUEUE_URL = URL
    run()
    assert "after 7 receives" in run("--max-receive-count", "7")
    assert redrive_of(queue_client(), "order-events")["maxReceiveCount"] == 7


def test_without_a_queue_url_it_says_what_to_set(settings):
    settings.ORDER_EVENTS_QUEUE_URL = ""
    with pytest.raises(CommandError, match="ORDER_EVENTS_QUEUE_URL"):
        run()


def test_an_unreachable_sqs_is_a_clear_command_error(settings, monkeypatch):
    settings.ORDER_EVENTS_QUEUE_URL = URL
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9")
    with pytest.raises(CommandError, match="Could not ensure the queues"):
        run()


@pytest.mark.parametrize("receives", ["0", "1001"])
def test_a_max_receive_count_out_of_range_is_refused(settings, receives):
    settings.ORDER_EVENTS_QUEUE_URL = URL
    with pytest.raises(CommandError, match="between 1 and 1000"):
        run("--max-receive-count", receives)
