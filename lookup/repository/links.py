"""Phone links in the table: small reads and single-item conditional writes, nothing more.

What a link means - how an order adds evidence, when an unlink applies, how a legacy record
folds in - is the domain's; the services call these in the order those rules ask.
"""

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lookup.domain.additions import OrderAddition
from lookup.domain.errors import WriteRefused
from lookup.domain.links import CustomerProfile, LinkChange, OrderMark, PhoneLink
from lookup.repository import schema
from lookup.repository.dynamo import (
    Condition,
    Table,
    Update,
    concurrently,
    deserialize,
    serialize,
    storage_errors_as_unavailable,
)
from lookup.repository.items import (
    change_attributes,
    link_from_item,
    link_to_item,
    order_mark_from_item,
    order_mark_to_item,
    profile_from_item,
)
from lookup.repository.link_updates import evidence_update, order_addition_update
from lookup.repository.versions import version_after, version_bump, version_condition

# What a search reads of a link found on the phone index: everything `items.link_from_item`
# reads of a live link, recent orders but the newest excepted.
_SEARCHED_NAMES = {
    f"#a{index}": name
    for index, name in enumerate(
        (
            schema.PK,
            schema.SK,
            schema.PK2,
            schema.SK2,
            schema.COGNITO_ID,
            schema.PHONE_NUMBER,
            schema.CREATED_AT,
            schema.VERIFIED,
            schema.FIRST_SEEN_AT,
            schema.LAST_SEEN_AT,
            schema.ORDER_COUNT,
            schema.COUNTRY,
            schema.VERSION,
            schema.RESTORED_AT,
            schema.RESTORED_BY,
            schema.RESTORE_REASON,
        )
    )
}
# Not a reserved word, so without a placeholder (which moto's check would not see used).
_SEARCHED_ATTRIBUTES = ", ".join([*_SEARCHED_NAMES, f"{schema.RECENT_ORDERS}[0]"])
# What a customer page ranks a large account's links by: a search's projection, unlinks too.
_RANKED_NAMES = {
    **_SEARCHED_NAMES,
    **{
        f"#a{len(_SEARCHED_NAMES) + index}": name
        for index, name in enumerate((schema.UNLINKED_AT, schema.UNLINKED_BY, schema.UNLINK_REASON))
    },
}
_RANKED_ATTRIBUTES = ", ".join([*_RANKED_NAMES, f"{schema.RECENT_ORDERS}[0]"])
# Order links a customer page reads whole before reading the rest of a large account projected.
FULL_ITEMS_READ = 200


@dataclass(frozen=True, slots=True)
class CustomerLinks:
    """A customer's profile and links as `links_of_customer` read them."""

    profile: CustomerProfile | None
    links: list[PhoneLink]
    complete: bool = True  # every link read whole (else a large account's rest is projected)


@dataclass(frozen=True, slots=True)
class LegacyRecord:
    """One legacy record as a scan found it; `link` is None when it cannot be read as a link."""

    label: str  # for people: the customer and the record's creation time
    link: PhoneLink | None


