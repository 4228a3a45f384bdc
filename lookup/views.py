"""The pages: parse the input, call one selector or service, render."""

import re
from dataclasses import dataclass, replace

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from lookup import selectors
from lookup.access import SEARCH_PHONE, UNLINK_PHONE, VIEW_CUSTOMER, require_permission
from lookup.audit import AuditContext
from lookup.domain.decisions import LinkDecision, decision_refusal
from lookup.domain.errors import (
    CustomerNotFound,
    LinkAlreadyUnlinked,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkRefused,
)
from lookup.forms import PhoneSearchForm, RestoreForm, UnlinkForm
from lookup.phones import PhoneNumber, is_e164, phone_from_e164
from lookup.services.links import link_decide
from lookup.throttle import lookup_rate_limit

_COUNTRY_SESSION_KEY = "lookup.country"
_RECENT_COUNTRIES_SESSION_KEY = "lookup.recent_countries"
_RECENT_COUNTRIES = 5
_BAD_FORM = "This form was not sent as the page made it; nothing was changed. Open the page again."


@require_GET
@login_required
@lookup_rate_limit
def search(request: HttpRequest) -> HttpResponse:
    """The search page; with `?phone=` it also lists the customers linked to that number.

    `/?phone=…&country=…` is also the screen-pop link a softphone opens on an incoming call:
    the country is optional and read in any case, and `phone` may be a `tel:` URI.
    """
    require_permission(request, SEARCH_PHONE)
    default_country = request.session.get(_COUNTRY_SESSION_KEY, settings.DEFAULT_PHONE_REGION)
    if "phone" not in request.GET:
        form = PhoneSearchForm(default_country=default_country)
        return render(request, "lookup/search.html", {"form": form, "results": None})
    form = PhoneSearchForm(_query_with_plus(request), default_country=default_country)
    results = None
    if form.is_valid():
        country = form.cleaned_data["country"]
        recent = _countries_remember(request, country)
        results = selectors.customer_search(
            reading=form.cleaned_data["reading"],
            raw=form.cleaned_data["phone"],
            region=country,
            regions=[*settings.PHONE_REGIONS, *recent],
            page=_page_number(request),
            page_size=settings.SEARCH_PAGE_SIZE,
            audit=AuditContext.from_request(request),
        )
    return render(request, "lookup/search.html", {"form": form, "results": results})


def _query_with_plus(request: HttpRequest):
    """The query, with a `+` a softphone left unescaped in `phone` put back.

    In a query string `+` means a space, so `/?phone=+447700900461` arrives as " 447700900461"
    and would be read as a national number; the raw query string shows what was meant.
    """
    query = request.GET.copy()
    raw_query = request.META.get("QUERY_STRING", "")
    phone = query.get("phone", "")
    if phone.startswith(" ") and re.search(r"(?:^|&)phone=\+", raw_query):
        query["phone"] = "+" + phone[1:]
    return query


def _countries_remember(request: HttpRequest, country: str) -> list[str]:
    """Keep the country for the agent's next search, and their recent countries (the last few
    they searched with, tried when a national number finds nobody)."""
    recent = [country, *request.session.get(_RECENT_COUNTRIES_SESSION_KEY, [])]
    recent = list(dict.fromkeys(recent))[:_RECENT_COUNTRIES]
    request.session[_COUNTRY_SESSION_KEY] = country
    request.session[_RECENT_COUNTRIES_SESSION_KEY] = recent
    return recent


@require_GET
@login_required
@lookup_rate_limit
def customer_detail(request: HttpRequest, customer_id: str) -> HttpResponse:
    require_permission(request, VIEW_CUSTOMER, customer_id=customer_id)
    can_unlink = request.user.has_perm(UNLINK_PHONE)
    try:
        details = selectors.customer_view(
            customer_id=customer_id,
            # Unlinked numbers are history for those who may restore them.
            include_unlinked=can_unlink,
            audit=AuditContext.from_request(request),
        )
    except CustomerNotFound:
        raise Http404("No customer with this id.") from None
    return render(
        request,
        "lookup/customer.html",
        {
            "details": details,
            "back_to_phone": _searched_phone(request.GET.get("from", "")),
            "can_unlink": can_unlink,
        },
    )


@dataclass(frozen=True)
class _DecisionPage:
    """What differs between the unlink and the restore page."""

    form: type[forms.Form]
    template: str
    done: str  # the message after it applied, with {number} and {name}
    changed: str  # the message when the link changed while the page was open


