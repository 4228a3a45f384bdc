"""DynamoDB plumbing shared by the repository: the client, error translation, the Query pager,
batch calls with their unprocessed-items retry, conditional single-item writes (a refused one
raises the domain's `WriteRefused`) and the `Update` expression builder they take.

Nothing here knows a record kind; `links` and `profiles` build on it. Storage failures leave
the package as the domain's `DirectoryUnavailable`, items as plain dicts (deserialized).
"""

import contextvars
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from lookup.domain.errors import DirectoryUnavailable, WriteRefused

logger = logging.getLogger(__name__)

BATCH_GET_LIMIT = 100  # DynamoDB's cap on keys per BatchGetItem
BATCH_WRITE_LIMIT = 25  # DynamoDB's cap on requests per BatchWriteItem
_UNPROCESSED_RETRIES = 6

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
T = TypeVar("T")
R = TypeVar("R")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def serialize(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def error_code(exc: Exception) -> str:
    """DynamoDB's error code for a ClientError; "" for a network or client-side failure."""
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "")
    return ""


def storage_errors_as_unavailable(method: F) -> F:
    """Turn boto3/botocore failures into the domain's `DirectoryUnavailable`."""

    @wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            # People see the same 503 either way; operators need to tell an outage from a
            # misconfiguration (missing table, wrong credentials) or a bug (invalid request).
            code = error_code(exc)
            level = logging.ERROR if code and code not in _TRANSIENT_CODES else logging.WARNING
            logger.log(level, "DynamoDB call %s failed: %s", method.__name__, exc)
            raise DirectoryUnavailable(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Condition:
    """A ConditionExpression with the values it names."""

    expression: str
    values: dict[str, Any] = field(default_factory=dict)

    def also(self, other: "Condition | None") -> "Condition":
        if other is None:
            return self
        return Condition(
            f"{self.expression} AND {other.expression}", {**self.values, **other.values}
        )


@dataclass(slots=True)
class Update:
    """An UpdateExpression and its placeholders, built clause by clause from attribute names.

    Every attribute and value gets a placeholder (`name`, `value`), so no clause needs to know
    DynamoDB's reserved words, and a condition on the same write can use the same placeholders.
    """

    names: dict[str, str] = field(default_factory=dict)  # placeholder -> attribute
    values: dict[str, Any] = field(default_factory=dict)  # placeholder -> value
    _set: list[str] = field(default_factory=list)
    _add: list[str] = field(default_factory=list)
    _remove: list[str] = field(default_factory=list)

    def name(self, attribute: str) -> str:
        for placeholder, known in self.names.items():
            if known == attribute:
                return placeholder
        placeholder = f"#a{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def set(self, attribute: str, value: Any) -> "Update":
        return self.set_to(attribute, self.value(value))

    def set_to(self, attribute: str, operand: str) -> "Update":
        """SET the attribute to an operand built with `name` and `value` (if_not_exists, ...)."""
        self._set.append(f"{self.name(attribute)} = {operand}")
        return self

    def add(self, attribute: str, value: Any) -> "Update":
        self._add.append(f"{self.name(attribute)} {self.value(value)}")
        return self

    def remove(self, attribute: str) -> "Update":
        self._remove.append(self.name(attribute))
        return self

    @property
    def expression(self) -> str:
        clauses = (("SET", self._set), ("ADD", self._add), ("REMOVE", self._remove))
        return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in clauses if parts)


def _with_condition(request: dict[str, Any], condition: Condition | None) -> dict[str, Any]:
    if condition is None:
        return request
    request = {**request, "ConditionExpression": condition.expression}
    values = {**request.get("ExpressionAttributeValues", {}), **serialize(condition.values)}
    if values:
        request["ExpressionAttributeValues"] = values
    return request