class LinkRepository:
    """Reads and writes phone<->customer links (profile phones, order links, legacy records)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @storage_errors_as_unavailable
    def links_of_number(self, *, phone: str) -> list[PhoneLink]:
        """Every live link of every kind to an E.164 number: one Query on the phone index.

        Each link comes with its newest order only: a number shared by a hundred customers has
        a hundred links of up to twenty recent orders each, which would be most of the response
        (and most of its parsing) while a search shows one order per customer.
        """
        items = self.table.query(
            IndexName=self.table.index_name,
            KeyConditionExpression=f"{schema.PK2} = :pk2",
            ExpressionAttributeValues=serialize({":pk2": schema.phone_pk2(phone)}),
            ProjectionExpression=_SEARCHED_ATTRIBUTES,
            ExpressionAttributeNames=_SEARCHED_NAMES,
        )
        return [link for item in items if (link := link_from_item(item)) is not None]

    def links_of_numbers(self, *, phones: Sequence[str]) -> dict[str, list[PhoneLink]]:
        """The live links of several numbers (a number and its other forms, or other readings
        of what was typed): one Query each, run concurrently, so k numbers cost about one round
        trip. Keyed by the number each link was found under."""
        found = concurrently(lambda phone: self.links_of_number(phone=phone), phones)
        return dict(zip(phones, found, strict=True))

    @storage_errors_as_unavailable
    def links_of_customer(
        self, *, customer_id: str, full_items: int | None = None
    ) -> "CustomerLinks":
        """A customer's profile (None if absent) and every link, unlinked ones included: two
        consistent Queries, `user#<id>` and `phone_user#<id>`, run concurrently, so a page
        shown right after an unlink shows it, with the new version.

        The first `full_items` order links are read whole; an account with more (an operator's,
        collecting thousands of numbers) has the rest read with only what ranking and the
        summary need (`complete` is then False: `links_completed` reads a page's links whole).
        Reading whole items is most of the cost of a large partition, and a page shows only a
        few of them.
        """
        profile: CustomerProfile | None = None
        links: list[PhoneLink] = []
        (user_items, _), (lookup_items, complete) = concurrently(
            lambda read: read(),
            [
                lambda: (self._partition(schema.user_pk(customer_id)), True),
                lambda: self._partition_ranked(
                    schema.lookup_pk(customer_id), full_items or FULL_ITEMS_READ
                ),
            ],
        )
        for item in [*user_items, *lookup_items]:
            if item.get(schema.SK) == schema.PROFILE_SK:
                profile = profile_from_item(item)
            elif (link := link_from_item(item)) is not None:
                links.append(link)
        return CustomerLinks(profile=profile, links=links, complete=complete)

    def _partition(self, pk: str) -> list[dict[str, Any]]:
        return list(
            self.table.query(
                KeyConditionExpression=f"{schema.PK} = :pk",
                ExpressionAttributeValues=serialize({":pk": pk}),
                ConsistentRead=True,
            )
        )

    def _partition_ranked(self, pk: str, full_items: int) -> tuple[list[dict[str, Any]], bool]:
        """The partition's first `full_items` items whole, the rest projected; whether every
        item was read whole."""
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": f"{schema.PK} = :pk",
            "ExpressionAttributeValues": serialize({":pk": pk}),
            "ConsistentRead": True,
            "Limit": full_items,
        }
        response = self.table.client.query(**request)
        items = [deserialize(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        if not last_key:
            return items, True
        items += self.table.query(
            KeyConditionExpression=f"{schema.PK} = :pk",
            ExpressionAttributeValues=serialize({":pk": pk}),
            ConsistentRead=True,
            ExclusiveStartKey=last_key,
            ProjectionExpression=_RANKED_ATTRIBUTES,
            ExpressionAttributeNames=_RANKED_NAMES,
        )
        return items, False

    @storage_errors_as_unavailable
    def links_completed(self, *, links: Sequence[PhoneLink]) -> list[PhoneLink]:
        """The same links read whole (one BatchGetItem per 100), in the same order; a link
        gone meanwhile is left as it was read."""
        keys = [schema.link_key(link.customer_id, link.phone, link.legacy_id) for link in links]
        whole: dict[tuple[str, str], PhoneLink] = {}
        for item in self.table.batch_get(keys):
            if (link := link_from_item(item)) is not None:
                whole[(str(item[schema.PK]), str(item[schema.SK]))] = link
        return [
            whole.get((key[schema.PK], key[schema.SK]), link)
            for key, link in zip(keys, links, strict=True)
        ]

    @storage_errors_as_unavailable
    def legacy_links_of_customer(self, *, customer_id: str) -> list[PhoneLink]:
        """A customer's legacy records, read consistently (their numbers as stored)."""
        items = self.table.query(
            KeyConditionExpression=f"{schema.PK} = :pk AND begins_with({schema.SK}, :sk)",
            ExpressionAttributeValues=serialize(
                {":pk": schema.lookup_pk(customer_id), ":sk": schema.CREATED_AT_PREFIX}
            ),
            ConsistentRead=True,
        )
        return [link for item in items if (link := link_from_item(item)) is not None]

    @storage_errors_as_unavailable
    def link_find(
        self, *, customer_id: str, phone: str, legacy_id: str | None = None
    ) -> PhoneLink | None:
        """One order-derived link (or the legacy record `legacy_id`), read consistently."""
        item = self.table.get(schema.link_key(customer_id, phone, legacy_id))
        link = link_from_item(item) if item is not None else None
        return link if link is not None and link.phone == phone else None

    @storage_errors_as_unavailable
    def link_save(self, *, link: PhoneLink, read: PhoneLink | None) -> PhoneLink:
        """Write the whole UserPhoneLookUp if it is still as `read` (None: still absent), at the
        next version; returns it as written. WriteRefused when another writer got there first."""
        version = read.version if read else None
        saved = replace(link, version=version_after(version))
        self.table.put(link_to_item(saved), condition=version_condition(version))
        return saved

    @storage_errors_as_unavailable
    def order_mark_add(self, *, customer_id: str, phone: str, mark: OrderMark) -> None:
        """Record that an order was delivered for the link: one conditional PutItem.
        WriteRefused when it was recorded before (a redelivery, a replay)."""
        self.table.put(
            order_mark_to_item(customer_id, phone, mark),
            condition=Condition(f"attribute_not_exists({schema.PK})"),
        )

    @storage_errors_as_unavailable
    def order_marks_put(self, *, customer_id: str, phone: str, marks: Sequence[OrderMark]) -> None:
        """Write markers that may exist already (the same content again changes nothing): one
        PutItem each, at the same time. Done once per link, when it is upgraded, for its few
        recent orders; plain puts keep the roles' permissions to the actions they already
        have (no BatchWriteItem)."""
        items = [order_mark_to_item(customer_id, phone, mark) for mark in marks]
        concurrently(lambda item: self.table.put(item), items)

    @storage_errors_as_unavailable
    def order_marks(self, *, customer_id: str, phone: str) -> list[OrderMark]:
        """Every order recorded for the link, read consistently (a Query of its partition)."""
        items = self.table.query(
            KeyConditionExpression=f"{schema.PK} = :pk",
            ExpressionAttributeValues=serialize({":pk": schema.order_marks_pk(customer_id, phone)}),
            ProjectionExpression=", ".join(
                (schema.SK, schema.ORDER_ID, schema.CREATED_AT, schema.COUNTRY)
            ),
            ConsistentRead=True,
        )
        return [mark for item in items if (mark := order_mark_from_item(item)) is not None]

    @storage_errors_as_unavailable
    def link_evidence_save(self, *, link: PhoneLink, read: PhoneLink | None) -> PhoneLink:
        """Write an order-derived link's evidence, index keys and unlink/restore state if the
        item is still as `read` (None: still absent), at the next version; returns it as
        written. WriteRefused when another writer got there first. One UpdateItem: attributes
        this tool does not know (another writer's, such as the design record's `createdAt`)
        stay as they are."""
        version = read.version if read else None
        saved = replace(link, version=version_after(version))
        self.table.update(
            schema.lookup_key(link.customer_id, link.phone),
            update=evidence_update(saved),
            condition=version_condition(version),
        )
        return saved

    @storage_errors_as_unavailable
    def link_order_add(self, *, addition: OrderAddition) -> bool:
        """Apply `addition` (`domain.evidence.OrderAddition`) in one conditional UpdateItem,
        without reading the link; True when it created the link. WriteRefused when the addition
        does not apply to the link as stored: nothing is written.

        The update and its condition are the addition's (`link_updates.order_addition_update`).
        """
        update, applies = order_addition_update(addition)
        old = self.table.update(
            schema.lookup_key(addition.customer_id, addition.phone),
            update=update,
            condition=applies,
            returning="UPDATED_OLD",
        )
        return schema.VERSION not in old

    @storage_errors_as_unavailable
    def link_state_save(
        self,
        *,
        link: PhoneLink,
        unlinked: bool,
        change: LinkChange,
        expected_version: int | None,
    ) -> PhoneLink:
        """Tombstone a live link (`unlinked`: its pk2 moves to the number's `unlinked#` partition)
        or put a tombstoned one back in its `phone#` partition.

        One conditional UpdateItem touching only the index keys, the change's attributes and
        the version (a legacy record keeps whatever else the old code stored). It applies only
        to a link in the other state and, given `expected_version`, at that version; otherwise
        WriteRefused carries the link as it is now. botocore resends a request whose response
        was lost; the resend then fails its condition although the change applied: the change
        id written with it tells the two apart.
        """
        change_id = uuid.uuid4().hex
        key = schema.link_key(link.customer_id, link.phone, link.legacy_id)
        recorded = LinkChange(at=change.at, by=change.by or "unknown", reason=change.reason or "")
        attributes: dict[str, Any] = {
            **change_attributes(recorded, unlinked=unlinked),
            schema.LAST_CHANGE_ID: change_id,
        }
        keys = schema.link_tombstone_keys if unlinked else schema.link_index_keys
        attributes.update(keys(link.customer_id, link.phone, link.legacy_id))
        cleared = [] if unlinked else [schema.UNLINKED_AT, schema.UNLINKED_BY, schema.UNLINK_REASON]
        precondition = schema.LIVE if unlinked else schema.TOMBSTONED
        update = Update()
        for name, value in attributes.items():
            update.set(name, value)
        version_bump(update)
        for name in cleared:
            update.remove(name)
        try:
            written = self.table.update(
                key,
                update=update,
                condition=precondition.also(
                    None if expected_version is None else version_condition(expected_version)
                ),
                returning="ALL_NEW",
            )
        except WriteRefused:
            current_item = self.table.get(key)
        else:
            updated = link_from_item(written)
            assert updated is not None
            return updated
        current = link_from_item(current_item) if current_item else None
        if current is None or current.phone != link.phone:
            raise WriteRefused(None, current_known=True)
        if current_item.get(schema.LAST_CHANGE_ID) == change_id:
            return current
        raise WriteRefused(current, current_known=True)

    @storage_errors_as_unavailable
    def legacy_delete(self, *, legacy: PhoneLink) -> None:
        """Remove a legacy record if it is still as read; WriteRefused if it changed (or is
        gone)."""
        self.table.delete(
            schema.legacy_key(legacy.customer_id, legacy.legacy_id or ""),
            condition=version_condition(legacy.version),
        )

    def legacy_scan(self, *, page_size: int = 500) -> Iterator[LegacyRecord]:
        """Every legacy record, one Scan page at a time (they have no partition of their own).

        Records removed while the scan runs are simply not seen again, so a run that removes
        them as it goes, or a rerun after an interruption, sees only what is left.
        """
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "FilterExpression": f"begins_with({schema.PK}, :pk) AND begins_with({schema.SK}, :sk)",
            "ExpressionAttributeValues": serialize(
                {":pk": schema.PHONE_USER_PREFIX, ":sk": schema.CREATED_AT_PREFIX}
            ),
            "Limit": page_size,
        }
        while True:
            response = self.table.scan_page(request)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                customer = schema.customer_id_from_pk(str(item.get(schema.PK, ""))) or "?"
                created = str(item.get(schema.SK, ""))[len(schema.CREATED_AT_PREFIX) :]
                yield LegacyRecord(
                    label=f"customer {customer}, record of {created}", link=link_from_item(item)
                )
            if not response.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
