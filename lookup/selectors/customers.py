"""A customer's page: their profile and one page of their numbers, and one of their links as
the unlink and restore pages show it. Reads only."""

from dataclasses import replace

from django.conf import settings

from lookup.domain.errors import CustomerNotFound
from lookup.domain.links import PhoneLink
from lookup.domain.pages import (
    CustomerDetails,
    LinkRow,
    NumberRow,
    order_summary,
    page_count,
)
from lookup.domain.ranking import link_may_pass, link_superseded_since
from lookup.phones import Equivalent, phone_equivalents, phone_from_e164
from lookup.repository import get_links, get_profiles
from lookup.selectors.policy import freshness


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
    # Only the page's links are described (parsed for display, judged for staleness and for
    # having passed to another customer).
    others = _number_links(links=[link for group in window for link, _ in group], own=links)
    rows = [
        [
            LinkRow(
                link=link,
                number=phone_from_e164(link.phone),
                possibly_stale=policy.link_is_stale(link),
                same_as=same_as,
                superseded_since=link_superseded_since(
                    link, number_links=[*others.get(link.phone, ()), *links]
                ),
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


def _number_links(*, links: list[PhoneLink], own: list[PhoneLink]) -> dict[str, list[PhoneLink]]:
    """Every customer's live links to the numbers of `links` that could have passed to another
    customer (live, order-derived, dated, not on the customer's profile): one Query a number,
    all at the same time, so one round trip more for a page that has such a link."""
    candidates = [link.phone for link in links if link_may_pass(link, number_links=own)]
    if not candidates:
        return {}
    return get_links().links_of_numbers(phones=list(dict.fromkeys(candidates)))


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
