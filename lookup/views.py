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
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from lookup import selectors
from lookup.access.answers import api_requested
from lookup.access.permissions import (
    SEARCH_PHONE,
    UNLINK_PHONE,
    VIEW_CUSTOMER,
    require_permission,
    requires_permission,
)
from lookup.access.rate_limits import lookup_opened_by_search, lookup_rate_limit
from lookup.api.errors import api_not_found
from lookup.audit import AuditContext
from lookup.domain.decisions import LinkDecision, decision_refusal, links_still_finding
from lookup.domain.errors import (
    CustomerNotFound,
    LinkAlreadyUnlinked,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkRefused,
)
from lookup.domain.links import LinkSource, PhoneLink
from lookup.forms import (
    COUNTRY_SESSION_KEY,
    RECENT_COUNTRIES_SESSION_KEY,
    PhoneSearchForm,
    RestoreForm,
    ResultsState,
    UnlinkForm,
    customer_id_unknown,
    numbers_page_query,
    numbers_page_read,
)
from lookup.phones import phone_from_e164
from lookup.services.links import link_decide
from lookup.templatetags.desk import moment_text

_RECENT_COUNTRIES = 5
_BAD_FORM = "This form was not sent as the page made it; nothing was changed. Open the page again."
# Results with more customers than this offer the filter box and the page size choice.
NARROW_FROM = 10


@require_safe
@login_required
@lookup_rate_limit
@requires_permission(SEARCH_PHONE)
def search(request: HttpRequest) -> HttpResponse:
    """The search page; with `?phone=` it also lists the customers linked to that number.

    `/?phone=…&country=…` is also the screen-pop link a softphone opens on an incoming call:
    the country is optional and read in any case, and `phone` may be a `tel:` URI. `open=1`
    (sent by the search boxes) opens the customer directly when the number has exactly one
    current customer (AUTO_OPEN_SINGLE_MATCH). Without a number, the page lists the agent's
    recent searches.
    """
    default_country = request.session.get(COUNTRY_SESSION_KEY, settings.DEFAULT_PHONE_REGION)
    if "phone" not in request.GET:
        form = PhoneSearchForm(default_country=default_country)
        recent = selectors.searches_recent(user=request.user)
        return render(
            request, "lookup/search.html", {"form": form, "results": None, "recent": recent}
        )
    form = PhoneSearchForm(
        request.GET, default_country=default_country, plus_unescaped=_plus_unescaped(request)
    )
    if not form.is_valid():
        offers = ()
        if form.unread is not None and "country" in form.cleaned_data:
            # Not a number in the chosen country: the readings that find customers are offered.
            offers = selectors.readings_search(
                raw=form.unread,
                region=form.cleaned_data["country"],
                regions=[
                    *settings.PHONE_REGIONS,
                    *request.session.get(RECENT_COUNTRIES_SESSION_KEY, []),
                ],
                audit=AuditContext.from_request(request),
            )
        return render(
            request, "lookup/search.html", {"form": form, "results": None, "offers": offers}
        )
    if customer_id := form.cleaned_data.get("customer_id"):
        return _customer_open(request, form, customer_id)
    country = form.cleaned_data["country"]
    recent_countries = _countries_remember(request, country)
    asked = ResultsState.from_query(request.GET, number=form.cleaned_data["number"])
    results = selectors.customer_search(
        reading=form.cleaned_data["reading"],
        raw=form.cleaned_data["phone"],
        region=country,
        regions=[*settings.PHONE_REGIONS, *recent_countries],
        page=asked.page,
        page_size=asked.page_size,
        name_filter=asked.name_filter,
        # Another page (or page size) of results already shown is the same search.
        page_turn="page" in request.GET or "size" in request.GET,
        # Unlinked links are history for those who may restore them.
        include_unlinked=request.user.has_perm(UNLINK_PHONE),
        audit=AuditContext.from_request(request),
    )
    state = replace(asked, page=results.page, name_filter=results.name_filter)
    only = results.only_match
    if only is not None and settings.AUTO_OPEN_SINGLE_MATCH and request.GET.get("open") == "1":
        opened = replace(state, only=True, extension=results.extension or "")
        customer = reverse("lookup:customer", args=[only.customer_id])
        lookup_opened_by_search(request=request, path=customer)
        return redirect(f"{customer}?{opened.carry_query}")
    return render(
        request,
        "lookup/search.html",
        {
            "form": form,
            "results": results,
            "state": state,
            "previous_page": state.with_page(results.page - 1),
            "next_page": state.with_page(results.page + 1),
            "narrowing": results.total_unfiltered > NARROW_FROM or bool(results.name_filter),
        },
    )


