"""The recorder (tests/aws_recorder.py): who made a call, and what it was about."""

import json

import boto3
import pytest
from moto import mock_aws

from lookup.queue import OrderEventQueue, queue_client
from lookup.worker import RetryPolicy, WorkerConfig, worker_run
from tests.aws_recorder import (
    CONFIGURED,
    DEAD_LETTER,
    OTHER,
    WORKER,
    AwsCall,
    AwsResource,
    resources_of,
)
from tests.ingestion.conftest import order_event

SQS = "https://sqs.eu-west-1.amazonaws.com/123456789012"


def test_a_call_from_test_code_belongs_to_no_component(moto_table, aws_recorder):
    with aws_recorder.capture() as calls:
        moto_table.client.describe_table(TableName=moto_table.name)
    assert calls == [
        AwsCall(
            component=None,
            service="dynamodb",
            operation="DescribeTable",
            resources=(AwsResource("table", moto_table.name, role=CONFIGURED),),
        )
    ]


def test_messages_handled_in_the_worker_s_thread_pool_are_the_worker_s(moto_table, aws_recorder):
    with mock_aws():
        client = queue_client()
        url = client.create_queue(QueueName="order-events")["QueueUrl"]
        for customer in ("cust-1", "cust-2", "cust-3"):
            client.send_message(
                QueueUrl=url, MessageBody=json.dumps(order_event(customer=customer))
            )
        with aws_recorder.capture() as calls:
            # Three messages at concurrency 3: recorded in the pool's threads, received ahead
            # and acknowledged on threads of their own.
            worker_run(
                config=WorkerConfig(
                    wait_seconds=0,
                    retry=RetryPolicy(base_seconds=1, max_seconds=1),
                    max_receive_count=3,
                    once=True,
                    concurrency=3,
                ),
                queue=OrderEventQueue(client=client, url=url),
            )
    assert len([call for call in calls if call.operation == "PutItem"]) == 3
    assert {"ReceiveMessage", "DeleteMessageBatch"} <= {call.operation for call in calls}
    assert {call.component for call in calls} == {WORKER}


@pytest.mark.parametrize(
    ("params", "role"),
    [
        ({"TableName": "phone-lookup-test"}, CONFIGURED),
        ({"TableName": "phone-lookup-test", "IndexName": "gsi1"}, CONFIGURED),
        ({"TableName": "phone-lookup-test", "IndexName": "another-index"}, OTHER),
        ({"TableName": "someone-elses"}, OTHER),
        ({"RequestItems": {"phone-lookup-test": {}}}, CONFIGURED),
    ],
)
def test_a_table_s_role_follows_the_settings_at_the_time_of_the_call(settings, params, role):
    settings.DYNAMODB_TABLE_NAME = "phone-lookup-test"
    settings.DYNAMODB_INDEX_NAME = "gsi1"
    (resource,) = resources_of("dynamodb", params)
    assert resource.role == role


@pytest.mark.parametrize(
    ("url", "role"),
    [
        (f"{SQS}/order-events", CONFIGURED),
        (f"{SQS}/order-events-dlq", DEAD_LETTER),
        (f"{SQS}/no-dlq", OTHER),
        ("https://sqs.eu-west-1.amazonaws.com/210987654321/order-events", OTHER),
    ],
)
def test_a_queue_s_role_follows_the_settings_at_the_time_of_the_call(settings, url, role):
    settings.ORDER_EVENTS_QUEUE_URL = f"{SQS}/order-events"
    (resource,) = resources_of("sqs", {"QueueUrl": url})
    assert (resource.name, resource.role) == (url, role)


def test_no_configured_queue_means_every_queue_is_another(settings):
    settings.ORDER_EVENTS_QUEUE_URL = ""
    (resource,) = resources_of("sqs", {"QueueUrl": f"{SQS}/order-events"})
    assert resource.role == OTHER


def test_every_client_is_recorded_whoever_creates_it(aws_recorder):
    with mock_aws(), aws_recorder.capture() as calls:
        boto3.session.Session().client("sqs", region_name="eu-west-1").list_queues()
    assert [(call.service, call.operation, call.resources) for call in calls] == [
        ("sqs", "ListQueues", ())
    ]