def _conditional(call: Callable[..., dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
    """The response of a conditional write; WriteRefused when its condition failed."""
    try:
        return call(**request)
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            raise WriteRefused() from None
        raise


def _unprocessed_retry(
    send: Callable[[dict[str, Any]], dict[str, Any]],
    pending: dict[str, Any],
    *,
    unprocessed: str,
    what: str,
) -> Iterator[dict[str, Any]]:
    """Send a batch request, then what DynamoDB left unprocessed, backing off; yields every
    response. Raises DirectoryUnavailable when DynamoDB keeps throttling."""
    for attempt in range(_UNPROCESSED_RETRIES + 1):
        response = send(pending)
        yield response
        pending = response.get(unprocessed) or {}
        if not pending:
            return
        if attempt == _UNPROCESSED_RETRIES:
            raise DirectoryUnavailable(f"DynamoDB kept throttling the {what}.")
        time.sleep(min(0.05 * 2**attempt, 1.0))


@dataclass(slots=True)
class Table:
    """The shared table and its phone index, reached through one boto3 client."""

    client: Any
    name: str
    index_name: str
    # DynamoDB pages Query results at 1 MB; tests set a small limit to exercise the paging.
    query_page_limit: int | None = None

    def query(self, **request: Any) -> Iterator[dict[str, Any]]:
        """Every item a Query matches, page after page, deserialized."""
        request = {"TableName": self.name, **request}
        if self.query_page_limit:
            request["Limit"] = self.query_page_limit
        while True:
            response = self.client.query(**request)
            for item in response.get("Items", []):
                yield deserialize(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            request = {**request, "ExclusiveStartKey": last_key}

    @storage_errors_as_unavailable
    def scan_page(self, request: dict[str, Any]) -> dict[str, Any]:
        """One Scan page, as DynamoDB answers it. Scans page through generators, whose errors
        escape a decorator on them: each page's are translated here."""
        return self.client.scan(**request)

    def get(self, key: dict[str, str], *, consistent: bool = True) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.name, Key=serialize(key), ConsistentRead=consistent
        )
        return deserialize(response["Item"]) if "Item" in response else None

    def batch_get(self, keys: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
        """The items at `keys` that exist, in chunks of 100, unprocessed keys retried."""
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            chunk = keys[start : start + BATCH_GET_LIMIT]
            pending = {self.name: {"Keys": [serialize(key) for key in chunk]}}
            send = lambda request: self.client.batch_get_item(RequestItems=request)  # noqa: E731
            for response in _unprocessed_retry(
                send, pending, unprocessed="UnprocessedKeys", what="reads"
            ):
                for item in response.get("Responses", {}).get(self.name, []):
                    yield deserialize(item)

    def batch_put(self, items: list[dict[str, Any]]) -> None:
        """Plain puts in chunks of 25, unprocessed items retried."""
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            chunk = items[start : start + BATCH_WRITE_LIMIT]
            pending = {self.name: [{"PutRequest": {"Item": serialize(item)}} for item in chunk]}
            send = lambda request: self.client.batch_write_item(RequestItems=request)  # noqa: E731
            for _ in _unprocessed_retry(
                send, pending, unprocessed="UnprocessedItems", what="writes"
            ):
                pass

    def put(self, item: dict[str, Any], *, condition: Condition | None = None) -> None:
        """PutItem; WriteRefused when the condition failed (the item is not as expected)."""
        request = _with_condition({"TableName": self.name, "Item": serialize(item)}, condition)
        _conditional(self.client.put_item, request)

    def delete(self, key: dict[str, str], *, condition: Condition | None = None) -> None:
        """DeleteItem; WriteRefused when the condition failed."""
        request = _with_condition({"TableName": self.name, "Key": serialize(key)}, condition)
        _conditional(self.client.delete_item, request)

    def update(
        self,
        key: dict[str, str],
        *,
        update: Update,
        condition: Condition | None = None,
        returning: str = "NONE",
    ) -> dict[str, Any]:
        """UpdateItem; the attributes `returning` asks for (ALL_NEW, UPDATED_OLD), else {}.
        WriteRefused when the condition failed."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "Key": serialize(key),
            "UpdateExpression": update.expression,
            "ReturnValues": returning,
        }
        # DynamoDB refuses an empty map (a REMOVE alone names no value).
        if update.names:
            request["ExpressionAttributeNames"] = update.names
        if update.values:
            request["ExpressionAttributeValues"] = serialize(update.values)
        response = _conditional(self.client.update_item, _with_condition(request, condition))
        return deserialize(response.get("Attributes") or {})

    def describe(self) -> dict[str, Any] | None:
        """DescribeTable's description, or None when the table does not exist."""
        try:
            return self.client.describe_table(TableName=self.name)["Table"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise


_PROBE_KEY = {"pk": "user#phone-lookup-health-probe", "sk": "profile"}  # never a real customer


def table_available(table: Table) -> bool:
    """Whether the table serves a consistent read: the worker's probe during an outage.

    A GetItem, the call ingestion itself starts with, so the probe needs no permission the
    worker lacks and says no while reads are throttled or refused.
    """
    try:
        table.get(_PROBE_KEY)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("DynamoDB probe failed: %s", error_code(exc) or exc)
        return False
    return True


# Shared by every request of a process: botocore's client is thread-safe, and a few threads
# kept warm cost less than starting new ones for each page.
_QUERIES = ThreadPoolExecutor(max_workers=16, thread_name_prefix="dynamodb")


def concurrently(call: Callable[[T], R], arguments: Sequence[T]) -> list[R]:
    """`call` on each argument at the same time (about one round trip for all instead of one
    each); results in the arguments' order, the first error raised.

    The first runs on the calling thread, the others on the shared pool with the caller's
    context (the request id of its log lines). Every call is the same kind of request, so the
    caller's thread makes each kind too: what tests/aws_recorder.py attributes by the stack.
    """
    if not arguments:
        return []
    context = contextvars.copy_context()
    others = [_QUERIES.submit(context.copy().run, call, argument) for argument in arguments[1:]]
    first = call(arguments[0])
    return [first, *(future.result() for future in others)]


def dynamodb_client():
    """A DynamoDB client for web requests: an agent is on the phone, so fail over to the 503
    page within seconds. Endpoint, region and credentials come from botocore's environment."""
    return boto3.session.Session().client(
        "dynamodb",
        config=Config(
            # Web threads and the concurrent-query pool share the client's connections.
            max_pool_connections=32,
            # A hung DynamoDB must cost one request, not a web worker for minutes: the 503
            # page within about 2 s (two attempts in all and a backoff; `max_attempts` would
            # count retries only).
            connect_timeout=settings.DYNAMODB_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.DYNAMODB_READ_TIMEOUT_SECONDS,
            retries={"mode": "standard", "total_max_attempts": settings.DYNAMODB_MAX_ATTEMPTS},
        ),
    )


@cache
def get_table() -> Table:
    """The process-wide table, configured from settings and botocore's environment."""
    return Table(
        client=dynamodb_client(),
        name=settings.DYNAMODB_TABLE_NAME,
        index_name=settings.DYNAMODB_INDEX_NAME,
    )
