"""The pages: parse the input, call one selector or service, render."""

from collections.abc import Callable
from dataclasses import replace

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from lookup.access.permissions import (
    SEARCH_PHONE,
    UNLINK_PHONE,
    VIEW_CUSTOMER,
    require_permission,
    requires_permission,
)
from lookup.access.rate_limits import lookup_opened_by_search, lookup_rate_limit
from lookup.audit import AuditContext
from lookup.decision_pages import DECISION_PAGES, refusal_message, unlink_done_still_found
from lookup.desk_session import countries_recent, countries_remember, country_last
from lookup.domain.decisions import LinkDecision, decision_refusal, links_still_finding
from lookup.domain.errors import (
    CustomerNotFound,
    LinkChanged,
    LinkNotFound,
    LinkRefused,
)
from lookup.domain.links import LinkSource, PhoneLink
from lookup.domain.pages import CustomerDetails, LinkRow
from lookup.forms import PhoneSearchForm, customer_id_unknown
from lookup.navigation import CustomerAddress
from lookup.phones import phone_from_e164
from lookup.selectors.audit_trail import searches_recent
from lookup.selectors.customers import customer_exists, link_of_customer
from lookup.services.customers import LinkQuery, customer_open, link_open
from lookup.services.links import link_decide
from lookup.services.search import readings_record, search_record

_BAD_FORM = gettext_lazy(
    "This form was not sent as the page made it; nothing was changed. Open the page again."
)
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
    form = PhoneSearchForm.from_query(
        request.GET,
        query_string=request.META.get("QUERY_STRING", ""),
        default_country=country_last(session=request.session),
    )
    if not form.is_bound:
        # Recent searches are read from the audit trail: as long as it keeps them.
        recent = searches_recent(user=request.user)
        return render(
            request, "lookup/search.html", {"form": form, "results": None, "recent": recent}
        )
    if not form.is_valid():
        offers = ()
        readings = form.readings_query(
            regions=[*settings.PHONE_REGIONS, *countries_recent(session=request.session)]
        )
        if readings is not None:
            # Not a number in the chosen country: the readings that find customers are offered.
            offers = readings_record(query=readings, audit=AuditContext.from_request(request))
        return render(
            request, "lookup/search.html", {"form": form, "results": None, "offers": offers}
        )
    if customer_id := form.cleaned_data.get("customer_id"):
        return _customer_id_open(request, form, customer_id)
    recent_countries = countries_remember(
        session=request.session, country=form.cleaned_data["country"]
    )
    results = search_record(
        query=form.search_query(
            regions=[*settings.PHONE_REGIONS, *recent_countries],
            # Unlinked links are history for those who may restore them.
            include_unlinked=request.user.has_perm(UNLINK_PHONE),
        ),
        audit=AuditContext.from_request(request),
    )
    state = replace(form.results_asked, page=results.page, name_filter=results.name_filter)
    only = results.only_match
    if only is not None and settings.AUTO_OPEN_SINGLE_MATCH and form.opens_single:
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


def _customer_id_open(
    request: HttpRequest, form: PhoneSearchForm, customer_id: str
) -> HttpResponse:
    """A customer id in the search box: that customer's page when the profile exists (one
    GetItem here; the page itself is the audited view, and this search was its one count
    against the lookup limit), else a plain form error."""
    require_permission(request, VIEW_CUSTOMER, customer_id=customer_id)
    if not customer_exists(customer_id=customer_id):
        form.add_error("phone", customer_id_unknown(customer_id=customer_id))
        return render(request, "lookup/search.html", {"form": form, "results": None})
    customer = reverse("lookup:customer", args=[customer_id])
    lookup_opened_by_search(request=request, path=customer)
    return redirect(customer)


@require_safe
@login_required
@lookup_rate_limit
@requires_permission(VIEW_CUSTOMER)
def customer_detail(request: HttpRequest, customer_id: str) -> HttpResponse:
    """A customer's profile and numbers; `from=<E.164>` (and the results' page and filter)
    names the search the agent came from, for the way back and the highlighted number."""
    can_unlink = request.user.has_perm(UNLINK_PHONE)
    address = CustomerAddress.from_query(request.GET)
    try:
        details = customer_open(
            # Unlinked numbers are history for those who may restore them.
            query=address.customer_query(customer_id=customer_id, include_unlinked=can_unlink),
            audit=AuditContext.from_request(request),
        )
    except CustomerNotFound:
        raise Http404(gettext("No customer with this id.")) from None
    pages = {
        name: address.query(numbers_page=page)
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
            "came_from": address.came_from,
            "can_unlink": can_unlink,
            "order_url_template": settings.ORDER_URL_TEMPLATE,
            **pages,
        },
    )


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
    # The page's address carries the legacy record and the search the lead came from; its form
    # posts to the same address, query string included, and the way back keeps both.
    address = CustomerAddress.from_query(request.GET)
    if request.method == "POST":
        return _link_decision_apply(request, kind, address, customer_id=customer_id, phone=phone)
    query = address.link_query(customer_id=customer_id, phone=phone)
    return _link_decision_confirm(request, kind, address, query)


