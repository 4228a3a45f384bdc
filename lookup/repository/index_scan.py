"""A parallel Scan of the phone index, page by page, for the review queue's scan of the whole
table (`lookup.services.review_scan`).

The index's live partitions are `pk2 = phone#<E164>`, one per number; a Scan of the index reads
each partition's items together, in sort-key order, and a parallel Scan keeps a partition in one
segment (DynamoDB and dynalite assign an index item's segment by its index hash key). So the
links of one number arrive one after another in one segment: a page ends either between two
numbers or inside one, which the caller carries over to the next page. moto assigns segments by
the table's own hash key instead (its Scan of one segment is sorted by pk2), so on moto only
`segments=1` keeps a number's links together.
"""

from dataclasses import dataclass
from typing import Any

from lookup.domain.links import PhoneLink
from lookup.repository import schema
from lookup.repository.dynamo import Table, deserialize, serialize
from lookup.repository.items import link_from_item
from lookup.repository.links import _SEARCHED_ATTRIBUTES, _SEARCHED_NAMES

# What a search reads of a link, so a number's queue entries are judged on the same evidence.
_PK2 = next(placeholder for placeholder, name in _SEARCHED_NAMES.items() if name == schema.PK2)


@dataclass(frozen=True, slots=True)
class IndexPage:
    """One Scan page of live index items: (number, link) in the index's order (link None when
    the item is not readable as a link), what the page read and cost, where the next starts."""

    links: list[tuple[str, PhoneLink | None]]
    scanned: int  # items read, tombstones (filtered out) included
    consumed: float  # read capacity units, as DynamoDB reported them
    next_key: dict[str, Any] | None  # None: the segment is done


class IndexScanner:
    def __init__(self, table: Table) -> None:
        self.table = table

    def index_page(
        self,
        *,
        segment: int,
        segments: int,
        start_key: dict[str, Any] | None,
        limit: int,
    ) -> IndexPage:
        """One page of segment `segment` of `segments`, from `start_key` (None: the start).
        Tombstones (`unlinked#` partitions) are read, paid for and filtered out."""
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": self.table.index_name,
            "Segment": segment,
            "TotalSegments": segments,
            "Limit": limit,
            "FilterExpression": f"begins_with({_PK2}, :live)",
            "ExpressionAttributeValues": serialize({":live": schema.PHONE_PREFIX}),
            "ProjectionExpression": _SEARCHED_ATTRIBUTES,
            "ExpressionAttributeNames": _SEARCHED_NAMES,
            "ReturnConsumedCapacity": "TOTAL",
        }
        if start_key:
            request["ExclusiveStartKey"] = start_key
        response = self.table.scan_page(request)
        links = []
        for raw in response.get("Items", []):
            item = deserialize(raw)
            number = str(item.get(schema.PK2, "")).removeprefix(schema.PHONE_PREFIX)
            links.append((number, link_from_item(item)))
        return IndexPage(
            links=links,
            scanned=response.get("ScannedCount", 0),
            consumed=float(response.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0)),
            next_key=response.get("LastEvaluatedKey"),
        )
