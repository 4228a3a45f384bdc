"""Every command that writes says which table, queue or database, in which AWS account, first."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from moto import mock_aws

from lookup.queue import queue_client
from lookup.repository import get_table
from lookup.targets import aws_account_describe, endpoint_is_aws
from tests.ingestion.conftest import order_event

MOTO_ACCOUNT = "AWS account 123456789012 as arn:aws:sts::123456789012:user/moto"


def first_line(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue().splitlines()[0]


@pytest.mark.parametrize(
    ("url", "aws"),
    [
        ("https://dynamodb.eu-west-1.amazonaws.com", True),
        ("https://sqs.eu-west-1.amazonaws.com", True),
        ("https://dynamodb.cn-north-1.amazonaws.com.cn", True),
        ("https://dynamodb.eu-west-1.api.aws", True),
        ("http://127.0.0.1:4567", False),
        ("http://localhost:4566", False),
        ("http://amazonaws.com.example.org", False),
    ],
)
def test_aws_own_endpoints_are_told_from_local_ones(url, aws):
    assert endpoint_is_aws(endpoint_url=url) is aws


def test_a_local_endpoint_is_named_without_asking_sts(monkeypatch):
    # An STS that cannot be reached would show in the answer if it were asked.
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    assert aws_account_describe(endpoint_url="http://127.0.0.1:4567") == (
        "local endpoint http://127.0.0.1:4567"
    )


def test_an_aws_endpoint_without_sts_says_the_account_is_unknown(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    described = aws_account_describe(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com")
    assert described.startswith("an AWS account STS would not name (")


@mock_aws
def test_ensure_table_names_the_table_and_account(settings):
    settings.DYNAMODB_TABLE_NAME = "announced-table"
    assert first_line("ensure_table") == (
        f"Ensuring DynamoDB table announced-table (eu-west-1) in {MOTO_ACCOUNT}."
    )


@pytest.mark.dynalite
def test_ensure_table_names_a_local_endpoint(dynalite_table):
    endpoint = dynalite_table.client.meta.endpoint_url
    assert first_line("ensure_table") == (
        f"Ensuring DynamoDB table {dynalite_table.name} (eu-west-1) in local endpoint {endpoint}."
    )


@mock_aws
def test_ensure_queues_names_the_queue_and_account(settings):
    settings.ORDER_EVENTS_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/announced"
    assert first_line("ensure_queues") == (
        f"Ensuring SQS queue {settings.ORDER_EVENTS_QUEUE_URL} (eu-west-1) in {MOTO_ACCOUNT}."
    )


@mock_aws
def test_publish_order_event_names_the_queue_and_account(settings):
    url = queue_client().create_queue(QueueName="order-events")["QueueUrl"]
    settings.ORDER_EVENTS_QUEUE_URL = url
    line = first_line(
        "publish_order_event", "--customer", "cust-1", "--phone", "07946 095812", "--country", "GB"
    )
    assert line == f"Publishing to SQS queue {url} (eu-west-1) in {MOTO_ACCOUNT}."


def test_backfill_names_the_table_and_account(moto_table, tmp_path):
    history = tmp_path / "orders.jsonl"
    history.write_text(json.dumps(order_event(customer="cust-1", phone="07946 095812")) + "\n")
    out = io.StringIO()
    call_command("backfill_phone_links", str(history), "--no-progress", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        f"Writing links to DynamoDB table {get_table().name} (eu-west-1) in {MOTO_ACCOUNT}."
    )


def test_prune_audit_names_the_database(db):
    name = f"{connection.vendor} database {connection.settings_dict['NAME']}"
    assert first_line("prune_audit").startswith(f"Deleting old audit entries in the {name}")
    assert first_line("prune_audit", "--dry-run").startswith(
        f"Counting old audit entries in the {name}"
    )


def test_create_demo_users_names_the_database(db, settings):
    settings.LOCAL_DEMO = True
    line = first_line("create_demo_users", "--password", "pw-123456-x")
    assert line.startswith(f"Writing demo accounts to the {connection.vendor} database ")