_PAGES = {
    LinkDecision.UNLINK: _DecisionPage(
        form=UnlinkForm,
        template="lookup/unlink.html",
        done="{number} is no longer linked to {name}; searches stop finding them within seconds.",
        changed="This link changed while you were looking at it (a new order arrived or "
        "someone else edited it). Check the details below and confirm again.",
    ),
    LinkDecision.RESTORE: _DecisionPage(
        form=RestoreForm,
        template="lookup/restore.html",
        done="{number} is linked to {name} again; searches find them within seconds.",
        changed="This link changed while you were looking at it. Check and confirm again.",
    ),
}


@require_http_methods(["GET", "POST"])
@login_required
def link_unlink(request: HttpRequest, customer_id: str, phone: str) -> HttpResponse:
    """Confirm (GET) and apply (POST) the unlink of one order-derived link, with a reason."""
    return _link_decision(request, LinkDecision.UNLINK, customer_id, phone)


@require_http_methods(["GET", "POST"])
@login_required
def link_restore(request: HttpRequest, customer_id: str, phone: str) -> HttpResponse:
    """Confirm (GET) and apply (POST) the restore of an unlinked link, with a reason."""
    return _link_decision(request, LinkDecision.RESTORE, customer_id, phone)


def _link_decision(
    request: HttpRequest, kind: LinkDecision, customer_id: str, phone: str
) -> HttpResponse:
    require_permission(request, UNLINK_PHONE, customer_id=customer_id, phone=phone)
    page = _PAGES[kind]
    legacy_id = request.POST.get("legacy") or request.GET.get("legacy") or None
    try:
        found = selectors.link_of_customer(
            customer_id=customer_id, phone=phone, legacy_id=legacy_id
        )
    except CustomerNotFound:
        raise Http404("No customer with this id.") from None
    if found is None:
        raise Http404("This customer has no order-derived link to that number.")
    details, row = found
    link = row.link
    back = reverse("lookup:customer", args=[customer_id])
    if (refusal := decision_refusal(kind=kind, link=link)) is not None:
        messages.info(request, _refusal_message(refusal, before=True))
        return redirect(back)

    form = page.form(request.POST or None, initial={"version": link.version})
    if request.method == "POST" and not form.is_valid() and "version" in form.errors:
        # Only a tampered or truncated form gets here: the page always sends the version.
        return render(request, "400.html", {"message": _BAD_FORM}, status=400)
    if request.method == "POST" and form.is_valid():
        try:
            link_decide(
                kind=kind,
                link=link,
                expected_version=form.cleaned_data["version"],
                reason=form.reason_text,
                audit=AuditContext.from_request(request),
            )
        except LinkNotFound:
            messages.warning(request, "That link no longer exists; nothing was changed.")
            return redirect(back)
        except LinkChanged as exc:
            link = exc.link
            row = replace(row, link=link)
            form = page.form(initial={**form.cleaned_data, "version": link.version})
            messages.warning(request, page.changed)
        except LinkRefused as exc:
            messages.info(request, _refusal_message(exc, before=False))
            return redirect(back)
        else:
            number = phone_from_e164(phone).international
            messages.success(request, page.done.format(number=number, name=details.name))
            return redirect(back)
    return render(
        request,
        page.template,
        {"details": details, "row": row, "link": link, "form": form},
    )


def _refusal_message(refusal: LinkRefused, *, before: bool) -> str:
    """Why nothing was done: the link is already in the state asked for."""
    number = phone_from_e164(refusal.link.phone).international
    if isinstance(refusal, LinkAlreadyUnlinked):
        unlink = refusal.link.unlink
        who = f" by {unlink.by}" if unlink and unlink.by else ""
        when = (
            f" on {timezone.localtime(unlink.at):%d %b %Y %H:%M %Z}" if unlink and unlink.at else ""
        )
        return f"{number} was already unlinked{who}{when}."
    assert isinstance(refusal, LinkNotUnlinked)
    if before:
        return "This link is already active; nothing to restore."
    return "This link is already active again; nothing was changed."


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: our own messages ("No customer with this id.") are shown, Django's are not."""
    message = exception.args[0] if isinstance(exception, Http404) and exception.args else ""
    if not isinstance(message, str) or isinstance(exception, Resolver404):
        message = ""
    return render(request, "404.html", {"message": message}, status=404)


def _searched_phone(value: str) -> PhoneNumber | None:
    """The E.164 number the agent came from, for a way back to those results."""
    return phone_from_e164(value) if is_e164(value) else None


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
