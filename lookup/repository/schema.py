"""The shared single-table design: key builders, attribute names, the table's definition.

The key prefixes and their casing are a contract with the other services writing the table:
change nothing here without them. Each key builder documents the record whose key it makes:

| record          | pk                | sk                | pk2            | sk2               |
|-----------------|-------------------|-------------------|----------------|-------------------|
| Profile         | `user#<id>`       | `profile`         | -              | -                 |
| UserPhone       | `user#<id>`       | `phone#<E164>`    | `phone#<E164>` | `user#<id>`       |
| UserPhoneLookUp | `phone_user#<id>` | `phone#<E164>`    | `phone#<E164>` | `phone_user#<id>` |
| Legacy lookup   | `phone_user#<id>` | `createdAt#<ISO>` | `phone#<E164>` | `createdAt#<ISO>` |
| Order marker    | `link_orders#<id>#<E164>` | `order#<orderId>` | -      | -                 |
| Tombstone       | the link's        | the link's        | `unlinked#phone#<E164>` | the link's |

(UserPhone: the phone on the customer's profile, written by the users service; UserPhoneLookUp:
a phone seen on the customer's orders, written by this project; legacy: the older
one-customer-per-phone design, read until `migrate_legacy_lookups` rewrites it; order marker:
one per order delivered for a UserPhoneLookUp, in a key space only this project writes, from
which the link's counts are derived.)

The index on pk2/sk2 is sparse. An unlinked (tombstoned) UserPhoneLookUp or legacy record keeps
its sk2 but its pk2 moves to `unlinked#phone#<E164>`: no search reads that partition, a lead's
hint does (one Query). Only a pk2 starting `phone#` is live (`LIVE`): a tombstone written before
the move has no pk2 at all, and `manage.py tombstones_index` gives it the new one.
"""

import time
from typing import Any

from lookup.domain.errors import DirectoryUnavailable
from lookup.repository.dynamo import Condition, Table, storage_errors_as_unavailable

# Key attributes of the base table and of its index.
PK, SK, PK2, SK2 = "pk", "sk", "pk2", "sk2"

USER_PREFIX = "user#"
PHONE_PREFIX = "phone#"
PHONE_USER_PREFIX = "phone_user#"
CREATED_AT_PREFIX = "createdAt#"
PROFILE_SK = "profile"
LINK_ORDERS_PREFIX = "link_orders#"
UNLINKED_PREFIX = "unlinked#"
ORDER_PREFIX = "order#"

# Attributes the users service writes (profiles, UserPhones, the design's UserPhoneLookUp),
# read on every record kind; the evidence attributes this project writes on its links; the
# fields of a `recentOrders` entry and of an order marker (`ORDER_ID`, `CREATED_AT`, `COUNTRY`).
COGNITO_ID, PHONE_NUMBER, CREATED_AT = "cognitoId", "phoneNumber", "createdAt"
NAME, EMAIL, STATUS, COUNTRY, VERIFIED = "name", "email", "status", "country", "verified"
FIRST_SEEN_AT, LAST_SEEN_AT = "firstSeenAt", "lastSeenAt"
ORDER_COUNT, RECENT_ORDERS, ORDER_ID = "orderCount", "recentOrders", "orderId"
# The fields of `evidenceBaseline` besides FIRST_SEEN_AT, LAST_SEEN_AT and COUNTRY.
BASELINE_ORDERS, BASELINE_BEFORE = "orders", "before"

# Attributes this project writes on links (UserPhoneLookUp, and legacy records it unlinks).
VERSION = "version"  # bumped by every write; conditional writes compare it
RECENT_ORDER_IDS = "recentOrderIds"  # the ids of `recentOrders`, as a set a condition can test
LAST_CHANGE_ID = "lastChangeId"  # of the last unlink or restore, to recognise our own retry
UNLINKED_AT, UNLINKED_BY, UNLINK_REASON = "unlinkedAt", "unlinkedBy", "unlinkReason"
RESTORED_AT, RESTORED_BY, RESTORE_REASON = "restoredAt", "restoredBy", "restoreReason"
# Evidence derived from order markers: the flag, and the evidence from before the markers.
ORDERS_MARKED = "ordersMarked"
EVIDENCE_BASELINE = "evidenceBaseline"


