import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from lookup import selectors, services
from lookup.access import SEARCH_PHONE, UNLINK_PHONE, VIEW_CUSTOMER, require_permission
from lookup.audit import audit_record
from lookup.domain import (
    CustomerDetails,
    CustomerNotFound,
    LinkAlreadyUnlinked,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    PhoneLink,
)
from lookup.forms import PhoneSearchForm, RestoreForm, UnlinkForm
from lookup.models import AuditEntry
from lookup.phones import PhoneNumber, phone_from_e164
from lookup.throttle import lookup_rate_limit

_COUNTRY_SESSION_KEY = "lookup.country"
_E164 = re.compile(r"^\+[1-9][0-9]{2,15}$")


@require_GET
@login_required
@lookup_rate_limit
def search(request: HttpRequest) -> HttpResponse:
    """The search page; with `?phone=` it also lists the customers linked to that number."""
    require_permission(request, SEARCH_PHONE)
    results = None
    if "phone" in request.GET:
        form = PhoneSearchForm(request.GET)
        if form.is_valid():
            number = form.cleaned_data["number"]
            request.session[_COUNTRY_SESSION_KEY] = form.cleaned_data["country"]
            results = selectors.customer_search(
                phone=number, page=_page_number(request), page_size=settings.SEARCH_PAGE_SIZE
            )
            audit_record(
                request=request,
                action=AuditEntry.Action.SEARCH,
                phone=number.e164,
                result_count=results.total,
            )
    else:
        country = request.session.get(_COUNTRY_SESSION_KEY, settings.DEFAULT_PHONE_REGION)
        form = PhoneSearchForm(initial={"country": country})
    return render(
        request,
        "lookup/search.html",
        {"form": form, "results": results, "stale_before": selectors.stale_threshold()},
    )


