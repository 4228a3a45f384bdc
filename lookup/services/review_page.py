"""A page of the review queue for a lead: its rows with the customers' names, and its audit
entry (the queue names customers: every look at it is on the trail)."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from lookup.audit import AuditContext, audit_write
from lookup.models import AuditEntry, ReviewItem, ReviewScan
from lookup.repository import get_profiles
from lookup.selectors.review import ReviewQuery, review_counts, review_items, review_last_scan

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ReviewRow:
    item: ReviewItem
    name: str | None  # the customer's, from their profile (None: no profile)
    superseder_name: str | None


@dataclass(frozen=True, slots=True)
class ReviewPage:
    rows: list[ReviewRow]
    page: Page
    counts: dict[str, int]  # per reason, over the filter but its reason
    total: int  # rows in the whole queue
    last_scan: ReviewScan | None


def review_page_open(*, query: ReviewQuery, page: int, audit: AuditContext) -> ReviewPage:
    """One page of the rows `query` matches (one BatchGetItem for the names shown), recorded
    as a look at the customers it shows."""
    shown = Paginator(review_items(query=query), PAGE_SIZE).get_page(page)
    items = list(shown.object_list)
    wanted = sorted(
        {item.customer_id for item in items} | {i.superseded_by for i in items if i.superseded_by}
    )
    profiles = get_profiles().profiles_get(customer_ids=wanted) if wanted else {}

    def name(customer_id: str) -> str | None:
        profile = profiles.get(customer_id)
        return profile.name if profile else None

    rows = [
        ReviewRow(item=item, name=name(item.customer_id), superseder_name=name(item.superseded_by))
        for item in items
    ]
    audit_write(
        audit=audit,
        action=AuditEntry.Action.REVIEW_VIEWED,
        result_count=len(rows),
        reason=_described(query, shown.number, items),
    )
    return ReviewPage(
        rows=rows,
        page=shown,
        counts=review_counts(query=query),
        total=ReviewItem.objects.count(),
        last_scan=review_last_scan(),
    )


def _described(query: ReviewQuery, page: int, items: list[ReviewItem]) -> str:
    """The entry's reason: which page of which filter, and whom it showed."""
    asked = ", ".join(
        f"{name} {value:%Y-%m-%d}" if name == "seen before" else f"{name} {value}"
        for name, value in (
            ("reason", query.reason),
            ("country", query.country),
            ("seen before", query.seen_before),
        )
        if value
    )
    shown = " ".join(f"{item.customer_id}@{item.phone}" for item in items)
    return f"review queue page {page}" + (f" ({asked})" if asked else "") + f": {shown}"
