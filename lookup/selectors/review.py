"""The review queue as the page (and a bulk unlink of "all matching") reads it: rows ranked by
confidence, superseded first, then the longest unseen (a link with no date at all first)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from lookup.domain.bulk import LinkKey
from lookup.models import ReviewItem, ReviewScan


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """Which rows: a country (ISO alpha-2), a reason, last seen before a moment; None: any."""

    country: str | None = None
    reason: str | None = None
    seen_before: datetime | None = None


def review_items(*, query: ReviewQuery) -> QuerySet[ReviewItem]:
    """Every row matching `query`, in the queue's order (slice it for a page)."""
    return review_items_any_reason(query=query).filter(
        **({"reason": query.reason} if query.reason else {})
    )


def review_items_any_reason(*, query: ReviewQuery) -> QuerySet[ReviewItem]:
    """The rows matching `query` but its reason: what the counts per reason are counted over."""
    rows = ReviewItem.objects.all()
    if query.country:
        rows = rows.filter(country=query.country)
    if query.seen_before:
        # Nothing vouches for a link with no date: it is older than any moment.
        rows = rows.filter(Q(last_seen__lt=query.seen_before) | Q(last_seen__isnull=True))
    return rows.order_by("rank", F("last_seen").asc(nulls_first=True), "id")


def review_link_keys(*, query: ReviewQuery, limit: int) -> tuple[dict[LinkKey, int], int]:
    """The first `limit` links matching `query`, in the queue's order, each with the version
    the queue judged, and how many match: what a bulk unlink of "all matching this filter"
    previews (the rest waits for the next one)."""
    rows = review_items(query=query)
    keys = {
        LinkKey(phone=phone, customer_id=customer_id, legacy_id=legacy_id or None): version
        for phone, customer_id, legacy_id, version in rows.values_list(
            "phone", "customer_id", "legacy_id", "version"
        )[: max(limit, 0)]
    }
    return keys, rows.count()


def review_counts(*, query: ReviewQuery) -> dict[str, int]:
    """Rows per reason matching the rest of `query`, every reason present (0 when none)."""
    counts = dict.fromkeys(ReviewItem.Reason.values, 0)
    rows = review_items_any_reason(query=query).order_by()
    for reason, count in rows.values_list("reason").annotate(count=Count("id")):
        counts[reason] = count
    return counts


def review_countries() -> list[str]:
    """The countries the queue has rows of, for the filter's choices."""
    return sorted(
        ReviewItem.objects.exclude(country="").values_list("country", flat=True).distinct()
    )


def review_last_scan() -> ReviewScan | None:
    return ReviewScan.objects.order_by("-finished_at").first()
