"""Reads: what the pages and the API ask of the phone directory."""

from lookup.domain import CustomerDetails, SearchPage
from lookup.phones import PhoneNumber
from lookup.repository import get_directory


def customer_search(*, phone: PhoneNumber, page: int = 1, page_size: int) -> SearchPage:
    """Customers linked to a normalized number, one page at a time."""
    return get_directory().customers_by_phone(phone=phone.e164, page=page, page_size=page_size)


def customer_detail(*, customer_id: str) -> CustomerDetails:
    """A customer's profile and every linked number; raises CustomerNotFound."""
    return get_directory().customer_get(customer_id=customer_id)
