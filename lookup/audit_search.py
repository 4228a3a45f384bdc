"""What the audit trail's search box searches: only the column what was typed can be.

A year's trail is tens of millions of entries. One condition ORing every column, one of them a
substring, reads all of them; each kind of input below is read by an index of its own column
(docs/performance.md, "The audit trail"):

- a phone number in any format: `phone`, among the E.164 numbers it may mean;
- a request id as `RequestIdMiddleware` makes them (32 hex digits): `request_id`;
- the beginning of a customer id (hex digits and dashes with a digit among them, as UUIDs are,
  or an id in a region's namespace such as `eu-west-1:7c1e…`): `customer_id`;
- anything else is a name: a user or API client whose name begins with it (case ignored), the
  account an access-management entry is about, or the beginning of a customer id of another
  shape (ids are whatever the users service wrote).
"""

import contextlib
import re

from django.conf import settings
from django.db.models import Q

from lookup.phones import PhoneNumberError, phone_equivalents, phone_other_readings, phone_read

# lookup.middleware generates uuid4().hex; an id a proxy passed on may have another shape, and
# is then found as a name would be (not at all): only the generated ones are recognised.
_REQUEST_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_CUSTOMER_ID = re.compile(
    r"^(?=\S*\d)(?:[0-9a-fA-F][0-9a-fA-F-]{3,}|[a-z]{2}(?:-[a-z]+)+-\d+:[0-9a-fA-F-]*)$"
)


def audit_search_filter(*, term: str) -> Q | None:
    """The condition a search of `term` adds to the audit list; None when there is none."""
    term = term.strip()
    if not term:
        return None
    if _REQUEST_ID.match(term):
        return Q(request_id__in=sorted({term, term.lower()}))
    if numbers := _numbers_meant(term):
        return Q(phone__in=numbers)
    if _CUSTOMER_ID.match(term):
        return Q(customer_id__startswith=term)
    # The functional indexes on UPPER(actor) and UPPER(subject) serve the names (migration
    # 0009), the customer id's own index its beginning.
    return Q(actor__istartswith=term) | Q(subject__iexact=term) | Q(customer_id__startswith=term)


def _numbers_meant(term: str) -> list[str]:
    """The E.164 numbers a search term may mean, read as the search page reads it (the default
    country, then the other plausible readings in the business's countries), with the other
    forms of each (a renumbering's); nothing unless it reads as a phone number."""
    if not any(character.isdigit() for character in term):
        return []
    region = settings.DEFAULT_PHONE_REGION
    readings = []
    with contextlib.suppress(PhoneNumberError):
        readings.append(phone_read(raw=term, region=region).number)
    readings += phone_other_readings(raw=term, region=region, regions=settings.PHONE_REGIONS)
    numbers = {number.e164 for number in readings}
    for number in list(numbers):
        numbers.update(equivalent.e164 for equivalent in phone_equivalents(e164=number))
    return sorted(numbers)
