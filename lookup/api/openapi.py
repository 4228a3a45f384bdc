"""The OpenAPI 3.1 description of /api/v1, written by hand (two endpoints do not need a
generator). tests/api/test_openapi.py validates it and checks real responses against it."""

from typing import Any

from lookup.api.schemas import SCHEMAS, ref
from lookup.models import ApiClient


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response = _json(ref("Error"), description)
    if headers:
        response["headers"] = headers
    return response


_AUTH_ERRORS = {
    "401": _error("No API key, or a wrong or revoked one."),
    "403": _error("The key is valid but lacks this endpoint's scope (the refusal is audited)."),
    "405": _error("Wrong HTTP method."),
    "429": _error(
        "Too many calls this minute for this key, or no valid key from an address that sent "
        "too many wrong ones (a valid key from it is still served).",
        headers={
            "Retry-After": {
                "description": "Seconds until the minute is over.",
                "schema": {"type": "integer"},
            }
        },
    ),
    "503": _error(
        "Customer data (DynamoDB) is temporarily unavailable.",
        headers={
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            }
        },
    ),
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Phone lookup API",
            "version": "1.0.0",
            "description": "Link order drop-off phones to customers and find customers by "
            "phone. Keys are issued by admins in the Django admin; every call is audited.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerKey": []}, {"apiKeyHeader": []}],
        "paths": {
            "/api/v1/phone-links": {
                "post": {
                    "operationId": "phoneLinksCreate",
                    "summary": "Link an order's drop-off phone (else the account phone) to its "
                    "customer",
                    "description": "Idempotent: the same order again answers 200 and changes "
                    "nothing. An order with neither phone answers 200 `skipped`. Scope "
                    f"`{ApiClient.Scope.LINKS_WRITE}`.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("OrderCommittedEvent")}},
                    },
                    "responses": {
                        "201": _json(ref("LinkResult"), "The number is newly searchable."),
                        "200": _json(
                            ref("LinkResult"),
                            "Already linked, or `skipped` (no phone to link); nothing new.",
                        ),
                        "400": _error("Not JSON, or an unusable event; `field` names why."),
                        "413": _error("Body too large (with a Content-Length or sent chunked)."),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/customers": {
                "get": {
                    "operationId": "customersFind",
                    "summary": "Find the customers linked to a phone number",
                    "description": "Best candidates first (profile owners, then the most "
                    f"recently seen). Scope `{ApiClient.Scope.CUSTOMERS_READ}`.",
                    "parameters": [
                        {
                            "name": "phone",
                            "in": "query",
                            "required": True,
                            "description": "As typed or pasted: international (+, 00, 011), "
                            "national with `region`, a `tel:` URI, with an extension.",
                            "schema": {"type": "string", "minLength": 1, "maxLength": 256},
                        },
                        {
                            "name": "region",
                            "in": "query",
                            "description": "ISO 3166 alpha-2 (any case) used to read a "
                            "national number.",
                            "schema": {
                                "type": "string",
                                "pattern": "^[A-Za-z]{2}$",
                                "examples": ["GB"],
                            },
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "description": "Customers per page (default 25); a cursor keeps "
                            "the limit of its first page.",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        {
                            "name": "cursor",
                            "in": "query",
                            "description": "`nextCursor` of the previous page.",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": _json(ref("CustomerPage"), "One page of matches."),
                        "400": _error("Bad `phone`, `region`, `limit` or `cursor`."),
                        **_AUTH_ERRORS,
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer plk_…`",
                },
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }
