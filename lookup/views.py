import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lookup import selectors
from lookup.domain import CustomerNotFound
from lookup.forms import PhoneSearchForm
from lookup.phones import PhoneNumber, phone_from_e164

_COUNTRY_SESSION_KEY = "lookup.country"
_E164 = re.compile(r"^\+[1-9][0-9]{2,15}$")


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search page; with `?phone=` it also lists the customers linked to that number."""
    results = None
    if "phone" in request.GET:
        form = PhoneSearchForm(request.GET)
        if form.is_valid():
            number = form.cleaned_data["number"]
            request.session[_COUNTRY_SESSION_KEY] = form.cleaned_data["country"]
            results = selectors.customer_search(
                phone=number, page=_page_number(request), page_size=settings.SEARCH_PAGE_SIZE
            )
    else:
        form = PhoneSearchForm(
            initial={
                "country": request.session.get(_COUNTRY_SESSION_KEY, settings.DEFAULT_PHONE_REGION)
            }
        )
    return render(request, "lookup/search.html", {"form": form, "results": results})


@require_GET
@login_required
def customer_detail(request: HttpRequest, customer_id: str) -> HttpResponse:
    try:
        details = selectors.customer_detail(customer_id=customer_id)
    except CustomerNotFound:
        raise Http404("No customer with this id.") from None
    return render(
        request,
        "lookup/customer.html",
        {"details": details, "back_to_phone": _searched_phone(request.GET.get("from", ""))},
    )


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
