"""Reads: what the pages and the API ask of the phone directory, sorted, paged and flagged by
the one policy in `lookup.domain.ranking`.

`customers_of_number` and `customer_details` only read. The pages and the API call their audited
twins, `customer_search` and `customer_view`, which write the audit entry before returning: no
request reads customer data without leaving one.
"""

import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from lookup.audit import AuditContext, audit_write
from lookup.domain.errors import CustomerNotFound
from lookup.domain.links import CustomerProfile, PhoneLink
from lookup.domain.pages import (
    Alternative,
    CustomerDetails,
    CustomerMatch,
    LinkRow,
    NumberRow,
    RecentSearch,
    SearchPage,
    UnlinkedLink,
    order_summary,
    page_count,
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
# Turning the pages of a search within this time of its audit entry adds no other entry.
SAME_SEARCH_WINDOW = timedelta(minutes=30)
# A lead's search reads at most this many unlinked customers of the number (the newest unlinks).
UNLINKED_SHOWN = 10
_UNLINKED_READERS = 4


def freshness() -> Freshness:
    """The staleness policy as of now (`STALE_LINK_AFTER_DAYS`)."""
    return Freshness.at(utc_now(), stale_after_days=settings.STALE_LINK_AFTER_DAYS)


def customers_of_number(
    *,
    number: PhoneNumber,
    page: int = 1,
    page_size: int,
    extension: str | None = None,
    name_filter: str = "",
) -> SearchPage:
    """Customers linked to a normalized number or to one of its other forms (a renumbering's,
    `lookup.phones.equivalents`), best candidates first, one page at a time.

    One Query per form, run concurrently, reads each form's whole index partition (a few hundred
    small items at most); the links are grouped by customer and sorted; one BatchGetItem fetches
    the requested page's profiles. So a number without other forms costs two round trips however
    many customers match, one with k other forms 1 + k Queries (concurrent) and a BatchGetItem.
    A page past the end is the last.

    `name_filter` narrows to the customers whose name or email holds each of its words (case
    and accents aside), across every match, not just one page: the profiles of all matches are
    then fetched, one BatchGetItem per 100. Only a filter costs those extra requests.
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
    total_unfiltered = len(ordered)
    words = _words(name_filter)
    profiles: dict[str, CustomerProfile] = {}
    if words and ordered:
        profiles = get_profiles().profiles_get(
            customer_ids=[customer_id for customer_id, _ in ordered]
        )
        ordered = [entry for entry in ordered if _profile_has(profiles.get(entry[0]), words)]
    total = len(ordered)
    page = min(max(page, 1), page_count(total, page_size))
    window = ordered[(page - 1) * page_size : page * page_size]
    if not words:
        profiles = get_profiles().profiles_get(
            customer_ids=[customer_id for customer_id, _ in window]
        )
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
        name_filter=" ".join(words),
        total_unfiltered=total_unfiltered,
        forms_found=tuple(form for form, links in found.items() if links),
    )


def _folded(text: str) -> str:
    """Text compared without case or accents: "Pérez" is found by "perez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _words(name_filter: str) -> list[str]:
    return name_filter.split()


def _profile_has(profile: CustomerProfile | None, words: list[str]) -> bool:
    """Whether every word of the filter is in the customer's name or email."""
    if profile is None:
        return False
    text = _folded(f"{profile.name or ''} {profile.email or ''}")
    return all(_folded(word) in text for word in words)


def _matched_as(
    number: PhoneNumber, equivalents: tuple[Equivalent, ...], forms: set[str]
) -> tuple[Equivalent, ...]:
    if number.e164 in forms:
        return ()
    return tuple(equivalent for equivalent in equivalents if equivalent.e164 in forms)


def number_alternatives(
    *, raw: str, region: str, regions: Sequence[str], tried: Sequence[str] = ()
) -> tuple[Alternative, ...]:
    """Other readings of `raw` that find customers: the digits as an international number, the
    national reading in each of `regions`, the national number under each business country's
    code (PHONE_REGIONS). Invalid numbers too (what is stored decides; the page flags them), at
    most a dozen, one concurrent Query each, so about one round trip; those finding nobody are
    left out. `tried`: numbers already searched."""
    candidates = [
        number
        for number in phone_other_readings(
            raw=raw,
            region=region,
            regions=regions,
            markets=settings.PHONE_REGIONS,
            include_invalid=True,
        )
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


def readings_search(
    *, raw: str, region: str, regions: Sequence[str], audit: AuditContext
) -> tuple[Alternative, ...]:
    """For input the chosen country cannot read ("(11) 91234-5678" with the United Kingdom):
    the other readings that find customers (`number_alternatives`), recorded in the audit trail
    as a search when there are any, since their customer counts were shown."""
    alternatives = number_alternatives(raw=raw, region=region, regions=regions)
    if alternatives:
        audit_write(
            audit=audit,
            action=AuditEntry.Action.SEARCH,
            result_count=0,
            reason=f"not a number in {region} as typed; " + _alternatives_reason(alternatives),
        )
    return alternatives


def _alternatives_reason(alternatives: Sequence[Alternative]) -> str:
    return "other readings finding customers: " + ", ".join(
        f"{alternative.number.e164} ({alternative.customers})" for alternative in alternatives
    )


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
    name_filter: str = "",
    page_turn: bool = False,
    include_unlinked: bool = False,
) -> SearchPage:
    """A search as the pages and the API run it, recorded in the audit trail.

    The number and its other forms are searched (`customers_of_number`). When they find nobody,
    the other readings of `raw` are tried too (`number_alternatives`), so a wrong country never
    gives a silent "no customer"; a search that finds someone costs nothing more.

    One entry per search: `page_turn` (another page or page size of results the page already
    showed) adds none when the same person's entry for the same number and filter is less than
    SAME_SEARCH_WINDOW old. `include_unlinked` (leads) adds the number's unlinked links.
    """
    results = customers_of_number(
        number=reading.number,
        page=page,
        page_size=page_size,
        extension=reading.extension,
        name_filter=name_filter,
    )
    if not results.total_unfiltered:
        alternatives = number_alternatives(
            raw=raw,
            region=region,
            regions=regions,
            tried=[results.number.e164, *(eq.e164 for eq in results.equivalents)],
        )
        results = replace(results, alternatives=alternatives)
    results = replace(results, read_as=reading.read_as)
    if include_unlinked:
        results = replace(results, unlinked=unlinked_of_number(results=results))
    reason = _search_reason(results)
    action = AuditEntry.Action.API_SEARCH if api else AuditEntry.Action.SEARCH
    if not (
        page_turn and _search_audited(audit=audit, action=action, results=results, reason=reason)
    ):
        audit_write(
            audit=audit,
            action=action,
            phone=reading.number.e164,
            result_count=results.total_unfiltered,
            reason=reason,
        )
    return results


def _search_reason(results: SearchPage) -> str:
    """What else the search looked at: the other forms searched (they can find customers too)
    and the filter it was narrowed with. The same for every page of one search."""
    parts = []
    if results.name_filter:
        parts.append(f"narrowed to “{results.name_filter}”")
    if results.equivalents:
        parts.append("also searched as " + ", ".join(eq.e164 for eq in results.equivalents))
    if results.alternatives:
        parts.append(_alternatives_reason(results.alternatives))
    return "; ".join(parts)


def _search_audited(*, audit: AuditContext, action: str, results: SearchPage, reason: str) -> bool:
    """Whether this person's entry for this search (number and filter) is recent enough to
    cover another page of it."""
    if audit.user is None:
        return False
    return AuditEntry.objects.filter(
        user=audit.user,
        action=action,
        at__gte=timezone.now() - SAME_SEARCH_WINDOW,
        phone=results.number.e164,
        reason=reason,
    ).exists()


def unlinked_of_number(*, results: SearchPage) -> tuple[UnlinkedLink, ...]:
    """The unlinked links to a searched number (or its other forms), for a lead's hint.

    Unlinked links are out of the phone index by design, so no search finds them; the audit
    trail's unlink entries name the customers (one indexed query in the relational database),
    and each customer's profile and links are read (the customer page's two Queries, at most
    UNLINKED_SHOWN customers, a few at a time) to show only links still unlinked, with who, when
    and why as stored. An unlink made outside this tool (the older tool, another
    service) left no entry and is not listed. Costs nothing in DynamoDB when the trail has no
    unlink of the number.
    """
    phones = [results.number.e164, *(eq.e164 for eq in results.equivalents)]
    unlinked_ids = (
        AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK, phone__in=phones)
        .order_by("-at", "-id")
        .values_list("customer_id", flat=True)[: UNLINKED_SHOWN * 5]
    )
    customers = list(dict.fromkeys(unlinked_ids))[:UNLINKED_SHOWN]
    if not customers:
        return ()
    # Customers read concurrently: botocore's client is thread-safe, and no thread touches the
    # relational database.
    with ThreadPoolExecutor(max_workers=min(len(customers), _UNLINKED_READERS)) as pool:
        read = pool.map(
            lambda customer_id: get_links().links_of_customer(customer_id=customer_id), customers
        )
        stored = list(zip(customers, read, strict=True))
    found: list[UnlinkedLink] = []
    for customer_id, read_links in stored:
        profile = read_links.profile
        for link in read_links.links:
            if link.phone in phones and link.unlink is not None:
                found.append(
                    UnlinkedLink(
                        customer_id=customer_id,
                        name=profile.name if profile else None,
                        number=phone_from_e164(link.phone),
                        source=link.source,
                        change=link.unlink,
                    )
                )
    return tuple(found)


