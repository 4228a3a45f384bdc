"""infra/phone-lookup.yaml: lint-clean, the key schema the app relies on, queues and alarms as
docs/deploy.md describes them, and deployable (on moto's CloudFormation) with the app running on
what it creates."""

import io
import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from lookup.queue import DLQ_SUFFIX
from lookup.repository import get_table
from lookup.repository.schema import table_ensure
from tests.infra.drive import aws_sandbox, stack_deploy
from tests.infra.iam import COMPONENT_POLICIES
from tests.infra.template import REGION, TEMPLATE, Stack

TOPIC = "arn:aws:sns:us-east-1:210987654321:order-committed"


def test_cfn_lint_passes_with_informational_checks():
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _table_shape(description: dict) -> dict:
    """The parts of a table that are the contract with the other services' writes."""
    return {
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in description["AttributeDefinitions"]
        ),
        "keys": [(k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]],
        "indexes": [
            (
                index["IndexName"],
                [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]],
                index["Projection"]["ProjectionType"],
            )
            for index in description["GlobalSecondaryIndexes"]
        ],
    }


def test_the_table_has_the_key_schema_the_app_creates_locally(moto_table):
    """Same keys, index and projection as `ensure_table` (the local stack's table) makes."""
    local = moto_table.client.describe_table(TableName=moto_table.name)["Table"]
    table = Stack(parameters={"IndexName": settings.DYNAMODB_INDEX_NAME}).properties("Table")
    assert _table_shape(table) == _table_shape(local)
    assert _table_shape(table) == {
        "attributes": [("pk", "S"), ("pk2", "S"), ("sk", "S"), ("sk2", "S")],
        "keys": [("pk", "HASH"), ("sk", "RANGE")],
        "indexes": [("gsi1", [("pk2", "HASH"), ("sk2", "RANGE")], "ALL")],
    }


def test_the_table_is_protected_encrypted_and_on_demand():
    stack = Stack()
    table = stack.properties("Table")
    assert table["TableName"] == "phone-lookup"
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True
    assert table["SSESpecification"] == {"SSEEnabled": True}
    resource = stack.resources()["Table"]
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_an_existing_table_is_referenced_not_created():
    stack = Stack(parameters={"CreateTable": "false", "TableName": "shared-users"})
    assert "Table" not in stack.resources()
    assert stack.outputs()["TableArn"] == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/shared-users"
    )
    web = stack.properties("WebPolicy")["PolicyDocument"]["Statement"]
    assert web[1]["Resource"] == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/shared-users/index/gsi1"
    )


def test_the_queue_dead_letters_after_the_receives_the_worker_expects():
    stack = Stack()
    queue = stack.properties("OrderEventsQueue")
    dlq = stack.properties("DeadLetterQueue")
    assert dlq["QueueName"] == f"{queue['QueueName']}{DLQ_SUFFIX}"
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": ("arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events-dlq"),
        # The local stack's defaults (ensure_queues), so both behave alike.
        "maxReceiveCount": str(settings.ORDER_EVENTS_MAX_RECEIVE_COUNT),
    }
    assert queue["VisibilityTimeout"] == str(settings.ORDER_EVENTS_VISIBILITY_TIMEOUT)
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert dlq["RedriveAllowPolicy"] == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": ["arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events"],
    }

    tuned = Stack(parameters={"MaxReceiveCount": "8", "VisibilityTimeout": "120"})
    queue = tuned.properties("OrderEventsQueue")
    assert (queue["RedrivePolicy"]["maxReceiveCount"], queue["VisibilityTimeout"]) == ("8", "120")


def test_without_a_topic_there_is_no_subscription_and_only_tls_is_allowed():
    stack = Stack()
    assert "OrderEventsSubscription" not in stack.resources()
    statements = stack.properties("QueuePolicy")["PolicyDocument"]["Statement"]
    assert [s["Sid"] for s in statements] == ["DenyInsecureTransport"]
    assert statements[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("raw", ["true", "false"])
def test_the_order_topic_subscription_delivers_raw_or_in_an_envelope(raw):
    stack = Stack(parameters={"OrderEventsTopicArn": TOPIC, "RawMessageDelivery": raw})
    subscription = stack.properties("OrderEventsSubscription")
    assert subscription == {
        "TopicArn": TOPIC,
        "Region": "us-east-1",
        "Protocol": "sqs",
        "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events",
        "RawMessageDelivery": raw,
        "FilterPolicyScope": "MessageBody",
        "FilterPolicy": {"type": ["order.committed"]},
    }
    sends = stack.properties("QueuePolicy")["PolicyDocument"]["Statement"][1]
    assert sends == {
        "Sid": "OrderEventsTopicSends",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events",
        "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}},
    }


def test_the_subscription_filter_can_be_turned_off():
    stack = Stack(parameters={"OrderEventsTopicArn": TOPIC, "OnlyOrderCommitted": "false"})
    subscription = stack.properties("OrderEventsSubscription")
    assert "FilterPolicy" not in subscription and "FilterPolicyScope" not in subscription


def _alarms(stack: Stack) -> dict[str, dict]:
    return {
        logical: stack.properties(logical)
        for logical in stack.resources_of_type("AWS::CloudWatch::Alarm")
    }


def test_the_alarms_watch_the_dead_letters_the_backlog_and_the_worker_errors():
    stack = Stack(parameters={"OldestMessageAgeThreshold": "600"})
    alarms = _alarms(stack)
    topic = stack.resolve({"Ref": "AlarmTopic"})
    watched = {
        (a["Namespace"], a["MetricName"], json.dumps(a.get("Dimensions", [])), a["Threshold"])
        for a in alarms.values()
    }
    assert watched == {
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            '[{"Name": "QueueName", "Value": "phone-lookup-order-events-dlq"}]',
            0,
        ),
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            '[{"Name": "QueueName", "Value": "phone-lookup-order-events"}]',
            "600",
        ),
        ("PhoneLookup/phone-lookup", "WorkerErrors", "[]", "0"),
    }
    for alarm in alarms.values():
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
        assert alarm["TreatMissingData"] == "notBreaching"


