"""The request and response bodies of /api/v1 as JSON Schemas (OpenAPI 3.1 components), apart
from the document that arranges them into paths (lookup.api.openapi)."""

from typing import Any

from lookup.events import ACCOUNT_PHONE_FIELD, PHONE_FIELD, SKIP_NO_PHONE

_NULLABLE_STRING = {"type": ["string", "null"]}
# What the server accepts as an id: what `lookup.events` enforces (no '#', no control characters,
# no bidirectional controls).
_ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": 128,
    "pattern": "^[^#\\u0000-\\u001F\\u007F-\\u009F"
    "\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]+$",
}

# A phone field of the event: null, empty or blank mean "none" (lookup.events).
_PHONE = {"type": ["string", "null"], "maxLength": 256}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "examples": ["invalid_event", "invalid_request", "invalid_api_key"],
                    },
                    "message": {"type": "string", "description": "Meant for a person."},
                    "field": {
                        "type": "string",
                        "description": "The offending field: a dotted path into the event, "
                        "a query parameter name, or `(body)` / `(event)`.",
                        "examples": [PHONE_FIELD, "phone", "cursor"],
                    },
                },
            }
        },
    },
    "OrderCommittedEvent": {
        "type": "object",
        "required": ["type", "order"],
        "properties": {
            "type": {"const": "order.committed"},
            "id": {"type": "string"},
            "occurredAt": {"type": "string", "format": "date-time"},
            "order": {
                "type": "object",
                "required": ["id", "customerId", "country", "createdAt"],
                "properties": {
                    "id": {**_ID, "description": "The order id."},
                    "customerId": {**_ID, "description": "cognitoId"},
                    "country": {
                        "type": "string",
                        "pattern": "^[A-Za-z]{2}$",
                        "description": "ISO 3166 alpha-2, any case; reads a national drop-off "
                        "number.",
                    },
                    "createdAt": {
                        "type": "string",
                        "format": "date-time",
                        "description": (
                            "When the order was committed; any offset, read in UTC to the "
                            "second. Must lie between 2000-01-01 and now (10 minutes of clock "
                            "skew allowed)."
                        ),
                    },
                    "delivery": {
                        "type": ["object", "null"],
                        "description": "Left out or null for an order without delivery "
                        "(pickup, dine-in, drive-through).",
                        "properties": {
                            "dropoff": {
                                "type": ["object", "null"],
                                "properties": {
                                    "phoneNumber": {
                                        **_PHONE,
                                        "description": "The number the order links. Any "
                                        "format; national ones are read with `order.country`. "
                                        "Stored by the number's current form where a "
                                        "renumbering makes it certain (e.g. Brazil's ninth "
                                        "mobile digit). Left out, null, empty or blank: the "
                                        f"order links `{ACCOUNT_PHONE_FIELD}` instead.",
                                    }
                                },
                            }
                        },
                    },
                    "customer": {
                        "type": ["object", "null"],
                        "description": "The customer's account, as the order service knows it.",
                        "properties": {
                            "phoneNumber": {
                                **_PHONE,
                                "description": "The account's phone: read, like the drop-off "
                                "phone and with the same rules, only when the order has no "
                                "drop-off phone. Without either the order is answered "
                                "`skipped`.",
                            }
                        },
                    },
                },
            },
        },
        "examples": [
            {
                "type": "order.committed",
                "id": "evt_01",
                "occurredAt": "2026-11-28T10:00:00Z",
                "order": {
                    "id": "ord_01",
                    "customerId": "eu-west-1:7c1e",
                    "country": "BR",
                    "createdAt": "2026-11-28T09:59:58Z",
                    "delivery": {"dropoff": {"phoneNumber": "+55 11 91234-5678"}},
                },
            },
            {
                "type": "order.committed",
                "id": "evt_02",
                "occurredAt": "2026-11-28T12:30:00Z",
                "order": {
                    "id": "ord_02",
                    "customerId": "eu-west-1:7c1e",
                    "country": "BR",
                    "createdAt": "2026-11-28T12:29:58Z",
                    "customer": {"phoneNumber": "+55 11 91234-5678"},
                },
            },
        ],
    },
    "Phone": {
        "type": "object",
        "required": ["e164", "international", "region", "countryName", "valid"],
        "properties": {
            "e164": {"type": "string", "examples": ["+447946095812"]},
            "international": {"type": "string", "examples": ["+44 7946 095812"]},
            "region": {"type": "string", "examples": ["GB"]},
            "countryName": {"type": "string", "examples": ["United Kingdom"]},
            "valid": {
                "type": "boolean",
                "description": "Whether the number is assigned in its numbering plan; possible "
                "but invalid numbers are still searched.",
            },
        },
    },
    "Equivalent": {
        "allOf": [ref("Phone")],
        "type": "object",
        "required": ["rule", "label"],
        "properties": {
            "rule": {
                "type": "string",
                "examples": ["br_without_ninth_digit", "mx_with_mobile_1", "ar_with_mobile_9"],
                "description": "Which renumbering relates this form to the number searched "
                "(docs/phone-numbers.md lists them).",
            },
            "label": {"type": "string", "examples": ["the number before the ninth digit"]},
        },
    },
    "Alternative": {
        "allOf": [ref("Phone")],
        "type": "object",
        "required": ["customers"],
        "properties": {
            "customers": {"type": "integer", "minimum": 1},
        },
        "description": "Another reading of a national-format `phone` (another country's, or the "
        "digits as international) that finds customers.",
    },
    "LinkResult": {
        "type": "object",
        "required": ["outcome", "created", "customerId", "orderId", "phone"],
        "properties": {
            "outcome": {
                "enum": [
                    "created",
                    "relinked",
                    "updated",
                    "already_recorded",
                    "kept_unlinked",
                    "skipped",
                ],
                "description": "`kept_unlinked`: the order predates an unlink by support staff, "
                "so it does not make the number searchable again. `skipped`: the order has "
                "neither a drop-off nor an account phone; nothing was written, and sending it "
                "again changes nothing.",
            },
            "created": {"type": "boolean", "description": "True with status 201."},
            "customerId": {"type": "string"},
            "orderId": {"type": "string"},
            "phone": {
                "oneOf": [ref("Phone"), {"type": "null"}],
                "description": "The number linked; null when `skipped`.",
            },
            "reason": {
                "type": "string",
                "description": "Why the order was `skipped` (only then).",
                "examples": [SKIP_NO_PHONE],
            },
        },
    },
    "Customer": {
        "type": "object",
        "required": [
            "customerId",
            "name",
            "email",
            "country",
            "sources",
            "lastSeen",
            "possiblyStale",
            "supersededSince",
            "matchedAs",
        ],
        "properties": {
            "customerId": {"type": "string"},
            "name": {**_NULLABLE_STRING, "description": "null when the profile is unknown."},
            "email": _NULLABLE_STRING,
            "country": {**_NULLABLE_STRING, "description": "ISO 3166 alpha-2."},
            "sources": {
                "type": "array",
                "items": {"enum": ["profile", "order", "legacy"]},
                "description": "How this customer is linked to the number.",
            },
            "lastSeen": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "The latest order carrying the number (UTC).",
            },
            "possiblyStale": {
                "type": "boolean",
                "description": "Only order links, none seen on an order for a long time (or "
                "never on a dated one).",
            },
            "supersededSince": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "The number passed to another customer: every order link of this "
                "customer to it was last seen before another customer's first order to it, "
                "which began then (UTC). null: it did not. Listed after current customers.",
            },
            "matchedAs": {
                "oneOf": [ref("Equivalent"), {"type": "null"}],
                "description": "The other form of the number this customer was found through; "
                "null when found through the number asked for.",
            },
        },
    },
    "CustomerPage": {
        "type": "object",
        "required": [
            "phone",
            "extension",
            "alsoSearched",
            "alternatives",
            "total",
            "customers",
            "nextCursor",
        ],
        "properties": {
            "phone": ref("Phone"),
            "extension": {
                **_NULLABLE_STRING,
                "description": "An extension given with `phone`: read, not searched.",
            },
            "alsoSearched": {
                "type": "array",
                "items": ref("Equivalent"),
                "description": "The number's other forms (renumberings) searched with it.",
            },
            "alternatives": {
                "type": "array",
                "items": ref("Alternative"),
                "description": "When `phone` was national and is not a valid number or finds "
                "nobody: the other readings that find customers (at most a few).",
            },
            "total": {"type": "integer", "minimum": 0},
            "customers": {"type": "array", "items": ref("Customer")},
            "nextCursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` (with the same `phone`) for the next page; "
                "null on the last page.",
            },
        },
    },
}
