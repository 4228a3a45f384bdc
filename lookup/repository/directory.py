"""PhoneDirectory: every read and write of the shared table (DESIGN.md section 3).

Access patterns:

* search by phone: one Query on the index for `pk2 = phone#<E164>`, then one BatchGetItem for
  the profiles of the page's customers - two round trips however many customers match;
* customer details: Query `pk = user#<id>` and Query `pk = phone_user#<id>`;
* writes: single-item conditional writes guarded by the item's `version`, never transactions.
"""

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache, wraps
from typing import Any, TypeVar

import boto3
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
    LinkAlreadyUnlinked,
    LinkChange,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkSource,
    PhoneLink,
    SearchPage,
)
from lookup.evidence import LinkOutcome, OrderSeen, legacy_unlink_covers, link_with_order
from lookup.legacy import legacy_phone_or_reason
from lookup.repository.items import (
    deserialize,
    link_from_item,
    link_to_item,
    profile_from_item,
    profile_to_item,
    serialize,
)
from lookup.timestamps import format_timestamp, utc_now

logger = logging.getLogger(__name__)

BATCH_GET_LIMIT = 100  # DynamoDB's cap on keys per BatchGetItem
BATCH_WRITE_LIMIT = 25  # DynamoDB's cap on requests per BatchWriteItem
_UNPROCESSED_RETRIES = 6
_CONFLICT_RETRIES = 8
_PROBE_CUSTOMER_ID = "phone-lookup-health-probe"  # never a real cognitoId; the read finds nothing

_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "InternalFailure",
        "RequestTimeout",
        "LimitExceededException",
        "TransactionConflictException",
    }
)

F = TypeVar("F", bound=Callable[..., Any])


def _storage_errors_as_unavailable(method: F) -> F:
    """Turn boto3/botocore failures into the domain's `DirectoryUnavailable`."""

    @wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            # People see the same 503 either way; operators need to tell an outage from a
            # misconfiguration (missing table, wrong credentials) or a bug (invalid request).
            code = _error_code(exc)
            level = logging.ERROR if code and code not in _TRANSIENT_CODES else logging.WARNING
            logger.log(level, "DynamoDB call %s failed: %s", method.__name__, exc)
            raise DirectoryUnavailable(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _error_code(exc: Exception) -> str:
    """DynamoDB's error code for a ClientError; "" for a network or client-side failure."""
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "")
    return ""


def _is_conditional_failure(exc: ClientError) -> bool:
    return _error_code(exc) == "ConditionalCheckFailedException"


