"""Tombstones (unlinked links) in the index: a number's, read for a lead's hint, and the older
ones, written before tombstones had an index partition, given theirs.

A tombstone is a UserPhoneLookUp or legacy record whose pk2 is `unlinked#phone#<E164>` (its sk2
unchanged): whoever wrote it, one Query of that partition finds it, with who, when and why as
the item stores them. Older tombstones have no pk2 at all and no Query finds them: a Scan
(`tombstones_unindexed_scan`) and one conditional UpdateItem each (`tombstone_index`) move them.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lookup.domain.errors import WriteRefused
from lookup.domain.links import PhoneLink
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
from lookup.repository.items import link_from_item
from lookup.repository.links import LinkRepository

# An item still out of the index: a tombstone older than its partition, not yet moved (nor
# restored, nor moved by a concurrent run).
_UNINDEXED = Condition(f"attribute_exists({schema.PK}) AND attribute_not_exists({schema.PK2})")


@dataclass(frozen=True, slots=True)
class NumberLinks:
    """What a lead's search reads of its numbers: live links and tombstones, by number."""

    live: dict[str, list[PhoneLink]]
    unlinked: dict[str, list[PhoneLink]]


@dataclass(frozen=True, slots=True)
class ScanPage:
    """One Scan page of items out of the index: each a link (None: unreadable, with its keys)."""

    found: list[tuple[dict[str, str], PhoneLink | None]]
    scanned: int  # items the page read, matching or not
    next_key: dict[str, Any] | None  # where the next page starts; None: the scan is done


class TombstoneRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    @storage_errors_as_unavailable
    def tombstones_of_number(self, *, phone: str) -> list[PhoneLink]:
        """Every unlinked link to an E.164 number: one Query of its `unlinked#` partition."""
        items = self.table.query(
            IndexName=self.table.index_name,
            KeyConditionExpression=f"{schema.PK2} = :pk2",
            ExpressionAttributeValues=serialize({":pk2": schema.unlinked_pk2(phone)}),
        )
        return [link for item in items if (link := link_from_item(item)) is not None]

    def links_of_numbers_with_tombstones(self, *, phones: Sequence[str]) -> NumberLinks:
        """The live links and the tombstones of several numbers: two Queries a number, all at
        the same time, so about the round trip of `LinkRepository.links_of_numbers`."""
        links = LinkRepository(self.table)
        reads = [(phone, False) for phone in phones] + [(phone, True) for phone in phones]
        found = concurrently(
            lambda read: (
                self.tombstones_of_number(phone=read[0])
                if read[1]
                else links.links_of_number(phone=read[0])
            ),
            reads,
        )
        count = len(phones)
        return NumberLinks(
            live=dict(zip(phones, found[:count], strict=True)),
            unlinked=dict(zip(phones, found[count:], strict=True)),
        )

    def tombstones_unindexed_scan(
        self, *, page_size: int = 500, start_key: dict[str, Any] | None = None
    ) -> Iterator[ScanPage]:
        """The order-derived links (UserPhoneLookUp and legacy) with no pk2, a Scan page at a
        time from `start_key`. An item moved meanwhile no longer matches, so a rerun sees only
        what is left."""
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "FilterExpression": (
                f"begins_with({schema.PK}, :pk) AND attribute_not_exists({schema.PK2}) AND "
                f"(begins_with({schema.SK}, :phone) OR begins_with({schema.SK}, :legacy))"
            ),
            "ExpressionAttributeValues": serialize(
                {
                    ":pk": schema.PHONE_USER_PREFIX,
                    ":phone": schema.PHONE_PREFIX,
                    ":legacy": schema.CREATED_AT_PREFIX,
                }
            ),
            "Limit": page_size,
        }
        if start_key:
            request["ExclusiveStartKey"] = start_key
        while True:
            response = self.table.scan_page(request)
            found = []
            for raw in response.get("Items", []):
                item = deserialize(raw)
                key = {schema.PK: str(item[schema.PK]), schema.SK: str(item[schema.SK])}
                found.append((key, link_from_item(item)))
            next_key = response.get("LastEvaluatedKey")
            yield ScanPage(found=found, scanned=response.get("ScannedCount", 0), next_key=next_key)
            if not next_key:
                return
            request["ExclusiveStartKey"] = next_key

    @storage_errors_as_unavailable
    def tombstone_index(self, *, key: dict[str, str], link: PhoneLink) -> bool:
        """Give the tombstone at `key` (as scanned), which has no pk2, its `unlinked#phone#<E164>`
        pk2 and its sk2: one UpdateItem, only while the item is still out of the index. False
        when it no longer is (restored, re-linked or moved meanwhile): nothing written.

        The version is left alone: the move changes nothing a reader decides by, and a restore
        or an order conditioned on the version read still applies after it.
        """
        update = Update()
        for name, value in schema.link_tombstone_keys(
            link.customer_id, link.phone, link.legacy_id
        ).items():
            update.set(name, value)
        try:
            self.table.update(key, update=update, condition=_UNINDEXED)
        except WriteRefused:
            return False
        return True