def searches_recent(*, user: AbstractBaseUser, limit: int = 10) -> tuple[RecentSearch, ...]:
    """The person's own last `limit` searched numbers, newest first, each number once: one
    query on the audit trail (its (user, action, time) index)."""
    entries = (
        AuditEntry.objects.filter(user=user, action=AuditEntry.Action.SEARCH)
        .order_by("-at", "-id")
        .values_list("phone", "result_count", "at")[: limit * 5]
    )
    recent: dict[str, RecentSearch] = {}
    for phone, customers, at in entries:
        if phone and phone not in recent and len(recent) < limit:
            recent[phone] = RecentSearch(number=phone_from_e164(phone), customers=customers, at=at)
    return tuple(recent.values())


def customer_details(
    *,
    customer_id: str,
    include_unlinked: bool = True,
    searched: str | None = None,
    page: int = 1,
    page_size: int | None = None,
) -> CustomerDetails:
    """A customer's profile and one page of their linked numbers; raises CustomerNotFound.

    The numbers are ordered by `Freshness.link_key` (live before unlinked, current before
    possibly stale, profile before orders before legacy, the most recent first), with the
    number the agent searched (`searched`, E.164, or another form of it) pinned first on page
    1: it is the one they are on the phone about. Unlinked links are history, for those who may
    restore (`include_unlinked`). A page past the end is the last.

    The two Queries read every link (an operator's account may have thousands); only the page's
    `page_size` numbers (default CUSTOMER_NUMBERS_PAGE_SIZE) are described and rendered, so the
    page's size and rendering stay bounded. `links` has one row per link of the page; `numbers`
    the same links, one row per number (a profile phone also on orders is one number, and so
    are a renumbering's forms of it, labelled).
    """
    page_size = page_size or settings.CUSTOMER_NUMBERS_PAGE_SIZE
    read = get_links().links_of_customer(customer_id=customer_id)
    profile, links = read.profile, read.links
    if profile is None and not links:
        raise CustomerNotFound(customer_id)
    policy = freshness()
    shown = sorted(
        (link for link in links if include_unlinked or link.is_active), key=policy.link_key
    )
    groups = _grouped(shown)
    searched_forms: set[str] = set()
    if searched:
        searched_forms = {searched, *(eq.e164 for eq in phone_equivalents(e164=searched))}
        groups = _searched_first(groups, searched_forms)
    live = sum(1 for group in groups if any(link.is_active for link, _ in group))
    threshold = settings.SHARED_ACCOUNT_NUMBERS_THRESHOLD
    page = min(max(page, 1), page_count(len(groups), page_size))
    window = groups[(page - 1) * page_size : page * page_size]
    if not read.complete:
        # A large account's links were ranked on a projection: the page's read whole (their
        # recent orders), one BatchGetItem.
        whole = iter(
            get_links().links_completed(links=[link for group in window for link, _ in group])
        )
        window = [[(next(whole), same_as) for _, same_as in group] for group in window]
    # Only the page's links are described (parsed for display, judged for staleness).
    rows = [
        [
            LinkRow(
                link=link,
                number=phone_from_e164(link.phone),
                possibly_stale=policy.link_is_stale(link),
                same_as=same_as,
            )
            for link, same_as in group
        ]
        for group in window
    ]
    return CustomerDetails(
        customer_id=customer_id,
        profile=profile,
        links=tuple(row for group in rows for row in group),
        numbers=tuple(
            number_row for group in rows for number_row in _numbers(group, searched_forms)
        ),
        orders=order_summary(shown),
        page=page,
        page_size=page_size,
        total_numbers=len(groups),
        live_numbers=live,
        probably_shared=0 < threshold <= live,
    )