class PhoneDirectory:
    """Reads and writes phone<->customer links in the shared DynamoDB table."""

    # DynamoDB pages Query results at 1 MB; tests set a small limit to exercise the paging.
    query_page_limit: int | None = None

    def __init__(self, *, client, table_name: str, index_name: str) -> None:
        self.client = client
        self.table_name = table_name
        self.index_name = index_name

    # --- search ---------------------------------------------------------------------------------

    @_storage_errors_as_unavailable
    def customers_by_phone(
        self,
        *,
        phone: str,
        page: int = 1,
        page_size: int = 25,
        stale_before: datetime | None = None,
    ) -> SearchPage:
        """Customers linked to an E.164 number, best candidates first.

        Customers with a current link come before those whose links are all older than
        `stale_before`; then profile owners, then the most recently seen. The whole index
        partition of one number is read (a few hundred small items at most: one Query page),
        grouped by customer and sorted; only the requested page's profiles are fetched, in
        one BatchGetItem.
        """
        if not 1 <= page_size <= BATCH_GET_LIMIT:
            raise ValueError(f"page_size must be between 1 and {BATCH_GET_LIMIT}")
        links_by_customer: dict[str, list[PhoneLink]] = {}
        for link in self._links_for_phone(phone):
            links_by_customer.setdefault(link.customer_id, []).append(link)
        ordered = sorted(
            links_by_customer.items(),
            key=lambda entry: _match_order(entry[1], stale_before=stale_before),
        )
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
            link = link_from_item(item)
            if link is not None:
                yield link

    def _profiles_get(self, customer_ids: list[str]) -> dict[str, CustomerProfile]:
        profiles: dict[str, CustomerProfile] = {}
        for start in range(0, len(customer_ids), BATCH_GET_LIMIT):
            chunk = customer_ids[start : start + BATCH_GET_LIMIT]
            pending = {
                self.table_name: {
                    "Keys": [serialize(keys.profile_key(customer_id)) for customer_id in chunk]
                }
            }
            for attempt in range(_UNPROCESSED_RETRIES + 1):
                response = self.client.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    profile = profile_from_item(deserialize(item))
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
                # Right after an unlink the page must show it, and carry the new version.
                "ConsistentRead": True,
            }
            for item in self._query(request):
                if item.get("sk") == keys.PROFILE_SK:
                    profile = profile_from_item(item)
                elif (link := link_from_item(item)) is not None:
                    links.append(link)
        if profile is None and not links:
            raise CustomerNotFound(customer_id)
        links.sort(key=_detail_order)
        return CustomerDetails(customer_id=customer_id, profile=profile, links=tuple(links))

    @_storage_errors_as_unavailable
    def link_get(self, *, customer_id: str, phone: str, legacy_id: str | None = None) -> PhoneLink:
        """One order-derived (or legacy) link, read consistently; raises LinkNotFound."""
        link = self._link_read(customer_id=customer_id, phone=phone, legacy_id=legacy_id)
        if link is None:
            raise LinkNotFound(f"{phone} of {customer_id}")
        return link

    def _link_read(
        self, *, customer_id: str, phone: str, legacy_id: str | None
    ) -> PhoneLink | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=serialize(self._link_key(customer_id, phone, legacy_id)),
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        link = link_from_item(deserialize(response["Item"]))
        if link is None or link.phone != phone:
            return None
        return link

    @staticmethod
    def _link_key(customer_id: str, phone: str, legacy_id: str | None) -> dict[str, str]:
        if legacy_id is None:
            return keys.lookup_key(customer_id, phone)
        full = keys.legacy_keys(customer_id, phone, legacy_id)
        return {"pk": full["pk"], "sk": full["sk"]}

    # --- unlink and restore ---------------------------------------------------------------------

    @_storage_errors_as_unavailable
    def link_unlink(
        self,
        *,
        customer_id: str,
        phone: str,
        legacy_id: str | None = None,
        expected_version: int | None = None,
        change: LinkChange,
    ) -> PhoneLink:
        """Tombstone an order-derived link: out of the index, with who, when and why.

        One conditional UpdateItem: it only applies to a live link (and, given
        `expected_version`, only to the version the person was shown), so concurrent or
        repeated unlinks apply once. Raises LinkNotFound, LinkAlreadyUnlinked or LinkChanged.
        """
        condition, values = self._version_condition("attribute_exists(pk2)", expected_version)
        return self._update_link(
            customer_id=customer_id,
            phone=phone,
            legacy_id=legacy_id,
            set_clause="unlinkedAt = :at, unlinkedBy = :by, unlinkReason = :reason",
            remove_clause="pk2, sk2",
            condition=condition,
            values={
                **values,
                ":at": format_timestamp(change.at),
                ":by": change.by or "unknown",
                ":reason": change.reason or "",
            },
            refused=lambda link: LinkAlreadyUnlinked(link) if not link.is_active else None,
        )

    @_storage_errors_as_unavailable
    def link_restore(
        self,
        *,
        customer_id: str,
        phone: str,
        legacy_id: str | None = None,
        expected_version: int | None = None,
        change: LinkChange,
    ) -> PhoneLink:
        """Put an unlinked link back in the index; raises LinkNotUnlinked if it is live."""
        index_keys = keys.lookup_index_keys(customer_id, phone)
        if legacy_id is not None:
            legacy = keys.legacy_keys(customer_id, phone, legacy_id)
            index_keys = {"pk2": legacy["pk2"], "sk2": legacy["sk2"]}
        condition, values = self._version_condition(
            "attribute_exists(pk) AND attribute_not_exists(pk2)", expected_version
        )
        return self._update_link(
            customer_id=customer_id,
            phone=phone,
            legacy_id=legacy_id,
            set_clause=(
                "pk2 = :pk2, sk2 = :sk2, restoredAt = :at, restoredBy = :by, "
                "restoreReason = :reason"
            ),
            remove_clause="unlinkedAt, unlinkedBy, unlinkReason",
            condition=condition,
            values={
                **values,
                ":pk2": index_keys["pk2"],
                ":sk2": index_keys["sk2"],
                ":at": format_timestamp(change.at),
                ":by": change.by or "unknown",
                ":reason": change.reason or "",
            },
            refused=lambda link: LinkNotUnlinked(link) if link.is_active else None,
        )

    @staticmethod
    def _version_condition(base: str, expected_version: int | None) -> tuple[str, dict[str, Any]]:
        values: dict[str, Any] = {":zero": 0, ":one": 1}
        if expected_version is None:
            return base, values
        if expected_version == 0:
            return f"{base} AND attribute_not_exists(version)", values
        return f"{base} AND version = :expected", {**values, ":expected": expected_version}

    def _update_link(
        self,
        *,
        customer_id: str,
        phone: str,
        legacy_id: str | None,
        set_clause: str,
        remove_clause: str,
        condition: str,
        values: dict[str, Any],
        refused: Callable[[PhoneLink], Exception | None],
    ) -> PhoneLink:
        # botocore resends a request whose response was lost; the resend then fails its
        # condition although our change applied. The change id tells the two cases apart.
        change_id = uuid.uuid4().hex
        key = serialize(self._link_key(customer_id, phone, legacy_id))
        try:
            response = self.client.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression=(
                    f"SET {set_clause}, lastChangeId = :change_id, "
                    f"version = if_not_exists(version, :zero) + :one REMOVE {remove_clause}"
                ),
                ConditionExpression=condition,
                ExpressionAttributeValues=serialize({**values, ":change_id": change_id}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise
            item = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True)
            current_item = deserialize(item["Item"]) if "Item" in item else None
            current = link_from_item(current_item) if current_item else None
            if current is None or current.phone != phone:
                raise LinkNotFound(f"{phone} of {customer_id}") from None
            if current_item.get("lastChangeId") == change_id:
                return current
            raise (refused(current) or LinkChanged(current)) from None
        link = link_from_item(deserialize(response["Attributes"]))
        assert link is not None
        return link

    # --- ingestion ------------------------------------------------------------------------------

    @_storage_errors_as_unavailable
    def order_link_record(self, *, order: OrderSeen, now: datetime | None = None) -> LinkOutcome:
        """Upsert the UserPhoneLookUp for (customer, phone) with this order's evidence.

        Read, apply `evidence.link_with_order`, write back conditioned on the version read
        (or on absence); a concurrent writer makes the condition fail and the loop re-reads.
        Only a first link costs one more Query: the customer's legacy records, whose unlink
        may already have decided this order (about a third of a first link's time on dynalite).
        Once `migrate_legacy_lookups` has run on every table there are none, and it can go.
        """
        now = now or utc_now()
        for _ in range(_CONFLICT_RETRIES):
            existing = self._link_read(
                customer_id=order.customer_id, phone=order.phone, legacy_id=None
            )
            if existing is None and legacy_unlink_covers(self._legacy_links(order), order):
                return LinkOutcome.KEPT_UNLINKED
            outcome, updated = link_with_order(existing, order, now=now)
            if updated is None:
                return outcome
            if existing is None:
                condition, values = "attribute_not_exists(pk)", {}
            elif existing.version == 0:
                condition, values = "attribute_not_exists(version)", {}
            else:
                condition, values = "version = :expected", {":expected": existing.version}
            request: dict[str, Any] = {
                "TableName": self.table_name,
                "Item": serialize(link_to_item(updated)),
                "ConditionExpression": condition,
            }
            if values:
                request["ExpressionAttributeValues"] = serialize(values)
            try:
                self.client.put_item(**request)
            except ClientError as exc:
                if _is_conditional_failure(exc):
                    continue
                raise
            return outcome
        raise DirectoryUnavailable(
            f"Gave up recording order {order.order_id}: the link kept changing under us."
        )

    def _legacy_links(self, order: OrderSeen) -> list[PhoneLink]:
        """The customer's legacy records of the order's number, read consistently."""
        items = self._query(
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :sk)",
                "ExpressionAttributeValues": serialize(
                    {":pk": keys.lookup_pk(order.customer_id), ":sk": keys.CREATED_AT_PREFIX}
                ),
                "ConsistentRead": True,
            }
        )
        links = (link_from_item(item) for item in items)
        # Old code did not always store clean E.164, so compare normalized numbers.
        return [
            link
            for link in links
            if link is not None and legacy_phone_or_reason(link.phone)[0] == order.phone
        ]

    # --- writes as other services make them (demo data, tests) ----------------------------------

    @_storage_errors_as_unavailable
    def records_put(
        self, *, profiles: Iterable[CustomerProfile] = (), links: Iterable[PhoneLink] = ()
    ) -> int:
        """Write profiles and links with plain batched puts; returns the number of items."""
        items = [profile_to_item(profile) for profile in profiles]
        items += [link_to_item(link) for link in links]
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            chunk = items[start : start + BATCH_WRITE_LIMIT]
            pending = {self.table_name: [{"PutRequest": {"Item": serialize(i)}} for i in chunk]}
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
            Key=serialize(keys.profile_key(customer_id)),
            ProjectionExpression="pk",
        )
        return "Item" in response

    # --- table lifecycle ------------------------------------------------------------------------

    def is_available(self) -> bool:
        """Whether the table serves a consistent read: the worker's probe during an outage.

        A GetItem, the call ingestion itself starts with, so the probe needs no permission the
        worker lacks and says no while reads are throttled or refused.
        """
        try:
            self.client.get_item(
                TableName=self.table_name,
                Key=serialize(keys.profile_key(_PROBE_CUSTOMER_ID)),
                ConsistentRead=True,
            )
        except (BotoCoreError, ClientError) as exc:
            logger.warning("DynamoDB probe failed: %s", _error_code(exc) or exc)
            return False
        return True

    @_storage_errors_as_unavailable
    def table_ensure(self, *, timeout: float = 60.0) -> list[str]:
        """Create the table and its index if missing and wait until both are ACTIVE.

        Returns what it did, e.g. ["created table phone-lookup ..."]; empty when nothing was
        needed.
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
            if _error_code(exc) == "ResourceNotFoundException":
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
        if self.query_page_limit:
            request = {**request, "Limit": self.query_page_limit}
        while True:
            response = self.client.query(**request)
            for item in response.get("Items", []):
                yield deserialize(item)
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
            # An agent is on the phone, and a hung DynamoDB must cost one request, not a web
            # worker for minutes: the 503 page within about 2 s (two attempts and a backoff).
            connect_timeout=settings.DYNAMODB_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.DYNAMODB_READ_TIMEOUT_SECONDS,
            retries={"mode": "standard", "total_max_attempts": settings.DYNAMODB_MAX_ATTEMPTS},
        ),
    )
    return PhoneDirectory(
        client=client,
        table_name=settings.DYNAMODB_TABLE_NAME,
        index_name=settings.DYNAMODB_INDEX_NAME,
    )


def _match_order(links: list[PhoneLink], *, stale_before: datetime | None) -> tuple:
    has_profile = any(link.source is LinkSource.PROFILE for link in links)
    seen = [link.last_seen or link.first_seen for link in links]
    latest = max((moment for moment in seen if moment is not None), default=None)
    current = has_profile or (
        stale_before is None or (latest is not None and latest >= stale_before)
    )
    return (
        not current,
        not has_profile,
        -latest.timestamp() if latest else float("inf"),
        links[0].customer_id,
    )


def _detail_order(link: PhoneLink) -> tuple:
    moment = link.last_seen or link.first_seen
    return (
        link.unlink is not None,
        list(LinkSource).index(link.source),
        -moment.timestamp() if moment else float("inf"),
        link.phone,
    )