def _plus_unescaped(request: HttpRequest) -> bool:
    """Whether `phone` may carry a '+' a softphone's link left unescaped.

    In a query string `+` means a space, so `/?phone=+447700900461` arrives as " 447700900461";
    a leading space typed in a search box arrives the same way. The tool's own search boxes send
    `typed=1` (a browser always escapes a typed '+'), so theirs is a space; a link's is
    ambiguous, and the form tries both readings.
    """
    raw_query = request.META.get("QUERY_STRING", "")
    return "typed" not in request.GET and bool(re.search(r"(?:^|&)phone=\+", raw_query))


def _customer_open(request: HttpRequest, form: PhoneSearchForm, customer_id: str) -> HttpResponse:
    """A customer id in the search box: that customer's page when the profile exists (one
    GetItem here; the page itself is the audited view, and this search was its one count
    against the lookup limit), else a plain form error."""
    require_permission(request, VIEW_CUSTOMER, customer_id=customer_id)
    if not selectors.customer_exists(customer_id=customer_id):
        form.add_error("phone", customer_id_unknown(customer_id=customer_id))
        return render(request, "lookup/search.html", {"form": form, "results": None})
    customer = reverse("lookup:customer", args=[customer_id])
    lookup_opened_by_search(request=request, path=customer)
    return redirect(customer)


def _countries_remember(request: HttpRequest, country: str) -> list[str]:
    """Keep the country for the agent's next search, and their recent countries (the last few
    they searched with, tried when a national number finds nobody)."""
    known = request.session.get(RECENT_COUNTRIES_SESSION_KEY, [])
    recent = list(dict.fromkeys([country, *known]))[:_RECENT_COUNTRIES]
    # Only a change is written: a session saved on every search is a database write each time.
    if request.session.get(COUNTRY_SESSION_KEY) != country:
        request.session[COUNTRY_SESSION_KEY] = country
    if recent != known:
        request.session[RECENT_COUNTRIES_SESSION_KEY] = recent
    return recent


@require_safe
@login_required
@lookup_rate_limit
@requires_permission(VIEW_CUSTOMER)
def customer_detail(request: HttpRequest, customer_id: str) -> HttpResponse:
    """A customer's profile and numbers; `from=<E.164>` (and the results' page and filter)
    names the search the agent came from, for the way back and the highlighted number."""
    can_unlink = request.user.has_perm(UNLINK_PHONE)
    came_from = ResultsState.from_customer_query(request.GET)
    try:
        details = selectors.customer_view(
            customer_id=customer_id,
            # Unlinked numbers are history for those who may restore them.
            include_unlinked=can_unlink,
            searched=came_from.number.e164 if came_from else None,
            page=numbers_page_read(request.GET),
            audit=AuditContext.from_request(request),
        )
    except CustomerNotFound:
        raise Http404("No customer with this id.") from None
    pages = {
        name: numbers_page_query(came_from, page)
        for name, page in (
            ("first_page", 1),
            ("previous_page", details.page - 1),
            ("next_page", details.page + 1),
            ("last_page", details.num_pages),
        )
    }
    return render(
        request,
        "lookup/customer.html",
        {
            "details": details,
            "came_from": came_from,
            "can_unlink": can_unlink,
            "order_url_template": settings.ORDER_URL_TEMPLATE,
            **pages,
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
        done=gettext_lazy(
            "{number} is no longer linked to {name}; searches stop finding them within seconds."
        ),
        changed="This link changed while you were looking at it (a new order arrived or "
        "someone else edited it). Check the details below and confirm again.",
    ),
    LinkDecision.RESTORE: _DecisionPage(
        form=RestoreForm,
        template="lookup/restore.html",
        done=gettext_lazy("{number} is linked to {name} again; searches find them within seconds."),
        changed="This link changed while you were looking at it. Check and confirm again.",
    ),
}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@lookup_rate_limit
@requires_permission(UNLINK_PHONE)
def link_unlink(request: HttpRequest, customer_id: str, phone: str) -> HttpResponse:
    """Confirm (GET) and apply (POST) the unlink of one order-derived link, with a reason."""
    return _link_decision(request, LinkDecision.UNLINK, customer_id, phone)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@lookup_rate_limit
@requires_permission(UNLINK_PHONE)
def link_restore(request: HttpRequest, customer_id: str, phone: str) -> HttpResponse:
    """Confirm (GET) and apply (POST) the restore of an unlinked link, with a reason."""
    return _link_decision(request, LinkDecision.RESTORE, customer_id, phone)