@require_GET
@login_required
@lookup_rate_limit
def customer_detail(request: HttpRequest, customer_id: str) -> HttpResponse:
    require_permission(request, VIEW_CUSTOMER, customer_id=customer_id)
    details = _customer_or_404(customer_id)
    audit_record(request=request, action=AuditEntry.Action.CUSTOMER_VIEW, customer_id=customer_id)
    can_unlink = request.user.has_perm(UNLINK_PHONE)
    stale_before = selectors.stale_threshold()
    # Unlinked numbers are history for leads; current links come before possibly stale ones.
    links = sorted(
        (link for link in details.links if can_unlink or link.is_active),
        key=lambda link: (not link.is_active, link.is_stale(stale_before)),
    )
    return render(
        request,
        "lookup/customer.html",
        {
            "details": details,
            "links": links,
            "back_to_phone": _searched_phone(request.GET.get("from", "")),
            "stale_before": stale_before,
            "can_unlink": can_unlink,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def link_unlink(request: HttpRequest, customer_id: str, phone: str) -> HttpResponse:
    """Confirm (GET) and apply (POST) the unlink of one order-derived link, with a reason."""
    require_permission(request, UNLINK_PHONE, customer_id=customer_id, phone=phone)
    details, link = _link_or_404(request, customer_id, phone)
    back = reverse("lookup:customer", args=[customer_id])
    if not link.is_active:
        messages.info(request, _already_unlinked_message(link))
        return redirect(back)

    form = UnlinkForm(request.POST or None, initial={"version": link.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.link_unlink(
                customer_id=customer_id,
                phone=phone,
                legacy_id=link.legacy_id,
                expected_version=form.cleaned_data["version"],
                actor=request.user.get_username(),
                reason=form.reason_text,
            )
        except LinkAlreadyUnlinked as exc:
            messages.info(request, _already_unlinked_message(exc.link))
            return redirect(back)
        except LinkNotFound:
            messages.warning(request, "That link no longer exists; nothing was changed.")
            return redirect(back)
        except LinkChanged as exc:
            link = exc.link
            form = UnlinkForm(initial={**form.cleaned_data, "version": link.version})
            messages.warning(
                request,
                "This link changed while you were looking at it (a new order arrived or "
                "someone else edited it). Check the details below and confirm again.",
            )
        else:
            audit_record(
                request=request,
                action=AuditEntry.Action.UNLINK,
                phone=phone,
                customer_id=customer_id,
                reason=form.reason_text,
            )
            messages.success(
                request,
                f"{phone_from_e164(phone).international} is no longer linked to "
                f"{_customer_name(details)}; searches stop finding them within seconds.",
            )
            return redirect(back)
    return render(
        request,
        "lookup/unlink.html",
        {
            "details": details,
            "link": link,
            "form": form,
            "stale_before": selectors.stale_threshold(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def link_restore(request: HttpRequest, customer_id: str, phone: str) -> HttpResponse:
    """Confirm (GET) and apply (POST) the restore of an unlinked link, with a reason."""
    require_permission(request, UNLINK_PHONE, customer_id=customer_id, phone=phone)
    details, link = _link_or_404(request, customer_id, phone)
    back = reverse("lookup:customer", args=[customer_id])
    if link.is_active:
        messages.info(request, "This link is already active; nothing to restore.")
        return redirect(back)

    form = RestoreForm(request.POST or None, initial={"version": link.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.link_restore(
                customer_id=customer_id,
                phone=phone,
                legacy_id=link.legacy_id,
                expected_version=form.cleaned_data["version"],
                actor=request.user.get_username(),
                reason=form.cleaned_data["reason"],
            )
        except LinkNotUnlinked:
            messages.info(request, "This link is already active again; nothing was changed.")
            return redirect(back)
        except LinkNotFound:
            messages.warning(request, "That link no longer exists; nothing was changed.")
            return redirect(back)
        except LinkChanged as exc:
            link = exc.link
            form = RestoreForm(initial={**form.cleaned_data, "version": link.version})
            messages.warning(
                request, "This link changed while you were looking at it. Check and confirm again."
            )
        else:
            audit_record(
                request=request,
                action=AuditEntry.Action.RESTORE,
                phone=phone,
                customer_id=customer_id,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                f"{phone_from_e164(phone).international} is linked to "
                f"{_customer_name(details)} again; searches find them within seconds.",
            )
            return redirect(back)
    return render(request, "lookup/restore.html", {"details": details, "link": link, "form": form})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: our own messages ("No customer with this id.") are shown, Django's are not."""
    message = exception.args[0] if isinstance(exception, Http404) and exception.args else ""
    if not isinstance(message, str) or isinstance(exception, Resolver404):
        message = ""
    return render(request, "404.html", {"message": message}, status=404)


def _customer_or_404(customer_id: str) -> CustomerDetails:
    try:
        return selectors.customer_detail(customer_id=customer_id)
    except CustomerNotFound:
        raise Http404("No customer with this id.") from None


def _link_or_404(
    request: HttpRequest, customer_id: str, phone: str
) -> tuple[CustomerDetails, PhoneLink]:
    """The customer and their order-derived link to `phone` (`?legacy=` picks a legacy record)."""
    legacy_id = request.POST.get("legacy") or request.GET.get("legacy") or None
    details = _customer_or_404(customer_id)
    for link in details.links:
        if link.phone == phone and link.can_unlink and link.legacy_id == legacy_id:
            return details, link
    raise Http404("This customer has no order-derived link to that number.")


def _already_unlinked_message(link: PhoneLink) -> str:
    unlink = link.unlink
    who = f" by {unlink.by}" if unlink and unlink.by else ""
    when = f" on {timezone.localtime(unlink.at):%d %b %Y %H:%M %Z}" if unlink and unlink.at else ""
    return f"{phone_from_e164(link.phone).international} was already unlinked{who}{when}."


def _customer_name(details: CustomerDetails) -> str:
    return (details.profile.name if details.profile else None) or details.customer_id


def _searched_phone(value: str) -> PhoneNumber | None:
    """The E.164 number the agent came from, for a way back to those results."""
    if not _E164.match(value):
        return None
    return phone_from_e164(value)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
