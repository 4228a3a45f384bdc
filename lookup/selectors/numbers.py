"""The customers of a number, best candidates first, and the other readings of what was typed
that find customers. Reads only."""

import unicodedata
from collections.abc import Sequence

from django.conf import settings

from lookup.domain.links import CustomerProfile, PhoneLink
from lookup.domain.pages import Alternative, CustomerMatch, SearchPage, page_count
from lookup.domain.ranking import Standing, Takeovers, latest_takeover, link_superseded_since
from lookup.phones import (
    Equivalent,
    PhoneNumber,
    phone_equivalents,
    phone_other_readings,
)
from lookup.repository import get_links, get_profiles, get_tombstones
from lookup.repository.dynamo import BATCH_GET_LIMIT
from lookup.selectors.policy import freshness
from lookup.selectors.unlinked import unlinked_hinted, unlinked_links

# One BatchGetItem fetches a page's profiles.
MAX_PAGE_SIZE = BATCH_GET_LIMIT


def customers_of_number(
    *,
    number: PhoneNumber,
    page: int = 1,
    page_size: int,
    extension: str | None = None,
    name_filter: str = "",
    include_unlinked: bool = False,
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

    `include_unlinked` (a lead's search) adds the number's tombstones (`SearchPage.unlinked`):
    one Query more per form, at the same time as the live ones, and their customers' names in
    the same BatchGetItem as the page's.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    policy = freshness()
    equivalents = phone_equivalents(e164=number.e164)
    forms = [number.e164, *(eq.e164 for eq in equivalents)]
    hinted: list[PhoneLink] = []
    if include_unlinked:
        read = get_tombstones().links_of_numbers_with_tombstones(phones=forms)
        found = read.live
        hinted = unlinked_hinted(tombstones=(t for links in read.unlinked.values() for t in links))
    else:
        found = get_links().links_of_numbers(phones=forms)
    hinted_ids = [link.customer_id for link in hinted]
    by_customer: dict[str, list[PhoneLink]] = {}
    forms_of: dict[str, set[str]] = {}
    for form, links in found.items():
        for link in links:
            by_customer.setdefault(link.customer_id, []).append(link)
            forms_of.setdefault(link.customer_id, set()).add(form)
    # Built once: every customer of the number is judged against every other.
    number_links = Takeovers([link for links in found.values() for link in links])
    ordered = sorted(
        by_customer.items(),
        key=lambda entry: policy.match_key(*entry, number_links=number_links),
    )
    total_unfiltered = len(ordered)
    words = _words(name_filter)
    profiles: dict[str, CustomerProfile] = {}
    if words and (ordered or hinted_ids):
        profiles = get_profiles().profiles_get(
            customer_ids=_unique([customer_id for customer_id, _ in ordered], hinted_ids)
        )
        ordered = [entry for entry in ordered if _profile_has(profiles.get(entry[0]), words)]
    total = len(ordered)
    page = min(max(page, 1), page_count(total, page_size))
    window = ordered[(page - 1) * page_size : page * page_size]
    if not words:
        profiles = get_profiles().profiles_get(
            customer_ids=_unique([customer_id for customer_id, _ in window], hinted_ids)
        )
    matches = tuple(
        CustomerMatch(
            customer_id=customer_id,
            profile=profiles.get(customer_id),
            links=tuple(sorted(links, key=lambda link: link.source.rank)),
            # As the ranking judged them: no current link, and not every one passed on.
            possibly_stale=policy.links_are_stale(links)
            or policy.links_standing(links, number_links=number_links) is Standing.POSSIBLY_STALE,
            superseded_since=latest_takeover(
                link_superseded_since(link, number_links=number_links) for link in links
            ),
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
        unlinked=unlinked_links(tombstones=hinted, profiles=profiles),
    )


def _unique(*customer_ids: list[str]) -> list[str]:
    return list(dict.fromkeys(customer_id for ids in customer_ids for customer_id in ids))


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
