"""Domain objects as the API's JSON (camelCase, like the events and the table)."""

from datetime import datetime
from typing import Any

from lookup.domain import CustomerMatch, SearchPage
from lookup.ingestion import IngestResult
from lookup.phones import PhoneNumber, phone_from_e164
from lookup.timestamps import format_timestamp


def phone_payload(phone: PhoneNumber) -> dict[str, Any]:
    return {
        "e164": phone.e164,
        "international": phone.international,
        "region": phone.region,
        "countryName": phone.country_name,
        "valid": phone.is_valid,
    }


def link_result_payload(result: IngestResult) -> dict[str, Any]:
    return {
        "outcome": result.outcome.value,
        "created": result.outcome.created,
        "customerId": result.order.customer_id,
        "orderId": result.order.order_id,
        "phone": phone_payload(phone_from_e164(result.order.phone)),
    }


def customer_match_payload(match: CustomerMatch, *, stale_before: datetime) -> dict[str, Any]:
    profile = match.profile
    return {
        "customerId": match.customer_id,
        # No profile (yet) in the users service: the customer is still a match, details unknown.
        "name": profile.name if profile else None,
        "email": profile.email if profile else None,
        "country": profile.country if profile else None,
        "sources": [source.value for source in match.sources],
        "lastSeen": format_timestamp(match.last_seen),
        "possiblyStale": match.is_stale(stale_before),
    }


def search_page_payload(
    results: SearchPage,
    *,
    phone: PhoneNumber,
    requested_page: int,
    next_cursor: str | None,
    stale_before: datetime,
) -> dict[str, Any]:
    # The directory clamps a page past the end to the last one; a client following an old
    # cursor after customers were unlinked must see the end, not the same customers again.
    past_the_end = results.page < requested_page
    matches = () if past_the_end else results.matches
    return {
        "phone": phone_payload(phone),
        "total": results.total,
        "customers": [
            customer_match_payload(match, stale_before=stale_before) for match in matches
        ],
        "nextCursor": None if past_the_end else next_cursor,
    }