def test_worker_errors_are_counted_from_its_log_group():
    stack = Stack()
    metric_filter = stack.properties("WorkerErrorsMetricFilter")
    assert metric_filter["LogGroupName"] == "/phone-lookup/worker"
    assert metric_filter["FilterPattern"] == '{ ($.level = "ERROR") || ($.level = "CRITICAL") }'
    (transformation,) = metric_filter["MetricTransformations"]
    alarm = stack.properties("WorkerErrorsAlarm")
    assert (transformation["MetricNamespace"], transformation["MetricName"]) == (
        alarm["Namespace"],
        alarm["MetricName"],
    )
    assert stack.properties("WorkerLogGroup")["RetentionInDays"] == "30"

    existing = Stack(
        parameters={"CreateWorkerLogGroup": "false", "WorkerLogGroupName": "/ecs/worker"}
    )
    assert "WorkerLogGroup" not in existing.resources()
    assert existing.properties("WorkerErrorsMetricFilter")["LogGroupName"] == "/ecs/worker"


def test_alarm_email_and_role_attachments_are_optional():
    plain = Stack()
    assert "AlarmEmailSubscription" not in plain.resources()
    assert all("Roles" not in plain.properties(p) for p in COMPONENT_POLICIES.values())

    wired = Stack(
        parameters={
            "AlarmEmail": "oncall@example.com",
            "WebRoleName": "phone-lookup-web",
            "WorkerRoleName": "phone-lookup-worker",
            "BatchRoleName": "phone-lookup-batch",
        }
    )
    assert wired.properties("AlarmEmailSubscription")["Endpoint"] == "oncall@example.com"
    assert {
        component: wired.properties(policy)["Roles"]
        for component, policy in COMPONENT_POLICIES.items()
    } == {
        "web": ["phone-lookup-web"],
        "worker": ["phone-lookup-worker"],
        "batch": ["phone-lookup-batch"],
    }


# --- deployed on moto's CloudFormation -----------------------------------------------------------


def _deployed_policy(outputs: dict[str, str], component: str) -> dict:
    iam = boto3.client("iam", region_name=REGION)
    arn = outputs[f"{COMPONENT_POLICIES[component]}Arn"]
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def test_the_stack_deploys_and_the_app_runs_on_what_it_created():
    stack = Stack()
    with aws_sandbox():
        outputs = stack_deploy()
        # CloudFormation's own reading of the template agrees with the one the tests check.
        for component in COMPONENT_POLICIES:
            assert (
                _deployed_policy(outputs, component)
                == stack.properties(COMPONENT_POLICIES[component])["PolicyDocument"]
            )
        expected = stack.outputs()
        for name in ("TableName", "TableArn", "IndexName", "QueueUrl", "QueueArn"):
            assert outputs[name] == expected[name]
        assert outputs["DeadLetterQueueUrl"] == expected["DeadLetterQueueUrl"]

        with override_settings(
            DYNAMODB_TABLE_NAME=outputs["TableName"],
            DYNAMODB_INDEX_NAME=outputs["IndexName"],
            ORDER_EVENTS_QUEUE_URL=outputs["QueueUrl"],
            ORDER_EVENTS_WAIT_SECONDS=0,
        ):
            get_table.cache_clear()
            # The table is complete as the app needs it: ensure_table has nothing to do.
            assert table_ensure(table=get_table()) == []
            out = io.StringIO()
            call_command("consume_order_events", "--once", stdout=out)
            assert "dead-letter queue after 5 receives" in out.getvalue()


def test_with_an_existing_table_the_stack_creates_none():
    with aws_sandbox():
        outputs = stack_deploy(parameters={"CreateTable": "false"})
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            boto3.client("dynamodb", region_name=REGION).describe_table(
                TableName=outputs["TableName"]
            )
        assert outputs["TableArn"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/phone-lookup"
