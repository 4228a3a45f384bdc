"""Searches as the pages and the API run them, each recorded in the audit trail.

A search takes one `SearchQuery` (built by the search form or the API's parameters) and the
`AuditContext` of who asks; the reads are the selectors', the audit entry is written here.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from django.utils import timezone

from lookup.audit import AuditContext, audit_write
from lookup.domain.pages import Alternative, SearchPage
from lookup.models import AuditEntry
from lookup.phones import PhoneReading
from lookup.selectors.numbers import customers_of_number, number_alternatives

# Turning the pages of a search within this time of its audit entry adds no other entry.
SAME_SEARCH_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search as asked: the number as read, what was typed, which page of it."""

    reading: PhoneReading
    raw: str  # as typed or sent: its other readings are tried when nobody is found
    region: str  # the country national formats were read with ("" for none)
    regions: tuple[str, ...]  # the countries whose readings "did you mean" tries
    page_size: int
    page: int = 1
    name_filter: str = ""
    # Another page (or page size) of results already shown: the same search.
    page_turn: bool = False
    # The number's unlinked links too (for those who may restore them).
    include_unlinked: bool = False


@dataclass(frozen=True, slots=True)
class ReadingsQuery:
    """Input the chosen country cannot read as a number, for its other readings."""

    raw: str
    region: str
    regions: tuple[str, ...]


def search_record(*, query: SearchQuery, audit: AuditContext) -> SearchPage:
    """A search, recorded in the audit trail (an API client's as an API search).

    The number and its other forms are searched (`customers_of_number`). When they find nobody,
    the other readings of `raw` are tried too (`number_alternatives`), so a wrong country never
    gives a silent "no customer"; a search that finds someone costs nothing more.

    One entry per search: `page_turn` (another page or page size of results the page already
    showed) adds none when the same person's entry for the same number and filter is less than
    SAME_SEARCH_WINDOW old. `include_unlinked` (leads) adds the number's unlinked links, read
    from their tombstones with the search's Queries.
    """
    reading = query.reading
    results = customers_of_number(
        number=reading.number,
        page=query.page,
        page_size=query.page_size,
        extension=reading.extension,
        name_filter=query.name_filter,
        include_unlinked=query.include_unlinked,
    )
    if not results.total_unfiltered:
        alternatives = number_alternatives(
            raw=query.raw,
            region=query.region,
            regions=query.regions,
            tried=[results.number.e164, *(eq.e164 for eq in results.equivalents)],
        )
        results = replace(results, alternatives=alternatives)
    results = replace(results, read_as=reading.read_as)
    reason = _search_reason(results)
    api = audit.api_client is not None
    action = AuditEntry.Action.API_SEARCH if api else AuditEntry.Action.SEARCH
    if not (
        query.page_turn
        and _search_audited(audit=audit, action=action, results=results, reason=reason)
    ):
        audit_write(
            audit=audit,
            action=action,
            phone=reading.number.e164,
            result_count=results.total_unfiltered,
            reason=reason,
        )
    return results


def readings_record(*, query: ReadingsQuery, audit: AuditContext) -> tuple[Alternative, ...]:
    """For input the chosen country cannot read ("(11) 91234-5678" with the United Kingdom):
    the other readings that find customers (`number_alternatives`), recorded in the audit trail
    as a search when there are any, since their customer counts were shown."""
    alternatives = number_alternatives(raw=query.raw, region=query.region, regions=query.regions)
    if alternatives:
        audit_write(
            audit=audit,
            action=AuditEntry.Action.SEARCH,
            result_count=0,
            reason=f"not a number in {query.region} as typed; "
            + _alternatives_reason(alternatives),
        )
    return alternatives


def _alternatives_reason(alternatives: Sequence[Alternative]) -> str:
    return "other readings finding customers: " + ", ".join(
        f"{alternative.number.e164} ({alternative.customers})" for alternative in alternatives
    )


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