def user_pk(customer_id: str) -> str:
    """Partition of a customer's own records: `user#<cognitoId>` (profile and UserPhone)."""
    return f"{USER_PREFIX}{customer_id}"


def profile_key(customer_id: str) -> dict[str, str]:
    """Customer profile: pk=`user#<cognitoId>`, sk=`profile`; not in the index."""
    return {PK: user_pk(customer_id), SK: PROFILE_SK}


def phone_sk(e164: str) -> str:
    """Sort key of a number inside a customer partition: `phone#<E164>`."""
    return f"{PHONE_PREFIX}{e164}"


def phone_pk2(e164: str) -> str:
    """Index partition every link of a number shares: pk2=`phone#<E164>`."""
    return f"{PHONE_PREFIX}{e164}"


def unlinked_pk2(e164: str) -> str:
    """Index partition of a number's tombstones: pk2=`unlinked#phone#<E164>`."""
    return f"{UNLINKED_PREFIX}{phone_pk2(e164)}"


# A link is live (searchable) only in a `phone#` partition; a tombstone's pk2 is absent (written
# before tombstones moved) or `unlinked#phone#...`. `begins_with` of an absent attribute is false.
LIVE = Condition(f"begins_with({PK2}, :live)", {":live": PHONE_PREFIX})
TOMBSTONED = Condition(
    f"attribute_exists({PK}) AND (attribute_not_exists({PK2}) OR NOT begins_with({PK2}, :live))",
    {":live": PHONE_PREFIX},
)


def pk2_live(value: object) -> bool:
    """Whether an item's pk2 puts it in a search (`LIVE`, read in Python)."""
    return isinstance(value, str) and value.startswith(PHONE_PREFIX)


def user_phone_keys(customer_id: str, e164: str) -> dict[str, str]:
    """UserPhone (phone on the profile), written by the users service.

    pk=`user#<cognitoId>`, sk=`phone#<E164>`, pk2=`phone#<E164>`, sk2=`user#<cognitoId>`.
    """
    return {
        PK: user_pk(customer_id),
        SK: phone_sk(e164),
        PK2: phone_pk2(e164),
        SK2: user_pk(customer_id),
    }


def lookup_pk(customer_id: str) -> str:
    """Partition of a customer's order-derived links: `phone_user#<cognitoId>`."""
    return f"{PHONE_USER_PREFIX}{customer_id}"


def lookup_key(customer_id: str, e164: str) -> dict[str, str]:
    """Primary key of a UserPhoneLookUp: pk=`phone_user#<cognitoId>`, sk=`phone#<E164>`.

    One item per (customer, phone) by construction, which makes ingestion an idempotent upsert.
    """
    return {PK: lookup_pk(customer_id), SK: phone_sk(e164)}


def lookup_index_keys(customer_id: str, e164: str) -> dict[str, str]:
    """Index keys of a live UserPhoneLookUp: pk2=`phone#<E164>`, sk2=`phone_user#<cognitoId>`.

    An unlink moves pk2 to `unlinked#phone#<E164>` (`link_tombstone_keys`): out of every search.
    """
    return {PK2: phone_pk2(e164), SK2: lookup_pk(customer_id)}


def order_marks_pk(customer_id: str, e164: str) -> str:
    """Partition of a link's order markers: `link_orders#<cognitoId>#<E164>` (ids hold no `#`)."""
    return f"{LINK_ORDERS_PREFIX}{customer_id}#{e164}"


def order_mark_key(customer_id: str, e164: str, order_id: str) -> dict[str, str]:
    """Order marker: pk=`link_orders#<cognitoId>#<E164>`, sk=`order#<orderId>`; not in the index.

    One item per (link, order) by construction: writing it again for a redelivery changes
    nothing, and the link's evidence is derived from the partition's items.
    """
    return {PK: order_marks_pk(customer_id, e164), SK: f"{ORDER_PREFIX}{order_id}"}


def legacy_sk(created_at: str) -> str:
    """Sort (and index sort) key of a legacy lookup: `createdAt#<ISO time as stored>`."""
    return f"{CREATED_AT_PREFIX}{created_at}"


