"""A lead's bulk unlink: the preview (of a shared number's old links, or of links another page
posts), the confirm, the batch page and its undo.

Another page hands links over by posting them to `bulk_preview` (`link` fields and `back`), or
by calling `bulk_preview_page` with the keys itself (`origin={"keys": [...]}`).
"""

import datetime
import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lookup.access.permissions import UNLINK_PHONE, requires_permission
from lookup.access.rate_limits import RateLimit, lookup_rate_limit, rate_limit_refusal
from lookup.audit import AuditContext, audit_write
from lookup.bulk_forms import BulkUnlinkForm, LinksForm, NumberBeforeForm, PreviewToken
from lookup.bulk_models import BulkUnlink
from lookup.domain.bulk import link_key_parse
from lookup.models import AuditEntry
from lookup.review_filter import ReviewFilter
from lookup.selectors.bulk import (
    BulkPreview,
    bulk_batch_page,
    links_bulk_preview,
    number_bulk_preview,
)
from lookup.selectors.review import review_countries, review_link_keys
from lookup.services.bulk import (
    BatchAlreadyUndone,
    PreviewConfirmed,
    bulk_unlink_undo,
    links_bulk_unlink,
)
from lookup.templatetags.desk import day_start, moment_text

_BAD_FORM = gettext_lazy(
    "This form was not sent as the page made it; nothing was changed. Open the page again."
)


def _bulk_identity(*, request: HttpRequest, view_kwargs: dict) -> str:
    return f"user:{request.user.pk}"


# Counted only for an action about to be done (a valid confirm, an undo): a preview counts as
# a lookup, a form sent back with an error counts as nothing.
BULK_ACTIONS = RateLimit(
    scope="bulk-unlinks",
    setting="BULK_UNLINKS_PER_HOUR",
    identity=_bulk_identity,
    what=gettext_noop("more than {limit} bulk unlinks and undos in an hour"),
    title=gettext_noop("Too many bulk unlinks"),
    window=3600,
)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@lookup_rate_limit
@requires_permission(UNLINK_PHONE)
def bulk_preview(request: HttpRequest) -> HttpResponse:
    """GET `?phone=<E164>&before=<YYYY-MM-DD>`: a shared number's order links last seen before
    that day. POST `link` (repeated) and `back`: the links another page chose."""
    if request.method == "POST":
        form = LinksForm(request.POST, host=request.get_host())
        if not form.is_valid():
            return _unreadable(request, form)
        keys = [key.text for key in form.cleaned_data["link"]]
        queued = form.cleaned_data["queued"]
        origin = {"keys": keys, "queued": {key: queued[key] for key in keys if key in queued}}
        back = form.cleaned_data["back"] or reverse("lookup:search")
        return bulk_preview_page(request, origin=origin, back=back)
    number = NumberBeforeForm(request.GET)
    if not number.is_valid():
        return _unreadable(request, number)
    phone = number.cleaned_data["phone"]
    origin = {"phone": phone, "before": number.cleaned_data["before"].isoformat()}
    back = f"{reverse('lookup:search')}?{urlencode({'phone': phone})}"
    return bulk_preview_page(request, origin=origin, back=back)


@require_safe
@login_required
@lookup_rate_limit
@requires_permission(UNLINK_PHONE)
def bulk_queue_preview(request: HttpRequest) -> HttpResponse:
    """The review queue's filter (its page's query string): every link it matches, at most
    BULK_UNLINK_MAX_LINKS of them in the queue's order."""
    query = request.GET.copy()
    query.pop("page", None)
    filter_query = query.urlencode()
    back = (
        f"{reverse('lookup:review')}?{filter_query}" if filter_query else reverse("lookup:review")
    )
    return bulk_preview_page(request, origin={"review": filter_query}, back=back)