def _numbers(group: list[LinkRow], searched: set[str]) -> list[NumberRow]:
    """A group's rows as one row per number, in the order each number first appears."""
    by_phone: dict[str, list[LinkRow]] = {}
    for row in group:
        by_phone.setdefault(row.link.phone, []).append(row)
    return [
        NumberRow(
            number=rows[0].number,
            links=tuple(rows),
            same_as=rows[0].same_as,
            searched=phone in searched,
        )
        for phone, rows in by_phone.items()
    ]


# A number's links, each with the other form it is (a renumbering's) when it is not the first.
_Group = list[tuple[PhoneLink, Equivalent | None]]


def _grouped(links: list[PhoneLink]) -> list[_Group]:
    """The links in their order, each number's other links and other forms (a renumbering's)
    moved up under its first link, the other forms labelled; one list per number with its
    other forms. Works on the stored strings: nothing is parsed for display here."""
    groups: list[_Group] = []
    group_of: dict[str, int] = {}
    label_of: dict[str, Equivalent | None] = {}
    for link in links:
        phone = link.phone
        same = group_of.get(phone)
        if same is not None:
            groups[same].append((link, label_of[phone]))
            continue
        forms = phone_equivalents(e164=phone)
        other = next((group_of[form.e164] for form in forms if form.e164 in group_of), None)
        if other is not None:
            lead = groups[other][0][0].phone
            as_seen_from_lead = {eq.e164: eq for eq in phone_equivalents(e164=lead)}
            label_of[phone] = as_seen_from_lead.get(phone)
            groups[other].append((link, label_of[phone]))
            group_of[phone] = other
        else:
            label_of[phone] = None
            group_of[phone] = len(groups)
            groups.append([(link, None)])
    return groups


