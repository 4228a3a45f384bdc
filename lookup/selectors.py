"""Reads: what the pages and the API ask of the phone directory, sorted, paged and flagged by
the one policy in `lookup.domain.ranking`.

`customers_of_number` and `customer_details` only read. The pages and the API call their audited
twins, `customer_search` and `customer_view`, which write the audit entry before returning: no
request reads customer data without leaving one.
"""

from collections.abc import Sequence
from dataclasses import replace

from django.conf import settings

from lookup.audit import AuditContext, audit_write
from lookup.domain.errors import CustomerNotFound
from lookup.domain.links import (
    Alternative,
    CustomerDetails,
    CustomerMatch,
    LinkRow,
    PhoneLink,
    SearchPage,
)
from lookup.domain.ranking import Freshness
from lookup.domain.times import utc_now
from lookup.models import AuditEntry
from lookup.phones import (
    Equivalent,
    PhoneNumber,
    PhoneReading,
    phone_equivalents,
    phone_from_e164,
    phone_other_readings,
)
from lookup.repository import get_links, get_profiles
from lookup.repository.dynamo import BATCH_GET_LIMIT

# One BatchGetItem fetches a page's profiles.
MAX_PAGE_SIZE = BATCH_GET_LIMIT


def freshness() -> Freshness:
    """The staleness policy as of now (`STALE_LINK_AFTER_DAYS`)."""
    return Freshness.at(utc_now(), stale_after_days=settings.STALE_LINK_AFTER_DAYS)


def customers_of_number(
    *, number: PhoneNumber, page: int = 1, page_size: int, extension: str | None = None
) -> SearchPage:
    """Customers linked to a normalized number or to one of its other forms (a renumbering's,
    `lookup.phones.equivalents`), best candidates first, one page at a time.

    One Query per form, run concurrently, reads each form's whole index partition (a few hundred
    small items at most); the links are grouped by customer and sorted; one BatchGetItem fetches
    the requested page's profiles. So a number without other forms costs two round trips however
    many customers match, one with k other forms 1 + k Queries (concurrent) and a BatchGetItem.
    A page past the end is the last.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    policy = freshness()
    equivalents = phone_equivalents(e164=number.e164)
    found = get_links().links_of_numbers(phones=[number.e164, *(eq.e164 for eq in equivalents)])
    by_customer: dict[str, list[PhoneLink]] = {}
    forms_of: dict[str, set[str]] = {}
    for form, links in found.items():
        for link in links:
            by_customer.setdefault(link.customer_id, []).append(link)
            forms_of.setdefault(link.customer_id, set()).add(form)
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
            matched_as=_matched_as(number, equivalents, forms_of[customer_id]),
        )
        for customer_id, links in window
    )
    return SearchPage(
        number=number,
        matches=matches,
        total=total,
        page=page,
        page_size=page_size,
        equivalents=equivalents,
        extension=extension,
    )


def _matched_as(
    number: PhoneNumber, equivalents: tuple[Equivalent, ...], forms: set[str]
) -> tuple[Equivalent, ...]:
    if number.e164 in forms:
        return ()
    return tuple(equivalent for equivalent in equivalents if equivalent.e164 in forms)


def number_alternatives(
    *, raw: str, region: str, regions: Sequence[str], searched: SearchPage
) -> tuple[Alternative, ...]:
    """Other readings of `raw` that find customers: the digits as an international number, the
    national reading in each of `regions`. Only valid numbers are tried (at most a handful, one
    concurrent Query each); those finding nobody are left out."""
    tried = {searched.number.e164, *(eq.e164 for eq in searched.equivalents)}
    candidates = [
        number
        for number in phone_other_readings(raw=raw, region=region, regions=regions)
        if number.e164 not in tried
    ]
    if not candidates:
        return ()
    found = get_links().links_of_numbers(phones=[number.e164 for number in candidates])
    counted = (
        Alternative(number=number, customers=len({link.customer_id for link in found[number.e164]}))
        for number in candidates
    )
    return tuple(alternative for alternative in counted if alternative.customers)


def customer_search(
    *,
    reading: PhoneReading,
    raw: str,
    region: str,
    regions: Sequence[str],
    page: int = 1,
    page_size: int,
    audit: AuditContext,
    api: bool = False,
) -> SearchPage:
    """A search as the pages and the API run it, recorded in the audit trail.

    The number and its other forms are searched (`customers_of_number`). When it was read in
    national format and is not a valid number or finds nobody, the other readings of `raw` are
    tried too (`number_alternatives`), so a wrong country never gives a silent "no customer".
    """
    results = customers_of_number(
        number=reading.number, page=page, page_size=page_size, extension=reading.extension
    )
    if reading.national and (not reading.number.is_valid or not results.total):
        alternatives = number_alternatives(
            raw=raw, region=region, regions=regions, searched=results
        )
        results = replace(results, alternatives=alternatives)
    also = ", ".join(eq.e164 for eq in results.equivalents)
    audit_write(
        audit=audit,
        action=AuditEntry.Action.API_SEARCH if api else AuditEntry.Action.SEARCH,
        phone=reading.number.e164,
        result_count=results.total,
        # The other forms searched can find customers too: the entry says which were looked at.
        reason=f"also searched as {also}" if also else "",
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
    rows = [
        LinkRow(
            link=link, number=phone_from_e164(link.phone), possibly_stale=policy.link_is_stale(link)
        )
        for link in shown
    ]
    return CustomerDetails(customer_id=customer_id, profile=profile, links=_grouped(rows))


def _grouped(rows: list[LinkRow]) -> tuple[LinkRow, ...]:
    """The rows in their order, each number's other links and other forms (a renumbering's)
    moved up under its first row, the other forms labelled."""
    groups: list[list[LinkRow]] = []
    group_of: dict[str, int] = {}
    for row in rows:
        phone = row.link.phone
        same = group_of.get(phone)
        forms = {equivalent.e164: equivalent for equivalent in phone_equivalents(e164=phone)}
        other = next((group_of[form] for form in forms if form in group_of), None)
        if same is not None:
            prior = next(other for other in groups[same] if other.link.phone == phone)
            groups[same].append(replace(row, same_as=prior.same_as))
        elif other is not None:
            lead = groups[other][0].link.phone
            as_seen_from_lead = {eq.e164: eq for eq in phone_equivalents(e164=lead)}
            groups[other].append(replace(row, same_as=as_seen_from_lead.get(phone)))
            group_of[phone] = other
        else:
            group_of[phone] = len(groups)
            groups.append([row])
    return tuple(row for group in groups for row in group)


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
