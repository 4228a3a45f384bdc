"""`restore_drill` on moto, which implements RestoreTableToPointInTime (restoring the source's
items as they are now: the restore point itself is not modelled, so time-travel is not tested)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests import factories as f
from tests.lookups import store


def drill(*args) -> str:
    out = StringIO()
    call_command("restore_drill", *args, stdout=out)
    return out.getvalue()


def item_count(table, name: str | None = None) -> int:
    return table.client.scan(TableName=name or table.name, Select="COUNT")["Count"]


@pytest.fixture
def backed_up(moto_table):
    """A table with customers and links, point-in-time recovery on."""
    store(
        moto_table,
        profiles=[f.profile("cust-a"), f.profile("cust-b"), f.profile("cust-c")],
        links=[
            f.profile_link("cust-a", f.UK_MOBILE),
            f.order_link("cust-b", f.UK_MOBILE),
            f.order_link("cust-c", "+442079460018"),
        ],
    )
    moto_table.client.update_continuous_backups(
        TableName=moto_table.name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    return moto_table


def test_the_drill_restores_compares_and_deletes_the_scratch_table(backed_up):
    items = item_count(backed_up)

    out = drill("--target", "drill-1", "--sample", "500")

    assert out.startswith(
        f"Restoring DynamoDB table {backed_up.name} (eu-west-1) in AWS account 123456789012"
    )
    assert "as of its latest restorable time into the new table drill-1." in out
    assert "Restored drill-1 in " in out
    assert (
        f"Compared {items} items of {backed_up.name} and drill-1: {items} identical, 0 differ, "
        "0 only in the live table, 0 only in the restored table." in out
    )
    assert "Deleted the scratch table drill-1." in out
    assert backed_up.client.list_tables()["TableNames"] == [backed_up.name]
    assert item_count(backed_up) == items  # the live table was only read


def test_changes_since_the_restore_are_reported_by_key(backed_up):
    drill("--target", "drill-2", "--keep", "--sample", "500")
    client, live = backed_up.client, backed_up.name
    # Since the restore: one link changed, one customer deleted, one customer added.
    changed = {"pk": {"S": "phone_user#cust-c"}, "sk": {"S": "phone#+442079460018"}}
    client.update_item(
        TableName=live,
        Key=changed,
        UpdateExpression="SET countryCode = :one",
        ExpressionAttributeValues={":one": {"S": "IE"}},
    )
    client.delete_item(TableName=live, Key={"pk": {"S": "user#cust-a"}, "sk": {"S": "profile"}})
    store(backed_up, profiles=[f.profile("cust-new")])

    out = drill("--compare-with", "drill-2", "--sample", "500", "--show-keys")

    assert "1 differ, 1 only in the live table, 1 only in the restored table." in out
    assert "  differs: pk=phone_user#cust-c sk=phone#+442079460018" in out
    assert "  only in the live table: pk=user#cust-new sk=profile" in out
    assert "  only in the restored table: pk=user#cust-a sk=profile" in out
    assert "drill-2" in client.list_tables()["TableNames"]  # --compare-with deletes nothing


def test_a_small_sample_reads_that_many_items_from_each_side(backed_up):
    out = drill("--target", "drill-3", "--sample", "2")
    compared = int(out.split("Compared ", 1)[1].split(" ", 1)[0])
    assert 2 <= compared <= 4 < item_count(backed_up)


def test_without_point_in_time_recovery_the_drill_refuses_and_creates_nothing(moto_table):
    with pytest.raises(CommandError, match="Point-in-time recovery is off"):
        drill("--target", "drill-4")
    assert moto_table.client.list_tables()["TableNames"] == [moto_table.name]


def test_a_restore_point_outside_the_window_is_refused(backed_up):
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(CommandError, match="outside the restorable window"):
        drill("--at", future, "--target", "drill-5")
    assert backed_up.client.list_tables()["TableNames"] == [backed_up.name]