def _searched_first(groups: list[_Group], searched: set[str]) -> list[_Group]:
    """The searched number's group (it or another form of it) moved to the front."""
    for position, group in enumerate(groups):
        if any(link.phone in searched for link, _ in group):
            return [group, *groups[:position], *groups[position + 1 :]]
    return groups


def customer_exists(*, customer_id: str) -> bool:
    """Whether the customer has a profile: one GetItem of its key alone."""
    return get_profiles().profile_exists(customer_id=customer_id)


def customer_view(
    *,
    customer_id: str,
    include_unlinked: bool,
    audit: AuditContext,
    searched: str | None = None,
    page: int = 1,
) -> CustomerDetails:
    """`customer_details`, recorded in the audit trail once the customer is found."""
    details = customer_details(
        customer_id=customer_id, include_unlinked=include_unlinked, searched=searched, page=page
    )
    audit_write(audit=audit, action=AuditEntry.Action.CUSTOMER_VIEW, customer_id=customer_id)
    return details


def link_of_customer(
    *, customer_id: str, phone: str, legacy_id: str | None
) -> tuple[CustomerDetails, LinkRow] | None:
    """The customer and their order-derived link to `phone` (the legacy record `legacy_id`),
    as the unlink and restore pages show them; None when there is no such link. The link is
    looked for among all the customer's links, whichever page of numbers lists it."""
    read = get_links().links_of_customer(customer_id=customer_id)
    profile = read.profile
    if profile is None and not read.links:
        raise CustomerNotFound(customer_id)
    # The customer's links to the number in any of its forms: what a search for it would still
    # find them through once this one is unlinked (the page says so).
    forms = {phone, *(eq.e164 for eq in phone_equivalents(e164=phone))}
    policy = freshness()
    rows = [
        LinkRow(
            link=link,
            number=phone_from_e164(link.phone),
            possibly_stale=policy.link_is_stale(link),
        )
        for link in read.links
        if link.phone in forms
    ]
    for index, row in enumerate(rows):
        link = row.link
        if link.phone == phone and link.can_unlink and link.legacy_id == legacy_id:
            if not read.complete:
                [whole] = get_links().links_completed(links=[link])
                rows[index] = row = replace(row, link=whole)
            details = CustomerDetails(customer_id=customer_id, profile=profile, links=tuple(rows))
            return details, row
    return None


def link_view(
    *, customer_id: str, phone: str, legacy_id: str | None, audit: AuditContext, page: str
) -> tuple[CustomerDetails, LinkRow] | None:
    """`link_of_customer` for a page that shows it (the unlink or restore confirmation: the
    customer's name, id and orders), recorded in the audit trail as a view of the customer."""
    found = link_of_customer(customer_id=customer_id, phone=phone, legacy_id=legacy_id)
    if found is not None:
        audit_write(
            audit=audit,
            action=AuditEntry.Action.CUSTOMER_VIEW,
            customer_id=customer_id,
            phone=phone,
            reason=page,
        )
    return found
