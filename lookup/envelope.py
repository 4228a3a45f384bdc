"""Unwrap an order event from what carries it: a raw JSON message or an SNS notification.

SNS delivers to SQS as `{"Type": "Notification", "Message": "<the event as a JSON string>", ...}`
unless raw delivery is enabled; both arrive on the same queue, and backfill files may hold
either (e.g. messages exported from the dead-letter queue).
"""

import json
from typing import Any

from lookup.ingestion import InvalidOrderEvent

MESSAGE_FIELD = "(message)"


def event_unwrap(text: str) -> Any:
    """The event in a message body; raises InvalidOrderEvent when it is not JSON."""
    document = _json(text, MESSAGE_FIELD)
    if isinstance(document, dict) and document.get("Type") == "Notification":
        inner = document.get("Message")
        if not isinstance(inner, str):
            raise InvalidOrderEvent("Message", "an SNS notification must carry a JSON string")
        return _json(inner, "Message")
    return document


def _json(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        # The decoder's message says where ("Expecting value: line 1 column 1") without
        # echoing the content, which may hold personal data.
        raise InvalidOrderEvent(field, f"is not valid JSON ({exc})") from None
    except RecursionError:
        raise InvalidOrderEvent(field, "is nested too deeply to be an order event") from None