def legacy_key(customer_id: str, created_at: str) -> dict[str, str]:
    """Primary key of a legacy lookup: pk=`phone_user#<cognitoId>`, sk=`createdAt#<ISO>`."""
    return {PK: lookup_pk(customer_id), SK: legacy_sk(created_at)}


def legacy_index_keys(e164: str, created_at: str) -> dict[str, str]:
    """Index keys of a live legacy lookup: pk2=`phone#<E164>`, sk2=`createdAt#<ISO>`."""
    return {PK2: phone_pk2(e164), SK2: legacy_sk(created_at)}


def link_key(customer_id: str, e164: str, legacy_id: str | None) -> dict[str, str]:
    """Primary key of an order-derived link: the UserPhoneLookUp, or the legacy record
    `legacy_id` (its creation time as stored) names."""
    if legacy_id is None:
        return lookup_key(customer_id, e164)
    return legacy_key(customer_id, legacy_id)


def link_index_keys(customer_id: str, e164: str, legacy_id: str | None) -> dict[str, str]:
    """Index keys that make an order-derived link (current or legacy) searchable."""
    if legacy_id is None:
        return lookup_index_keys(customer_id, e164)
    return legacy_index_keys(e164, legacy_id)


def link_tombstone_keys(customer_id: str, e164: str, legacy_id: str | None) -> dict[str, str]:
    """Index keys of an unlinked order-derived link: its live sk2, pk2=`unlinked#phone#<E164>`."""
    return {**link_index_keys(customer_id, e164, legacy_id), PK2: unlinked_pk2(e164)}


def customer_id_from_pk(pk: str) -> str | None:
    """The cognitoId in a `user#…` or `phone_user#…` partition key, else None."""
    for prefix in (PHONE_USER_PREFIX, USER_PREFIX):
        if pk.startswith(prefix):
            return pk[len(prefix) :]
    return None


def table_definition(*, table_name: str, index_name: str) -> dict[str, Any]:
    """CreateTable's arguments: string keys, on-demand billing, the index projecting ALL."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in (PK, SK, PK2, SK2)
        ],
        "KeySchema": [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [index_definition(index_name=index_name)],
    }


def index_definition(*, index_name: str) -> dict[str, Any]:
    return {
        "IndexName": index_name,
        "KeySchema": [
            {"AttributeName": PK2, "KeyType": "HASH"},
            {"AttributeName": SK2, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


@storage_errors_as_unavailable
def table_ensure(*, table: Table, timeout: float = 60.0) -> list[str]:
    """Create the table and its index if missing and wait until both are ACTIVE.

    For the local stack and tests: in production the table belongs to the infrastructure.
    Returns what it did, e.g. ["created table phone-lookup ..."]; empty when nothing was needed.
    """
    actions: list[str] = []
    description = table.describe()
    if description is None:
        table.client.create_table(
            **table_definition(table_name=table.name, index_name=table.index_name)
        )
        actions.append(f"created table {table.name} with index {table.index_name}")
    elif not any(
        index["IndexName"] == table.index_name
        for index in description.get("GlobalSecondaryIndexes", [])
    ):
        table.client.update_table(
            TableName=table.name,
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in (PK2, SK2)
            ],
            GlobalSecondaryIndexUpdates=[{"Create": index_definition(index_name=table.index_name)}],
        )
        actions.append(f"added index {table.index_name} to table {table.name}")
    _wait_until_active(table, timeout=timeout)
    return actions


def _wait_until_active(table: Table, *, timeout: float) -> None:
    # A new table (or index) stays CREATING for a while, on dynalite about half a second.
    deadline = time.monotonic() + timeout
    while True:
        description = table.describe() or {}
        statuses = [description.get("TableStatus")] + [
            index.get("IndexStatus") for index in description.get("GlobalSecondaryIndexes", [])
        ]
        if all(status == "ACTIVE" for status in statuses):
            return
        if time.monotonic() > deadline:
            raise DirectoryUnavailable(
                f"Table {table.name} is not ACTIVE after {timeout:.0f}s: {statuses}"
            )
        time.sleep(0.2)
