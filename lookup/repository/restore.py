"""The restore drill's DynamoDB side: restore the table to a point in time into a new table,
wait for it, and compare a sample of items between the two (`manage.py restore_drill`).

A restore never touches the live table: DynamoDB always restores into a new one. The sample is
read from both tables (each side's items looked up by key in the other), so an item missing on
either side is seen; items are compared whole, attribute by attribute. Only keys are reported,
never contents: items hold customers' personal data.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config

_BATCH_GET_LIMIT = 100  # DynamoDB's cap on keys per BatchGetItem


def drill_client():
    """A DynamoDB client with an operator's patience, not the web's 2-second budget."""
    return boto3.session.Session().client(
        "dynamodb",
        config=Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard"}),
    )


def point_in_time_recovery_window(*, client, table: str) -> tuple[datetime, datetime] | None:
    """(earliest, latest) restorable times, or None when point-in-time recovery is off."""
    description = client.describe_continuous_backups(TableName=table)[
        "ContinuousBackupsDescription"
    ]["PointInTimeRecoveryDescription"]
    if description.get("PointInTimeRecoveryStatus") != "ENABLED":
        return None
    return description.get("EarliestRestorableDateTime"), description.get(
        "LatestRestorableDateTime"
    )


def table_restore_to_point_in_time(
    *, client, source: str, target: str, at: datetime | None
) -> None:
    """Start restoring `source` as it was at `at` (None: the latest restorable time) into the
    new table `target`."""
    when: dict[str, Any] = (
        {"RestoreDateTime": at} if at is not None else {"UseLatestRestorableTime": True}
    )
    client.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=target, **when)


def table_wait_active(
    *,
    client,
    table: str,
    timeout: float,
    on_wait: Callable[[str, float], None] = lambda status, elapsed: None,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Wait until `table` is ACTIVE (a restore takes minutes to hours); returns the seconds
    waited. Raises TimeoutError past `timeout`."""
    started = time.monotonic()
    pause = 5.0
    while True:
        status = client.describe_table(TableName=table)["Table"]["TableStatus"]
        elapsed = time.monotonic() - started
        if status == "ACTIVE":
            return elapsed
        if elapsed > timeout:
            raise TimeoutError(f"{table} still {status} after {elapsed:.0f}s")
        on_wait(status, elapsed)
        sleep(pause)
        pause = min(pause * 2, 60.0)


def table_delete(*, client, table: str) -> None:
    client.delete_table(TableName=table)


@dataclass
class Comparison:
    """A sample of items read from each table and looked up in the other, by key."""

    compared: int = 0
    identical: int = 0
    differ: list[dict] = field(default_factory=list)  # keys of items unlike in the two tables
    only_live: list[dict] = field(default_factory=list)  # written (or kept) since the restore
    only_restored: list[dict] = field(default_factory=list)  # deleted since the restore point

    @property
    def differences(self) -> int:
        return len(self.differ) + len(self.only_live) + len(self.only_restored)


def tables_compare_sample(*, client, live: str, restored: str, sample: int) -> Comparison:
    """Compare up to `sample` items of each table with the same keys in the other."""
    key_names = [
        k["AttributeName"] for k in client.describe_table(TableName=live)["Table"]["KeySchema"]
    ]
    comparison = Comparison()
    seen: set[tuple] = set()
    for side, other in ((live, restored), (restored, live)):
        items = _sample(client=client, table=side, size=sample)
        keys = [{name: item[name] for name in key_names} for item in items]
        found = _items_by_key(client=client, table=other, keys=keys, key_names=key_names)
        for item, key in zip(items, keys, strict=True):
            identity = _identity(key, key_names)
            if identity in seen:
                continue  # sampled from both sides: compared once
            seen.add(identity)
            comparison.compared += 1
            counterpart = found.get(identity)
            if counterpart is None:
                (comparison.only_live if side == live else comparison.only_restored).append(key)
            elif counterpart == item:
                comparison.identical += 1
            else:
                comparison.differ.append(key)
    return comparison


def _sample(*, client, table: str, size: int) -> list[dict]:
    """About `size` items from a random stretch of the table: a parallel Scan's segment picked
    at random (segments split the key space), then the following ones until there are enough."""
    count = client.describe_table(TableName=table)["Table"].get("ItemCount", 0)
    segments = max(1, min(count // max(size, 1), 1_000_000))
    first = random.randrange(segments)  # noqa: S311 - a sample, not a secret
    items: list[dict] = []
    for offset in range(segments):
        for page in _scan_pages(
            client=client, table=table, segment=(first + offset) % segments, segments=segments
        ):
            items += page
            if len(items) >= size:
                return items[:size]
    return items


def _scan_pages(*, client, table: str, segment: int, segments: int) -> Iterator[list[dict]]:
    request: dict[str, Any] = {
        "TableName": table,
        "Segment": segment,
        "TotalSegments": segments,
        "ConsistentRead": True,
    }
    while True:
        response = client.scan(**request)
        yield response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _items_by_key(*, client, table: str, keys: list[dict], key_names: list[str]) -> dict:
    found: dict[tuple, dict] = {}
    for start in range(0, len(keys), _BATCH_GET_LIMIT):
        pending: dict[str, Any] = {
            table: {"Keys": keys[start : start + _BATCH_GET_LIMIT], "ConsistentRead": True}
        }
        pause = 0.05
        while pending:
            response = client.batch_get_item(RequestItems=pending)
            for item in response.get("Responses", {}).get(table, []):
                found[_identity(item, key_names)] = item
            pending = response.get("UnprocessedKeys") or {}
            if pending:
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
    return found


def _identity(item: dict, key_names: list[str]) -> tuple:
    return tuple(tuple(sorted(item[name].items())) for name in key_names)
