"""The DynamoDB repository: the only module that knows items, keys and boto3.

Everything it returns is a domain dataclass from `lookup.domain`; every storage failure is raised
as `DirectoryUnavailable`. Access patterns (DESIGN.md section 3):

* search by phone: one Query on the index for `pk2 = phone#<E164>`, then one BatchGetItem for
  the profiles of the page's customers - two round trips however many customers match;
* customer details: Query `pk = user#<id>` and Query `pk = phone_user#<id>`.
"""

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps
from typing import Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from lookup import keys
from lookup.domain import (
    CustomerDetails,
    CustomerMatch,
    CustomerNotFound,
    CustomerProfile,
    DirectoryUnavailable,
    LinkSource,
    PhoneLink,
    SearchPage,
    Unlink,
)
from lookup.timestamps import format_timestamp, parse_timestamp

logger = logging.getLogger(__name__)

BATCH_GET_LIMIT = 100  # DynamoDB's cap on keys per BatchGetItem
BATCH_WRITE_LIMIT = 25  # DynamoDB's cap on requests per BatchWriteItem
_UNPROCESSED_RETRIES = 6

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

F = TypeVar("F", bound=Callable[..., Any])


def _storage_errors_as_unavailable(method: F) -> F:
    """Turn boto3/botocore failures into the domain's `DirectoryUnavailable`."""

    @wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("DynamoDB call %s failed: %s", method.__name__, exc)
            raise DirectoryUnavailable(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


class PhoneDirectory:
    """Reads and writes phone<->customer links in the shared DynamoDB table."""

    def __init__(self, *, client, table_name: str, index_name: str) -> None:
        self.client = client
        self.table_name = table_name
        self.index_name = index_name

    # --- search ---------------------------------------------------------------------------------

    @_storage_errors_as_unavailable
    def customers_by_phone(self, *, phone: str, page: int = 1, page_size: int = 25) -> SearchPage:
        """Customers linked to an E.164 number: profile owners first, then most recently seen.

        The whole index partition for one number is read (it holds a few hundred small items at
        most, one Query page), grouped by customer and sorted; only the requested page's
        profiles are then fetched, in one BatchGetItem.
        """
        if not 1 <= page_size <= BATCH_GET_LIMIT:
            raise ValueError(f"page_size must be between 1 and {BATCH_GET_LIMIT}")
        links_by_customer: dict[str, list[PhoneLink]] = {}
        for link in self._links_for_phone(phone):
            links_by_customer.setdefault(link.customer_id, []).append(link)
        ordered = sorted(links_by_customer.items(), key=lambda entry: _match_order(entry[1]))
        total = len(ordered)
        num_pages = max(1, -(-total // page_size))
        page = min(max(page, 1), num_pages)
        window = ordered[(page - 1) * page_size : page * page_size]
        profiles = self._profiles_get([customer_id for customer_id, _ in window])
        matches = tuple(
            CustomerMatch(
                customer_id=customer_id,
                profile=profiles.get(customer_id),
                links=tuple(sorted(links, key=lambda link: list(LinkSource).index(link.source))),
            )
            for customer_id, links in window
        )
        return SearchPage(phone=phone, matches=matches, total=total, page=page, page_size=page_size)

    def _links_for_phone(self, phone: str) -> Iterator[PhoneLink]:
        request = {
            "TableName": self.table_name,
            "IndexName": self.index_name,
            "KeyConditionExpression": "pk2 = :pk2",
            "ExpressionAttributeValues": {":pk2": {"S": keys.phone_pk2(phone)}},
        }
        for item in self._query(request):
            link = _link_from_item(item)
            if link is not None:
                yield link

    def _profiles_get(self, customer_ids: list[str]) -> dict[str, CustomerProfile]:
        profiles: dict[str, CustomerProfile] = {}
        for start in range(0, len(customer_ids), BATCH_GET_LIMIT):
            chunk = customer_ids[start : start + BATCH_GET_LIMIT]
            pending = {
                self.table_name: {
                    "Keys": [_serialize(keys.profile_key(customer_id)) for customer_id in chunk]
                }
            }
            for attempt in range(_UNPROCESSED_RETRIES + 1):
                response = self.client.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    profile = _profile_from_item(_deserialize(item))
                    profiles[profile.customer_id] = profile
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                if attempt == _UNPROCESSED_RETRIES:
                    raise DirectoryUnavailable("DynamoDB kept throttling the profile lookups.")
                time.sleep(min(0.05 * 2**attempt, 1.0))
        return profiles

    # --- customer details -----------------------------------------------------------------------

    @_storage_errors_as_unavailable
    def customer_get(self, *, customer_id: str) -> CustomerDetails:
        """A customer's profile and every number linked to them, unlinked ones included."""
        profile: CustomerProfile | None = None
        links: list[PhoneLink] = []
        for pk in (keys.user_pk(customer_id), keys.lookup_pk(customer_id)):
            request = {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": pk}},
            }
            for item in self._query(request):
                if item.get("sk") == keys.PROFILE_SK:
                    profile = _profile_from_item(item)
                elif (link := _link_from_item(item)) is not None:
                    links.append(link)
        if profile is None and not links:
            raise CustomerNotFound(customer_id)
        links.sort(key=_detail_order)
        return CustomerDetails(customer_id=customer_id, profile=profile, links=tuple(links))

    # --- writes used by demo data and tests -----------------------------------------------------

    @_storage_errors_as_unavailable
    def records_put(
        self, *, profiles: Iterable[CustomerProfile] = (), links: Iterable[PhoneLink] = ()
    ) -> int:
        """Write profiles and links as other services would (plain puts, batched); returns count."""
        items = [_profile_to_item(profile) for profile in profiles]
        items += [_link_to_item(link) for link in links]
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            chunk = items[start : start + BATCH_WRITE_LIMIT]
            pending = {self.table_name: [{"PutRequest": {"Item": _serialize(i)}} for i in chunk]}
            for attempt in range(_UNPROCESSED_RETRIES + 1):
                response = self.client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                if attempt == _UNPROCESSED_RETRIES:
                    raise DirectoryUnavailable("DynamoDB kept throttling the writes.")
                time.sleep(min(0.05 * 2**attempt, 1.0))
        return len(items)

    @_storage_errors_as_unavailable
    def profile_exists(self, *, customer_id: str) -> bool:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_serialize(keys.profile_key(customer_id)),
            ProjectionExpression="pk",
        )
        return "Item" in response

    # --- table lifecycle ------------------------------------------------------------------------

    @_storage_errors_as_unavailable
    def table_ensure(self, *, timeout: float = 60.0) -> list[str]:
        """Create the table and its index if missing and wait until both are ACTIVE.

        Returns what it did, e.g. ["created table phone-lookup"]; empty when nothing was needed.
        """
        actions: list[str] = []
        description = self._describe_table()
        if description is None:
            self.client.create_table(
                TableName=self.table_name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[
                    {"AttributeName": name, "AttributeType": "S"}
                    for name in ("pk", "sk", "pk2", "sk2")
                ],
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                GlobalSecondaryIndexes=[self._index_definition()],
            )
            actions.append(f"created table {self.table_name} with index {self.index_name}")
        elif not any(
            index["IndexName"] == self.index_name
            for index in description.get("GlobalSecondaryIndexes", [])
        ):
            self.client.update_table(
                TableName=self.table_name,
                AttributeDefinitions=[
                    {"AttributeName": "pk2", "AttributeType": "S"},
                    {"AttributeName": "sk2", "AttributeType": "S"},
                ],
                GlobalSecondaryIndexUpdates=[{"Create": self._index_definition()}],
            )
            actions.append(f"added index {self.index_name} to table {self.table_name}")
        self._wait_until_active(timeout=timeout)
        return actions

    def _index_definition(self) -> dict[str, Any]:
        return {
            "IndexName": self.index_name,
            "KeySchema": [
                {"AttributeName": "pk2", "KeyType": "HASH"},
                {"AttributeName": "sk2", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }

    def _describe_table(self) -> dict[str, Any] | None:
        try:
            return self.client.describe_table(TableName=self.table_name)["Table"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                return None
            raise

    def _wait_until_active(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            table = self._describe_table() or {}
            statuses = [table.get("TableStatus")] + [
                index.get("IndexStatus") for index in table.get("GlobalSecondaryIndexes", [])
            ]
            if all(status == "ACTIVE" for status in statuses):
                return
            if time.monotonic() > deadline:
                raise DirectoryUnavailable(
                    f"Table {self.table_name} is not ACTIVE after {timeout:.0f}s: {statuses}"
                )
            time.sleep(0.2)

    # --- helpers --------------------------------------------------------------------------------

    def _query(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        while True:
            response = self.client.query(**request)
            for item in response.get("Items", []):
                yield _deserialize(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            request = {**request, "ExclusiveStartKey": last_key}


@cache
def get_directory() -> PhoneDirectory:
    """The process-wide directory, configured from settings and botocore's environment."""
    client = boto3.session.Session().client(
        "dynamodb",
        config=Config(
            connect_timeout=2,
            read_timeout=5,
            retries={"mode": "standard", "max_attempts": 3},
        ),
    )
    return PhoneDirectory(
        client=client,
        table_name=settings.DYNAMODB_TABLE_NAME,
        index_name=settings.DYNAMODB_INDEX_NAME,
    )


# --- item <-> domain mapping (private to this module) -------------------------------------------


def _serialize(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return str(value) if value not in (None, "") else None


def _profile_from_item(item: dict[str, Any]) -> CustomerProfile:
    customer_id = _text(item, "cognitoId") or keys.customer_id_from_pk(item["pk"]) or ""
    country = _text(item, "country")
    return CustomerProfile(
        customer_id=customer_id,
        name=_text(item, "name"),
        email=_text(item, "email"),
        country=country.upper() if country else None,
        created_at=parse_timestamp(item.get("createdAt")),
        status=_text(item, "status"),
    )


def _profile_to_item(profile: CustomerProfile) -> dict[str, Any]:
    item = {
        **keys.profile_key(profile.customer_id),
        "cognitoId": profile.customer_id,
        "name": profile.name,
        "email": profile.email,
        "country": profile.country,
        "createdAt": format_timestamp(profile.created_at),
        "status": profile.status,
    }
    return {name: value for name, value in item.items() if value is not None}


def _link_from_item(item: dict[str, Any]) -> PhoneLink | None:
    """Map any link-shaped item (UserPhone, UserPhoneLookUp, legacy) to a PhoneLink."""
    pk, sk = str(item.get("pk", "")), str(item.get("sk", ""))
    customer_id = _text(item, "cognitoId") or keys.customer_id_from_pk(pk)
    phone = _text(item, "phoneNumber")
    if phone is None:
        for candidate in (sk, str(item.get("pk2", ""))):
            if candidate.startswith(keys.PHONE_PREFIX):
                phone = candidate[len(keys.PHONE_PREFIX) :]
                break
    if not customer_id or not phone:
        logger.warning("Skipping a link item without customer or phone: pk=%s sk=%s", pk, sk)
        return None

    if pk.startswith(keys.USER_PREFIX) and sk.startswith(keys.PHONE_PREFIX):
        created = parse_timestamp(item.get("createdAt"))
        verified = item.get("verified")
        return PhoneLink(
            customer_id=customer_id,
            phone=phone,
            source=LinkSource.PROFILE,
            first_seen=created,
            verified=bool(verified) if verified is not None else None,
        )
    if pk.startswith(keys.PHONE_USER_PREFIX) and sk.startswith(keys.CREATED_AT_PREFIX):
        created = parse_timestamp(item.get("createdAt")) or parse_timestamp(
            sk[len(keys.CREATED_AT_PREFIX) :]
        )
        return PhoneLink(
            customer_id=customer_id,
            phone=phone,
            source=LinkSource.LEGACY,
            first_seen=created,
            last_seen=created,
            unlink=_unlink_from_item(item),
        )
    if pk.startswith(keys.PHONE_USER_PREFIX) and sk.startswith(keys.PHONE_PREFIX):
        order_count = item.get("orderCount")
        return PhoneLink(
            customer_id=customer_id,
            phone=phone,
            source=LinkSource.ORDER,
            first_seen=parse_timestamp(item.get("firstSeenAt")),
            last_seen=parse_timestamp(item.get("lastSeenAt")),
            order_count=int(order_count) if order_count is not None else None,
            recent_order_ids=tuple(str(order_id) for order_id in item.get("recentOrderIds", [])),
            unlink=_unlink_from_item(item),
        )
    logger.warning("Skipping an item of unknown shape: pk=%s sk=%s", pk, sk)
    return None


def _unlink_from_item(item: dict[str, Any]) -> Unlink | None:
    if "unlinkedAt" not in item or "pk2" in item:
        return None
    return Unlink(
        at=parse_timestamp(item.get("unlinkedAt")),
        by=_text(item, "unlinkedBy"),
        reason=_text(item, "unlinkReason"),
    )


def _link_to_item(link: PhoneLink) -> dict[str, Any]:
    if link.source is LinkSource.PROFILE:
        item = {
            **keys.user_phone_keys(link.customer_id, link.phone),
            "cognitoId": link.customer_id,
            "phoneNumber": link.phone,
            "verified": bool(link.verified),
            "createdAt": format_timestamp(link.first_seen),
        }
    elif link.source is LinkSource.LEGACY:
        created = format_timestamp(link.first_seen)
        item = {
            **keys.legacy_keys(link.customer_id, link.phone, created),
            "cognitoId": link.customer_id,
            "phoneNumber": link.phone,
            "createdAt": created,
        }
    else:
        item = {
            **keys.lookup_key(link.customer_id, link.phone),
            **keys.lookup_index_keys(link.customer_id, link.phone),
            "cognitoId": link.customer_id,
            "phoneNumber": link.phone,
            "firstSeenAt": format_timestamp(link.first_seen),
            "lastSeenAt": format_timestamp(link.last_seen),
            "orderCount": link.order_count or len(link.recent_order_ids),
            "recentOrderIds": list(link.recent_order_ids),
        }
    return {name: value for name, value in item.items() if value is not None}


def _match_order(links: list[PhoneLink]) -> tuple:
    """Profile owners first, then the customer most recently seen with the number."""
    has_profile = any(link.source is LinkSource.PROFILE for link in links)
    seen = [link.last_seen or link.first_seen for link in links]
    latest = max((moment for moment in seen if moment is not None), default=None)
    return (not has_profile, -latest.timestamp() if latest else float("inf"), links[0].customer_id)


def _detail_order(link: PhoneLink) -> tuple:
    moment = link.last_seen or link.first_seen
    return (
        link.unlink is not None,
        list(LinkSource).index(link.source),
        -moment.timestamp() if moment else float("inf"),
        link.phone,
    )