def _link_decision_confirm(
    request: HttpRequest, kind: LinkDecision, address: CustomerAddress, query: LinkQuery
) -> HttpResponse:
    """GET: the confirmation shows the customer, so it is a view, like the customer page."""
    details, row = _link_found(
        lambda: link_open(
            query=query, audit=AuditContext.from_request(request), page=f"the {kind} confirmation"
        )
    )
    back = _link_back(address, customer_id=query.customer_id)
    if (refusal := decision_refusal(kind=kind, link=row.link)) is not None:
        messages.info(request, refusal_message(refusal, before=True))
        return redirect(back)
    form = DECISION_PAGES[kind].form(initial={"version": row.link.version})
    return _link_page(request, kind, details=details, row=row, form=form, back=back)


def _link_decision_apply(
    request: HttpRequest,
    kind: LinkDecision,
    address: CustomerAddress,
    *,
    customer_id: str,
    phone: str,
) -> HttpResponse:
    """POST: the decision, audited by the service when it applies; the form shows nothing
    new, so finding the link again is not a view."""
    page = DECISION_PAGES[kind]
    form = page.form(request.POST)
    valid = form.is_valid()
    query = address.link_query(
        customer_id=customer_id, phone=phone, posted_legacy=form.cleaned_data.get("legacy", "")
    )
    details, row = _link_found(
        lambda: link_of_customer(
            customer_id=query.customer_id, phone=query.phone, legacy_id=query.legacy_id
        )
    )
    link = row.link
    back = _link_back(address, customer_id=customer_id)
    if (refusal := decision_refusal(kind=kind, link=link)) is not None:
        messages.info(request, refusal_message(refusal, before=True))
        return redirect(back)
    if not valid:
        if "version" in form.errors:
            # Only a tampered or truncated form gets here: the page always sends the version.
            return render(request, "400.html", {"message": _BAD_FORM}, status=400)
        return _link_page(request, kind, details=details, row=row, form=form, back=back)
    still_finding = _still_finding(kind, details=details, link=link)
    try:
        link_decide(
            kind=kind,
            link=link,
            expected_version=form.cleaned_data["version"],
            reason=form.reason_text,
            audit=AuditContext.from_request(request),
        )
    except LinkNotFound:
        messages.warning(request, gettext("That link no longer exists; nothing was changed."))
        return redirect(back)
    except LinkChanged as exc:
        row = replace(row, link=exc.link)
        form = page.form(initial={**form.cleaned_data, "version": exc.link.version})
        messages.warning(request, page.changed)
        return _link_page(request, kind, details=details, row=row, form=form, back=back, shown=link)
    except LinkRefused as exc:
        messages.info(request, refusal_message(exc, before=False))
        return redirect(back)
    number = phone_from_e164(phone).international
    name = format_html("<bdi>{}</bdi>", details.name)  # stored text: isolated
    if still_finding:
        done = unlink_done_still_found(
            number=number, name=name, link=link, still_finding=still_finding
        )
    else:
        done = format_html(page.done, number=number, name=name)
    messages.success(request, done)
    return redirect(back)


def _link_found(
    read: Callable[[], tuple[CustomerDetails, LinkRow] | None],
) -> tuple[CustomerDetails, LinkRow]:
    """The customer and the link the page is about, read by `read`; else a 404."""
    try:
        found = read()
    except CustomerNotFound:
        raise Http404(gettext("No customer with this id.")) from None
    if found is None:
        raise Http404(gettext("This customer has no order-derived link to that number."))
    return found


def _link_back(address: CustomerAddress, *, customer_id: str) -> str:
    """Back to the customer: the search the lead came from and the same page of numbers."""
    back = reverse("lookup:customer", args=[customer_id])
    if query := address.query():
        back = f"{back}?{query}"
    return back


def _still_finding(
    kind: LinkDecision, *, details: CustomerDetails, link: PhoneLink
) -> tuple[PhoneLink, ...]:
    """What a search for the number still finds the customer through once this link is out."""
    if not kind.unlinks:
        return ()
    return links_still_finding(links=[other.link for other in details.links], unlinked=link)


def _link_page(
    request: HttpRequest,
    kind: LinkDecision,
    *,
    details: CustomerDetails,
    row: LinkRow,
    form: forms.Form,
    back: str,
    shown: PhoneLink | None = None,
) -> HttpResponse:
    """The confirmation page; `shown`: the link as the lead confirmed it, when it has changed
    since (what it is still found through is told as of then)."""
    still_finding = _still_finding(kind, details=details, link=shown or row.link)
    return render(
        request,
        DECISION_PAGES[kind].template,
        {
            "details": details,
            "row": row,
            "link": row.link,
            "form": form,
            "back": back,
            "still_finding": still_finding,
            "on_account": any(other.source is LinkSource.PROFILE for other in still_finding),
            "other_links": [
                other for other in still_finding if other.source is not LinkSource.PROFILE
            ],
        },
    )
