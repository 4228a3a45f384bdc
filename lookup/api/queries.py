"""Parameters of `GET /api/v1/customers`, read into the search they ask for (the same
`SearchQuery` the search page's form yields), and its opaque pagination cursor.

The cursor is a signed token naming the number, the page and the page size: callers cannot
forge or edit one (a tampered cursor is a 400), and the page size cannot change between pages,
which would shift the window and skip or repeat customers.
"""

from collections.abc import Sequence

from django.core import signing
from django.http import QueryDict

from lookup.domain.errors import InvalidField
from lookup.phones import PhoneNumber, PhoneNumberError, phone_read, region_normalize
from lookup.selectors.numbers import MAX_PAGE_SIZE
from lookup.services.search import SearchQuery

_CURSOR_SALT = "lookup.api.customers.cursor"


def customer_query_parse(
    *, params: QueryDict, default_page_size: int, regions: Sequence[str]
) -> SearchQuery:
    """Validate `phone`, `region`, `limit` and `cursor`; raises InvalidField naming the field.

    `phone` is read like the search box reads it (any format, a `tel:` URI, an extension);
    `region` in any case ("" when none was sent). `regions`: the countries whose readings are
    tried when the number finds nobody. Every call is a search of its own (no page turns).
    """
    given = params.get("region", "").strip()
    region = region_normalize(code=given) or ""
    if given and not region:
        raise InvalidField("region", "must be an ISO 3166 alpha-2 country code, e.g. GB.")
    raw = params.get("phone", "")
    try:
        reading = phone_read(raw=raw, region=region)
    except PhoneNumberError as exc:
        raise InvalidField("phone", str(exc)) from exc

    cursor = params.get("cursor", "")
    if cursor:
        page, page_size = cursor_decode(cursor=cursor, phone=reading.number)
    else:
        page, page_size = 1, _limit(params.get("limit"), default_page_size)
    return SearchQuery(
        reading=reading,
        raw=raw,
        region=region,
        regions=tuple(regions),
        page=page,
        page_size=page_size,
    )


def cursor_encode(*, phone: PhoneNumber, page: int, page_size: int) -> str:
    return signing.dumps({"phone": phone.e164, "page": page, "limit": page_size}, salt=_CURSOR_SALT)


def cursor_decode(*, cursor: str, phone: PhoneNumber) -> tuple[int, int]:
    """(page, page size) from a cursor issued for this number; raises InvalidField."""
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature:
        payload = None
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("page"), int)
        and isinstance(payload.get("limit"), int)
    ):
        raise InvalidField("cursor", "is not a cursor this API issued: pass nextCursor unchanged.")
    if payload.get("phone") != phone.e164:
        raise InvalidField("cursor", "was issued for another phone number.")
    return payload["page"], payload["limit"]


def _limit(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidField("limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    return limit
