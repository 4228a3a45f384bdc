"""The domain: records, rules and errors, free of storage and of Django.

* `links`: the stored records every layer exchanges (profiles, phone links, their changes);
* `pages`: what the pages show (a page of search results, a customer's page of numbers);
* `errors`: what can go wrong, as the pages and the API explain it;
* `evidence`: how an order adds evidence to a link; `legacy`: how a legacy record folds in;
* `decisions`: when an unlink or a restore applies; `ranking`: the one ranking and staleness
  policy; `times`: moments as the table stores them.
"""

from lookup.domain.errors import (
    CustomerNotFound,
    DirectoryError,
    DirectoryUnavailable,
    InvalidField,
    LinkAlreadyUnlinked,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkRefused,
    WriteRefused,
)
from lookup.domain.links import CustomerProfile, LinkChange, LinkSource, PhoneLink, RecentOrder
from lookup.domain.pages import (
    Alternative,
    CustomerDetails,
    CustomerMatch,
    LinkRow,
    SearchPage,
)

__all__ = [
    "Alternative",
    "CustomerDetails",
    "CustomerMatch",
    "CustomerNotFound",
    "CustomerProfile",
    "DirectoryError",
    "DirectoryUnavailable",
    "InvalidField",
    "LinkAlreadyUnlinked",
    "LinkChange",
    "LinkChanged",
    "LinkNotFound",
    "LinkNotUnlinked",
    "LinkRefused",
    "LinkRow",
    "LinkSource",
    "PhoneLink",
    "RecentOrder",
    "SearchPage",
    "WriteRefused",
]
