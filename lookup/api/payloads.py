"""Domain objects as the API's JSON (camelCase, like the events and the table)."""

from typing import Any

from lookup.domain.evidence import OrderSkipped
from lookup.domain.pages import CustomerMatch, SearchPage
from lookup.domain.times import format_timestamp
from lookup.phones import Equivalent, PhoneNumber, phone_from_e164
from lookup.services.ingestion import IngestResult


def phone_payload(phone: PhoneNumber) -> dict[str, Any]:
    return {
        "e164": phone.e164,
        "international": phone.international,
        "region": phone.region,
        "countryName": phone.country_name,
        "valid": phone.is_valid,
    }


def link_result_payload(result: IngestResult) -> dict[str, Any]:
    order = result.order
    payload = {
        "outcome": result.outcome.value,
        "created": result.outcome.created,
        "customerId": order.customer_id,
        "orderId": order.order_id,
    }
    if isinstance(order, OrderSkipped):
        return {**payload, "phone": None, "reason": order.reason}
    return {**payload, "phone": phone_payload(phone_from_e164(order.phone))}


def equivalent_payload(equivalent: Equivalent) -> dict[str, Any]:
    return {
        **phone_payload(phone_from_e164(equivalent.e164)),
        "rule": equivalent.rule,
        "label": equivalent.label,
    }


def customer_match_payload(match: CustomerMatch) -> dict[str, Any]:
    profile = match.profile
    return {
        "customerId": match.customer_id,
        # No profile (yet) in the users service: the customer is still a match, details unknown.
        "name": profile.name if profile else None,
        "email": profile.email if profile else None,
        "country": profile.country if profile else None,
        "sources": [source.value for source in match.sources],
        "lastSeen": format_timestamp(match.last_seen),
        "possiblyStale": match.possibly_stale,
        # Another customer's orders took the number over (null: they did not).
        "supersededSince": format_timestamp(match.superseded_since),
        # The other form of the number this customer was found through (null: the one asked for).
        "matchedAs": equivalent_payload(match.matched_as[0]) if match.matched_as else None,
    }


def search_page_payload(
    results: SearchPage, *, requested_page: int, next_cursor: str | None
) -> dict[str, Any]:
    # The directory clamps a page past the end to the last one; a client following an old
    # cursor after customers were unlinked must see the end, not the same customers again.
    past_the_end = results.page < requested_page
    matches = () if past_the_end else results.matches
    return {
        "phone": phone_payload(results.number),
        "extension": results.extension,
        "alsoSearched": [equivalent_payload(equivalent) for equivalent in results.equivalents],
        "alternatives": [
            {**phone_payload(alternative.number), "customers": alternative.customers}
            for alternative in results.alternatives
        ],
        "total": results.total,
        "customers": [customer_match_payload(match) for match in matches],
        "nextCursor": None if past_the_end else next_cursor,
    }
