from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from moto import mock_aws

from lookup.repository import get_table


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@mock_aws
def test_creates_the_table_and_index_then_does_nothing(settings):
    settings.DYNAMODB_TABLE_NAME = "ensure-me"
    settings.DYNAMODB_INDEX_NAME = "by-phone"

    assert "created table ensure-me with index by-phone" in run("ensure_table")
    assert "already exist and are ACTIVE" in run("ensure_table")

    table = get_table().client.describe_table(TableName="ensure-me")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-phone"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["pk2", "sk2"]
    assert index["Projection"]["ProjectionType"] == "ALL"


@pytest.mark.dynalite
def test_waits_for_a_real_table_to_become_active(dynalite_endpoint, monkeypatch, settings):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynalite_endpoint)
    settings.DYNAMODB_TABLE_NAME = "ensure-on-dynalite"
    try:
        assert "created table" in run("ensure_table")
        status = get_table().client.describe_table(TableName="ensure-on-dynalite")
        assert status["Table"]["TableStatus"] == "ACTIVE"
        assert "already exist" in run("ensure_table")
    finally:
        get_table().client.delete_table(TableName="ensure-on-dynalite")


def test_unreachable_dynamodb_is_a_clear_command_error(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    with pytest.raises(CommandError, match="Could not ensure the DynamoDB table"):
        run("ensure_table")
