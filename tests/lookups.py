"""Shorthands for the tests: the real selectors and services, called as the pages call them.

No fakes: each function goes through the same code and the same DynamoDB table as the app.
"""

from collections.abc import Iterable

from lookup.audit import AuditContext
from lookup.domain.decisions import LinkDecision
from lookup.domain.links import CustomerProfile, LinkChange, LinkSource, PhoneLink
from lookup.domain.pages import CustomerDetails, SearchPage
from lookup.phones import phone_from_e164
from lookup.repository import Table, get_links
from lookup.repository.records import records_put
from lookup.selectors.customers import customer_details
from lookup.selectors.numbers import customers_of_number
from lookup.services.links import link_decide


def store(
    table: Table, *, profiles: Iterable[CustomerProfile] = (), links: Iterable[PhoneLink] = ()
) -> int:
    """Write records as the users service (and older code) would."""
    return records_put(table=table, profiles=profiles, links=links)


def search(phone: str, *, page: int = 1, page_size: int = 25) -> SearchPage:
    """The customers an E.164 number finds, as the results page lists them."""
    return customers_of_number(number=phone_from_e164(phone), page=page, page_size=page_size)


def found(phone: str) -> list[str]:
    """The customer ids a search for `phone` lists, in order."""
    return [match.customer_id for match in search(phone, page_size=100).matches]


def details(customer_id: str) -> CustomerDetails:
    return customer_details(customer_id=customer_id)


def links_of(customer_id: str) -> list[PhoneLink]:
    """Every link of a customer, unlinked ones included, in the customer page's order."""
    return [row.link for row in details(customer_id).links]


def stored_link(customer_id: str, phone: str, legacy_id: str | None = None) -> PhoneLink | None:
    """One order-derived link (or legacy record), read consistently."""
    return get_links().link_find(customer_id=customer_id, phone=phone, legacy_id=legacy_id)


def decide(
    kind: LinkDecision,
    *,
    customer_id: str,
    phone: str,
    by,
    reason: str,
    expected_version: int | None = None,
    legacy_id: str | None = None,
) -> PhoneLink:
    """Unlink or restore as a signed-in lead (`by`, a user) does from the pages."""
    return link_decide(
        kind=kind,
        link=_order_link(customer_id, phone, legacy_id),
        expected_version=expected_version,
        reason=reason,
        audit=AuditContext(user=by),
    )


def tombstone(
    *, customer_id: str, phone: str, change: LinkChange, legacy_id: str | None = None
) -> PhoneLink:
    """Unlink as a lead did at `change.at` (a moment in the past), straight through storage."""
    return get_links().link_state_save(
        link=_order_link(customer_id, phone, legacy_id),
        unlinked=True,
        change=change,
        expected_version=None,
    )


def _order_link(customer_id: str, phone: str, legacy_id: str | None) -> PhoneLink:
    """What identifies an order-derived link (or a legacy record) to a write."""
    return PhoneLink(
        customer_id=customer_id,
        phone=phone,
        source=LinkSource.LEGACY if legacy_id else LinkSource.ORDER,
        legacy_id=legacy_id,
    )
