"""Reads: what the pages and the API ask of the phone directory."""

from datetime import datetime, timedelta

from django.conf import settings

from lookup.domain import CustomerDetails, SearchPage
from lookup.phones import PhoneNumber
from lookup.repository import get_directory
from lookup.timestamps import utc_now


def stale_threshold() -> datetime:
    """Order-derived links last seen before this moment are "possibly stale"."""
    return utc_now() - timedelta(days=settings.STALE_LINK_AFTER_DAYS)


def customer_search(*, phone: PhoneNumber, page: int = 1, page_size: int) -> SearchPage:
    """Customers linked to a normalized number, current links first, one page at a time."""
    return get_directory().customers_by_phone(
        phone=phone.e164, page=page, page_size=page_size, stale_before=stale_threshold()
    )


def customer_detail(*, customer_id: str) -> CustomerDetails:
    """A customer's profile and every linked number; raises CustomerNotFound."""
    return get_directory().customer_get(customer_id=customer_id)
