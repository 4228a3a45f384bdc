"""Reads: what the pages and the API ask of the phone directory, sorted, paged and flagged by
the one policy in `lookup.domain.ranking`.

`customers_of_number` and `customer_details` only read. The pages and the API call their audited
twins, `customer_search` and `customer_view`, which write the audit entry before returning: no
request reads customer data without leaving one.
"""

from django.conf import settings

from lookup.audit import AuditContext, audit_write
from lookup.domain.errors import CustomerNotFound
from lookup.domain.links import CustomerDetails, CustomerMatch, LinkRow, PhoneLink, SearchPage
from lookup.domain.ranking import Freshness
from lookup.domain.times import utc_now
from lookup.models import AuditEntry
from lookup.phones import PhoneNumber, phone_from_e164
from lookup.repository import get_links, get_profiles
from lookup.repository.dynamo import BATCH_GET_LIMIT

# One BatchGetItem fetches a page's profiles.
MAX_PAGE_SIZE = BATCH_GET_LIMIT


def freshness() -> Freshness:
    """The staleness policy as of now (`STALE_LINK_AFTER_DAYS`)."""
    return Freshness.at(utc_now(), stale_after_days=settings.STALE_LINK_AFTER_DAYS)


def customers_of_number(*, number: PhoneNumber, page: int = 1, page_size: int) -> SearchPage:
    """Customers linked to a normalized number, best candidates first, one page at a time.

    Two round trips however many customers match: one Query reads the number's whole index
    partition (a few hundred small items at most), which is grouped by customer and sorted;
    one BatchGetItem fetches the requested page's profiles. A page past the end is the last.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    policy = freshness()
    by_customer: dict[str, list[PhoneLink]] = {}
    for link in get_links().links_of_number(phone=number.e164):
        by_customer.setdefault(link.customer_id, []).append(link)
    ordered = sorted(by_customer.items(), key=lambda entry: policy.match_key(*entry))
    total = len(ordered)
    page = min(max(page, 1), max(1, -(-total // page_size)))
    window = ordered[(page - 1) * page_size : page * page_size]
    profiles = get_profiles().profiles_get(customer_ids=[customer_id for customer_id, _ in window])
    matches = tuple(
        CustomerMatch(
            customer_id=customer_id,
            profile=profiles.get(customer_id),
            links=tuple(sorted(links, key=lambda link: link.source.rank)),
            possibly_stale=policy.links_are_stale(links),
        )
        for customer_id, links in window
    )
    return SearchPage(number=number, matches=matches, total=total, page=page, page_size=page_size)


def customer_search(
    *, number: PhoneNumber, page: int = 1, page_size: int, audit: AuditContext, api: bool = False
) -> SearchPage:
    """`customers_of_number`, recorded in the audit trail (who searched what, how many)."""
    results = customers_of_number(number=number, page=page, page_size=page_size)
    audit_write(
        audit=audit,
        action=AuditEntry.Action.API_SEARCH if api else AuditEntry.Action.SEARCH,
        phone=number.e164,
        result_count=results.total,
    )
    return results


def customer_details(*, customer_id: str, include_unlinked: bool = True) -> CustomerDetails:
    """A customer's profile and every linked number, current before possibly stale before
    unlinked; raises CustomerNotFound. Unlinked links are history, for those who may restore."""
    profile, links = get_links().links_of_customer(customer_id=customer_id)
    if profile is None and not links:
        raise CustomerNotFound(customer_id)
    policy = freshness()
    shown = sorted(
        (link for link in links if include_unlinked or link.is_active), key=policy.link_key
    )
    return CustomerDetails(
        customer_id=customer_id,
        profile=profile,
        links=tuple(
            LinkRow(
                link=link,
                number=phone_from_e164(link.phone),
                possibly_stale=policy.link_is_stale(link),
            )
            for link in shown
        ),
    )


def customer_view(
    *, customer_id: str, include_unlinked: bool, audit: AuditContext
) -> CustomerDetails:
    """`customer_details`, recorded in the audit trail once the customer is found."""
    details = customer_details(customer_id=customer_id, include_unlinked=include_unlinked)
    audit_write(audit=audit, action=AuditEntry.Action.CUSTOMER_VIEW, customer_id=customer_id)
    return details


def link_of_customer(
    *, customer_id: str, phone: str, legacy_id: str | None
) -> tuple[CustomerDetails, LinkRow] | None:
    """The customer and their order-derived link to `phone` (the legacy record `legacy_id`),
    as the unlink and restore pages show them; None when there is no such link."""
    details = customer_details(customer_id=customer_id)
    for row in details.links:
        link = row.link
        if link.phone == phone and link.can_unlink and link.legacy_id == legacy_id:
            return details, row
    return None