def _link_decision(
    request: HttpRequest, kind: LinkDecision, customer_id: str, phone: str
) -> HttpResponse:
    page = _PAGES[kind]
    legacy_id = request.POST.get("legacy") or request.GET.get("legacy") or None
    try:
        if request.method == "POST":  # the decision is audited: the form shows nothing new
            found = selectors.link_of_customer(
                customer_id=customer_id, phone=phone, legacy_id=legacy_id
            )
        else:  # the confirmation shows the customer: a view, like the customer page
            found = selectors.link_view(
                customer_id=customer_id,
                phone=phone,
                legacy_id=legacy_id,
                audit=AuditContext.from_request(request),
                page=f"the {kind} confirmation",
            )
    except CustomerNotFound:
        raise Http404("No customer with this id.") from None
    if found is None:
        raise Http404("This customer has no order-derived link to that number.")
    details, row = found
    link = row.link
    # The search the lead came from travels through the confirmation (its form posts to this
    # URL, query string included) and back to the customer.
    came_from = ResultsState.from_customer_query(request.GET)
    # Back to the same page of the customer's numbers as well.
    back = reverse("lookup:customer", args=[customer_id])
    if query := numbers_page_query(came_from, numbers_page_read(request.GET)):
        back = f"{back}?{query}"
    if (refusal := decision_refusal(kind=kind, link=link)) is not None:
        messages.info(request, _refusal_message(refusal, before=True))
        return redirect(back)

    # What a search for the number still finds the customer through once this link is out.
    still_finding = (
        links_still_finding(links=[other.link for other in details.links], unlinked=link)
        if kind.unlinks
        else ()
    )
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
            name = format_html("<bdi>{}</bdi>", details.name)  # stored text: isolated
            if still_finding:
                done = _unlink_done_still_found(
                    number=number, name=name, link=link, still_finding=still_finding
                )
            else:
                done = format_html(page.done, number=number, name=name)
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        page.template,
        {
            "details": details,
            "row": row,
            "link": link,
            "form": form,
            "back": back,
            "still_finding": still_finding,
            "on_account": any(other.source is LinkSource.PROFILE for other in still_finding),
            "other_links": [
                other for other in still_finding if other.source is not LinkSource.PROFILE
            ],
        },
    )


def _unlink_done_still_found(
    *, number: str, name: SafeString, link: PhoneLink, still_finding: tuple[PhoneLink, ...]
) -> SafeString:
    """The success message of an unlink after which searches still list the customer: what
    was unlinked, and through what they are still found (the confirmation said so too)."""
    done = format_html(
        _("The {source} link of {number} to {name} is unlinked."),
        source=link.source.label.lower(),
        number=number,
        name=name,
    )
    if any(other.source is LinkSource.PROFILE for other in still_finding):
        why = _(
            "Searches still find {name}: the number is also the phone on their account, which "
            "belongs to the users service and cannot be unlinked here."
        )
    else:
        why = ngettext(
            "Searches still find {name} through their other link to this number ({links}); "
            "unlink it too to stop that.",
            "Searches still find {name} through their other links to this number ({links}); "
            "unlink them too to stop that.",
            len(still_finding),
        )
    links = ", ".join(
        f"{other.source.label.lower()} {phone_from_e164(other.phone).international}"
        for other in still_finding
    )
    return format_html("{} {}", done, format_html(why, name=name, links=links))


def _refusal_message(refusal: LinkRefused, *, before: bool) -> str:
    """Why nothing was done: the link is already in the state asked for."""
    number = phone_from_e164(refusal.link.phone).international
    if isinstance(refusal, LinkAlreadyUnlinked):
        unlink = refusal.link.unlink
        who = format_html(" by <bdi>{}</bdi>", unlink.by) if unlink and unlink.by else ""
        when = f" on {moment_text(unlink.at)}" if unlink and unlink.at else ""
        return format_html("{} was already unlinked{}{}.", number, who, when)
    assert isinstance(refusal, LinkNotUnlinked)
    if before:
        return "This link is already active; nothing to restore."
    return "This link is already active again; nothing was changed."


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: our own messages ("No customer with this id.") are shown, Django's are not."""
    if api_requested(request):
        return api_not_found()
    message = exception.args[0] if isinstance(exception, Http404) and exception.args else ""
    if not isinstance(message, str) or isinstance(exception, Resolver404):
        message = ""
    return render(request, "404.html", {"message": message}, status=404)
