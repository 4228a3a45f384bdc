"""Order-committed events (DESIGN.md section 4) -> order-derived links.

`order_event_ingest` is the one entry point every path uses: the SQS worker, the HTTP endpoint
and the backfill command. A malformed event raises `InvalidOrderEvent` naming the bad field.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers

from lookup.evidence import LinkOutcome, OrderSeen
from lookup.phones import PhoneNumberError, phone_normalize
from lookup.repository import get_directory
from lookup.timestamps import format_timestamp, parse_timestamp, utc_now

EVENT_TYPE = "order.committed"
PHONE_FIELD = "order.delivery.dropoff.phoneNumber"
_MAX_ID_LENGTH = 128
EARLIEST_ORDER = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=10)  # the order service's clock may run a little ahead


class InvalidOrderEvent(ValueError):
    """The event cannot be used; `field` names the offending field (dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: LinkOutcome
    order: OrderSeen


def order_event_parse(event: Any) -> OrderSeen:
    """Validate an order-committed event and normalize its drop-off phone."""
    if not isinstance(event, Mapping):
        raise InvalidOrderEvent("(event)", "must be a JSON object")
    if event.get("type") != EVENT_TYPE:
        raise InvalidOrderEvent("type", f"must be {EVENT_TYPE!r}")
    order = _object(event, "order", "order")
    order_id = _identifier(order, "id", "order.id")
    customer_id = _identifier(order, "customerId", "order.customerId")
    country = order.get("country")
    if not isinstance(country, str) or country.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidOrderEvent("order.country", "must be an ISO 3166 alpha-2 country code")
    created_at = _order_time(order.get("createdAt"))
    delivery = _object(order, "delivery", "order.delivery")
    dropoff = _object(delivery, "dropoff", "order.delivery.dropoff")
    raw_phone = dropoff.get("phoneNumber")
    if not isinstance(raw_phone, str):
        raise InvalidOrderEvent(PHONE_FIELD, "is required and must be a string")
    try:
        phone = phone_normalize(raw=raw_phone, region=country.upper())
    except PhoneNumberError as exc:
        raise InvalidOrderEvent(PHONE_FIELD, str(exc)) from exc
    return OrderSeen(
        order_id=order_id,
        customer_id=customer_id,
        phone=phone.e164,
        country=country.upper(),
        created_at=created_at,
    )


def order_event_ingest(*, event: Any) -> IngestResult:
    """Record the event's order as evidence of its (customer, drop-off phone) link.

    Idempotent and order-independent (see `lookup.evidence`); raises InvalidOrderEvent for a
    bad event and DirectoryUnavailable when DynamoDB cannot be reached (worth a retry).
    """
    order = order_event_parse(event)
    outcome = get_directory().order_link_record(order=order)
    return IngestResult(outcome=outcome, order=order)


def _order_time(value: Any) -> datetime:
    """The order's creation time in UTC to the second, as the table stores it.

    Stored times have second precision: comparing a finer time with a stored one would count a
    replayed order twice. A time outside the platform's life is a broken producer, not an order.
    """
    parsed = parse_timestamp(value)
    if parsed is None:
        raise InvalidOrderEvent("order.createdAt", "must be an ISO 8601 timestamp")
    try:
        moment = parsed.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        moment = None
    latest = utc_now() + FUTURE_TOLERANCE
    if moment is None or not EARLIEST_ORDER <= moment <= latest:
        raise InvalidOrderEvent(
            "order.createdAt",
            f"must lie between {format_timestamp(EARLIEST_ORDER)} and now "
            f"(up to {FUTURE_TOLERANCE.seconds // 60} minutes of clock skew allowed)",
        )
    return moment


def _object(parent: Mapping, key: str, field: str) -> Mapping:
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise InvalidOrderEvent(field, "is required and must be an object")
    return value


def _identifier(parent: Mapping, key: str, field: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidOrderEvent(field, "is required and must be a non-empty string")
    if len(value) > _MAX_ID_LENGTH or "#" in value:
        raise InvalidOrderEvent(field, f"must be at most {_MAX_ID_LENGTH} characters, no '#'")
    return value.strip()