def _unreadable(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """What made the links asked for unreadable: a page with the errors, nothing changed."""
    errors = [error for field in form for error in field.errors]
    return render(request, "lookup/bulk_preview.html", {"errors": errors}, status=400)


def bulk_preview_page(
    request: HttpRequest,
    *,
    origin: dict,
    back: str,
    form: BulkUnlinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The preview of `origin` (`{"phone", "before"}`, or `{"keys": ["<E164>|<id>", ...]}`) as
    the links are now, with the reason form; `back`: a local address to return to. Audited:
    it names the customers."""
    preview = _preview_of(origin)
    token = PreviewToken(
        user_id=request.user.pk, shown=tuple(preview.shown), origin=origin, back=back
    )
    audit_write(
        audit=AuditContext.from_request(request),
        action=AuditEntry.Action.BULK_PREVIEW,
        phone=origin.get("phone", ""),
        result_count=len(preview.rows),
        reason=f"{len(preview.rows)} to unlink, {len(preview.left_alone)} left alone, "
        f"{preview.over_cap} over the cap: "
        + " ".join(f"{row.key.customer_id}@{row.key.phone}" for row in preview.rows),
    )
    return render(
        request,
        "lookup/bulk_preview.html",
        {
            "preview": preview,
            "form": form or BulkUnlinkForm(),
            "token": token.dumps(),
            "back": back,
            "phone": origin.get("phone"),
            "queue": "review" in origin,
            "before": day_start(datetime.date.fromisoformat(origin["before"]))
            if "before" in origin
            else None,
        },
        status=status,
    )


@require_POST
@login_required
@requires_permission(UNLINK_PHONE)
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """Unlink exactly what the preview showed, each link at the version shown."""
    token = PreviewToken.loads(request.POST.get("token", ""), user_id=request.user.pk)
    if token is None:
        return render(request, "400.html", {"message": _BAD_FORM}, status=400)
    form = BulkUnlinkForm(request.POST)
    if token.expired:
        messages.warning(
            request,
            gettext(
                "That preview was more than an hour old, so nothing was unlinked. Here it is "
                "again as the links are now: check it and confirm again."
            ),
        )
        form = BulkUnlinkForm(initial={key: request.POST.get(key, "") for key in form.fields})
        return bulk_preview_page(request, origin=token.origin, back=token.back, form=form)
    if not form.is_valid():
        return bulk_preview_page(
            request, origin=token.origin, back=token.back, form=form, status=400
        )
    if refusal := rate_limit_refusal(limit=BULK_ACTIONS, request=request, view_kwargs={}):
        return refusal
    try:
        batch = links_bulk_unlink(
            links=token.shown,
            reason=form.reason_text,
            audit=AuditContext.from_request(request),
            preview=hashlib.sha256(request.POST["token"].encode()).hexdigest(),
        )
    except PreviewConfirmed as confirmed:
        messages.info(
            request, gettext("This preview was already confirmed; nothing was done again.")
        )
        return redirect("lookup:bulk_batch", batch_id=confirmed.batch.pk)
    messages.success(request, _unlinked_message(batch))
    return redirect("lookup:bulk_batch", batch_id=batch.pk)


@require_http_methods(["GET", "HEAD"])
@login_required
@lookup_rate_limit
@requires_permission(UNLINK_PHONE)
def bulk_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """What a batch did, and its undo. Audited: it names the customers."""
    batch = get_object_or_404(BulkUnlink, pk=batch_id)
    page = bulk_batch_page(batch=batch)
    audit_write(
        audit=AuditContext.from_request(request),
        action=AuditEntry.Action.BULK_VIEWED,
        subject=batch.subject,
        result_count=len(page.unlinked) + len(page.skipped),
        reason=" ".join(
            f"{row.item.customer_id}@{row.item.phone}" for row in (*page.unlinked, *page.skipped)
        ),
    )
    return render(request, "lookup/bulk_batch.html", {"page": page})


@require_POST
@login_required
@requires_permission(UNLINK_PHONE)
def bulk_undo(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Restore what the batch unlinked, where still as the batch left it; once."""
    batch = get_object_or_404(BulkUnlink, pk=batch_id)
    if batch.undone_at is None:
        if refusal := rate_limit_refusal(limit=BULK_ACTIONS, request=request, view_kwargs={}):
            return refusal
        try:
            batch = bulk_unlink_undo(batch=batch, audit=AuditContext.from_request(request))
        except BatchAlreadyUndone:
            batch.refresh_from_db()
        else:
            messages.success(request, _undone_message(batch))
            return redirect("lookup:bulk_batch", batch_id=batch.pk)
    messages.info(
        request,
        format_html(
            gettext(
                "This batch was already undone by <bdi>{by}</bdi> on {when}; nothing was done "
                "again."
            ),
            by=batch.undone_by,
            when=moment_text(batch.undone_at),
        ),
    )
    return redirect("lookup:bulk_batch", batch_id=batch.pk)


def _preview_of(origin: dict) -> BulkPreview:
    cap = settings.BULK_UNLINK_MAX_LINKS
    if "review" in origin:
        # The filter, not its links, travels: read again, it gives the queue as it is now.
        query = ReviewFilter(QueryDict(origin["review"]), countries=review_countries()).query()
        queued, matching = review_link_keys(query=query, limit=cap)
        return links_bulk_preview(
            keys=list(queued), cap=cap, matching=matching, queued_versions=queued
        )
    if "phone" in origin:
        return number_bulk_preview(phone=origin["phone"], before=_before(origin), cap=cap)
    return links_bulk_preview(
        keys=[link_key_parse(text=text) for text in origin["keys"]],
        cap=cap,
        queued_versions={
            link_key_parse(text=text): version for text, version in origin.get("queued", {}).items()
        },
    )


def _before(origin: dict) -> datetime.datetime | None:
    """A number's preview's day (YYYY-MM-DD), from where it begins at the desk."""
    return day_start(datetime.date.fromisoformat(origin["before"])) if "before" in origin else None


def _unlinked_message(batch: BulkUnlink) -> str:
    """What the batch did, true on the next click: searches stop listing a customer only when
    no other link to the number is left (the batch page lists those that are)."""
    still_found = batch.items.exclude(still_found_through="").values("customer_id").distinct()
    still = still_found.count()
    parts = []
    if batch.unlinked and not batch.still_found_known:
        parts.append(
            ngettext(
                "%(count)d link unlinked: searches stop finding its customer through it within "
                "seconds (a customer also linked to the number another way is still found).",
                "%(count)d links unlinked: searches stop finding their customers through them "
                "within seconds (a customer also linked to the number another way is still "
                "found).",
                batch.unlinked,
            )
            % {"count": batch.unlinked}
        )
    elif batch.unlinked and not still:
        parts.append(
            ngettext(
                "%(count)d link unlinked: searches of its number stop listing its customer "
                "within seconds.",
                "%(count)d links unlinked: searches of these numbers stop listing these "
                "customers within seconds.",
                batch.unlinked,
            )
            % {"count": batch.unlinked}
        )
    elif batch.unlinked:
        parts.append(
            ngettext(
                "%(count)d link unlinked.",
                "%(count)d links unlinked.",
                batch.unlinked,
            )
            % {"count": batch.unlinked}
        )
        parts.append(
            ngettext(
                "%(still)d customer is still found by a search of the number, through another "
                "link to it (listed below).",
                "%(still)d customers are still found by a search of their number, through "
                "another link to it (listed below).",
                still,
            )
            % {"still": still}
        )
    else:
        parts.append(gettext("No link was unlinked."))
    if batch.skipped:
        parts.append(
            ngettext(
                "%(count)d link was skipped, left as it is (listed below with why).",
                "%(count)d links were skipped, left as they are (listed below with why).",
                batch.skipped,
            )
            % {"count": batch.skipped}
        )
    return " ".join(parts)


def _undone_message(batch: BulkUnlink) -> str:
    parts = [
        ngettext(
            "%(count)d link restored: searches find its customer through it again within seconds.",
            "%(count)d links restored: searches find their customers through them again within "
            "seconds.",
            batch.restored,
        )
        % {"count": batch.restored}
    ]
    if batch.undo_skipped:
        parts.append(
            ngettext(
                "%(count)d link was not restored (listed below with why).",
                "%(count)d links were not restored (listed below with why).",
                batch.undo_skipped,
            )
            % {"count": batch.undo_skipped}
        )
    return " ".join(parts)
