"""The review queue page (lead-only): stale and superseded links across the table, with their
evidence (docs/architecture.md, "The review queue")."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from lookup.access.permissions import UNLINK_PHONE, requires_permission
from lookup.access.rate_limits import lookup_rate_limit
from lookup.audit import AuditContext
from lookup.models import ReviewItem
from lookup.review_filter import ReviewFilter
from lookup.selectors.review import review_countries
from lookup.services.review_page import review_page_open


@require_safe
@login_required
@lookup_rate_limit
@requires_permission(UNLINK_PHONE)
def review_queue(request: HttpRequest) -> HttpResponse:
    """The queue, ranked by confidence, filtered by `reason`, `country`, `unseen_days`,
    `seen_before`; `page` of it."""
    form = ReviewFilter(request.GET or None, countries=review_countries())
    query = form.query()
    page = review_page_open(
        query=query, page=form.page_number, audit=AuditContext.from_request(request)
    )
    params = request.GET.copy()
    params.pop("page", None)
    reasons = []
    labels = [("", pgettext_lazy("review queue reasons", "All")), *ReviewItem.Reason.choices]
    for value, label in labels:
        chosen = params.copy()
        chosen["reason"] = value
        count = page.counts[value] if value else sum(page.counts.values())
        current = value == (query.reason or "")
        reasons.append(
            {"label": label, "count": count, "query": chosen.urlencode(), "current": current}
        )
    return render(
        request,
        "lookup/review.html",
        {
            "form": form,
            "review": page,
            "filtered": any((query.country, query.reason, query.seen_before)),
            "page_query": params.urlencode(),
            "reasons": reasons,
            "bulk_cap": settings.BULK_UNLINK_MAX_LINKS,
        },
    )
