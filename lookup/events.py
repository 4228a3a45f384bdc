"""Order-committed events as they arrive: unwrapped from their carrier, then validated.

An event comes as a raw JSON message or inside an SNS notification (SNS delivers to SQS as
`{"Type": "Notification", "Message": "<the event as a JSON string>", ...}` unless raw delivery
is enabled; both arrive on the same queue, and backfill files may hold either). A malformed
event raises `InvalidField` naming the bad field: the worker sends it to the dead-letter queue,
the API answers 400, the backfill lists it with the rejects.

An order without a drop-off phone (pickup, dine-in, drive-through) is not malformed: it links
the customer's account phone when the event carries one, and is otherwise skipped
(`OrderSkipped`). A phone field counts as absent when it, or an object on its path, is missing
or null, or when it is an empty or blank string; any other value must be a usable number.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers

from lookup.domain.errors import InvalidField
from lookup.domain.evidence import OrderSeen, OrderSkipped
from lookup.domain.text import identifier_problem, text_problem
from lookup.domain.times import format_timestamp, parse_timestamp, utc_now
from lookup.phones import PhoneNumberError, phone_canonical, phone_normalize

EVENT_TYPE = "order.committed"
PHONE_FIELD = "order.delivery.dropoff.phoneNumber"
ACCOUNT_PHONE_FIELD = "order.customer.phoneNumber"
SKIP_NO_PHONE = "no drop-off or account phone"
MESSAGE_FIELD = "(message)"
_MAX_ID_LENGTH = 128
EARLIEST_ORDER = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=10)  # the order service's clock may run a little ahead


def event_unwrap(text: str) -> Any:
    """The event in a message body; raises InvalidField when it is not JSON."""
    document = _json(text, MESSAGE_FIELD)
    if isinstance(document, dict) and document.get("Type") == "Notification":
        inner = document.get("Message")
        if not isinstance(inner, str):
            raise InvalidField("Message", "an SNS notification must carry a JSON string")
        return _json(inner, "Message")
    return document


def _json(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        # The decoder's message says where ("Expecting value: line 1 column 1") without
        # echoing the content, which may hold personal data.
        raise InvalidField(field, f"is not valid JSON ({exc})") from None
    except RecursionError:
        raise InvalidField(field, "is nested too deeply to be an order event") from None


def order_event_parse(event: Any) -> OrderSeen | OrderSkipped:
    """Validate an order-committed event and normalize the phone it links: the drop-off
    phone, else the customer's account phone; neither is a skip, not an error."""
    if not isinstance(event, Mapping):
        raise InvalidField("(event)", "must be a JSON object")
    if event.get("type") != EVENT_TYPE:
        raise InvalidField("type", f"must be {EVENT_TYPE!r}")
    order = _object(event, "order", "order")
    order_id = _identifier(order, "id", "order.id")
    customer_id = _identifier(order, "customerId", "order.customerId")
    country = order.get("country")
    if not isinstance(country, str) or country.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidField("order.country", "must be an ISO 3166 alpha-2 country code")
    created_at = _order_time(order.get("createdAt"))
    # The account phone is read only when there is no drop-off phone: an order that has one
    # links it whatever the rest of the profile copy holds.
    field = PHONE_FIELD
    raw_phone = _optional_phone(order, ("delivery", "dropoff", "phoneNumber"))
    if raw_phone is None:
        field = ACCOUNT_PHONE_FIELD
        raw_phone = _optional_phone(order, ("customer", "phoneNumber"))
    if raw_phone is None:
        return OrderSkipped(order_id=order_id, customer_id=customer_id, reason=SKIP_NO_PHONE)
    try:
        phone = phone_normalize(raw=raw_phone, region=country.upper())
    except PhoneNumberError as exc:
        raise InvalidField(field, str(exc)) from exc
    return OrderSeen(
        order_id=order_id,
        customer_id=customer_id,
        # Keyed by the number's current form where a renumbering makes that certain (an old
        # Brazilian 8-digit mobile gains its ninth digit); searches find the old forms too.
        phone=phone_canonical(e164=phone.e164),
        country=country.upper(),
        created_at=created_at,
        phone_field=field,
    )


def _optional_phone(order: Mapping, path: tuple[str, ...]) -> str | None:
    """The phone at `path` under `order`, or None when it is absent: missing or null anywhere
    on the path, or an empty or blank string. A value of the wrong type, or text no number
    holds (control characters), is malformed."""
    parent = order
    field = "order"
    for key in path[:-1]:
        field = f"{field}.{key}"
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise InvalidField(field, "must be an object (or null, or left out)")
        parent = value
    field = f"{field}.{path[-1]}"
    raw = parent.get(path[-1])
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidField(field, "must be a string (or null, or left out)")
    # Control characters first: a "blank" of tabs and NULs is a broken producer, not a pickup.
    if (problem := text_problem(raw)) is not None:
        raise InvalidField(field, problem)
    return raw if raw.strip() else None


def _order_time(value: Any) -> datetime:
    """The order's creation time in UTC to the second, as the table stores it.

    Stored times have second precision: comparing a finer time with a stored one would count a
    replayed order twice. A time outside the platform's life is a broken producer, not an order.
    """
    parsed = parse_timestamp(value)
    if parsed is None:
        raise InvalidField("order.createdAt", "must be an ISO 8601 timestamp")
    try:
        moment = parsed.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        moment = None
    latest = utc_now() + FUTURE_TOLERANCE
    if moment is None or not EARLIEST_ORDER <= moment <= latest:
        raise InvalidField(
            "order.createdAt",
            f"must lie between {format_timestamp(EARLIEST_ORDER)} and now "
            f"(up to {FUTURE_TOLERANCE.seconds // 60} minutes of clock skew allowed)",
        )
    return moment


def _object(parent: Mapping, key: str, field: str) -> Mapping:
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise InvalidField(field, "is required and must be an object")
    return value


def _identifier(parent: Mapping, key: str, field: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(field, "is required and must be a non-empty string")
    if (problem := identifier_problem(value)) is not None:
        raise InvalidField(field, problem)
    if len(value) > _MAX_ID_LENGTH or "#" in value:
        raise InvalidField(field, f"must be at most {_MAX_ID_LENGTH} characters, no '#'")
    return value.strip()
