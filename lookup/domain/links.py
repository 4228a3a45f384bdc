"""The domain's records: customers, phone links and what a search or a customer page shows.

Storage rows never leave the repository: it returns these dataclasses, and the selectors wrap
them into results that carry what the pages need (the normalized number, the staleness flag) so
templates compute nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lookup.domain.times import latest
from lookup.phones import Equivalent, PhoneNumber

# A link keeps its most recent orders only, so an item never grows without limit.
MAX_RECENT_ORDERS = 10


class LinkSource(StrEnum):
    """Where a phone<->customer link comes from, in the order pages list them."""

    PROFILE = "profile"  # the phone on the customer's own profile (UserPhone)
    ORDER = "order"  # a drop-off phone seen on the customer's orders (UserPhoneLookUp)
    LEGACY = "legacy"  # an order link written by the older one-customer-per-phone design

    @property
    def label(self) -> str:
        return {"profile": "Profile", "order": "Order", "legacy": "Legacy order"}[self.value]

    @property
    def rank(self) -> int:
        return list(LinkSource).index(self)


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A customer's profile as the users service wrote it; any field may be missing."""

    customer_id: str
    name: str | None = None
    email: str | None = None
    country: str | None = None
    created_at: datetime | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class LinkChange:
    """Who unlinked or restored a link, when and why."""

    at: datetime | None
    by: str | None
    reason: str | None

    @property
    def is_decision(self) -> bool:
        """Whether someone is on record for it: an item merely out of the index is not."""
        return self.at is not None or bool(self.by) or bool(self.reason)

    def covers(self, moment: datetime | None) -> bool:
        """Whether this unlink already decided evidence from `moment`.

        Evidence from before (or at) the unlink does not undo it; evidence from after does. A
        moment nobody knows is covered. An unlink of unknown time cannot be placed, so it covers
        everything if someone is on record for it, and nothing if it is merely an item out of
        the index.
        """
        if self.at is None:
            return self.is_decision
        return moment is None or moment <= self.at


@dataclass(frozen=True, slots=True)
class RecentOrder:
    order_id: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class PhoneLink:
    """One phone<->customer association with its evidence, as stored."""

    customer_id: str
    phone: str  # E.164 (as stored: another service may have written something else)
    source: LinkSource
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    order_count: int | None = None
    recent_orders: tuple[RecentOrder, ...] = ()  # newest first
    verified: bool | None = None
    unlink: LinkChange | None = None  # set while unlinked (a tombstone)
    restore: LinkChange | None = None  # the latest restore or re-link by a newer order
    country: str | None = None  # the country of the latest order that carried this number
    legacy_id: str | None = None  # identifies a legacy record (its creation time as stored)
    version: int = 0  # bumped by every write; guards against lost updates

    @property
    def is_active(self) -> bool:
        return self.unlink is None

    @property
    def recent_order_ids(self) -> tuple[str, ...]:
        return tuple(order.order_id for order in self.recent_orders)

    @property
    def can_unlink(self) -> bool:
        """Order-derived links can be unlinked here; profile phones belong to the account."""
        return self.source is not LinkSource.PROFILE

    @property
    def seen(self) -> datetime | None:
        """The latest evidence of the link: last seen, else first seen."""
        return self.last_seen or self.first_seen


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A link as a page shows it: with its number described and its staleness judged."""

    link: PhoneLink
    number: PhoneNumber
    possibly_stale: bool = False
    # Set when this number is another form (a renumbering's) of the number listed just above it.
    same_as: Equivalent | None = None


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    """A customer linked to the searched number, with every link that connects them."""

    customer_id: str
    profile: CustomerProfile | None
    links: tuple[PhoneLink, ...]
    possibly_stale: bool = False  # every link to the number is possibly stale
    # The other forms of the number (a renumbering's) this customer was found through, when
    # none of their links is to the form searched: shown, so an equivalence is never silent.
    matched_as: tuple[Equivalent, ...] = ()

    @property
    def sources(self) -> tuple[LinkSource, ...]:
        present = {link.source for link in self.links}
        return tuple(source for source in LinkSource if source in present)

    @property
    def last_seen(self) -> datetime | None:
        return latest(*(link.last_seen for link in self.links))


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another reading of what the agent typed (another country's, or the digits as an
    international number) and how many customers it finds."""

    number: PhoneNumber
    customers: int


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of the customers linked to a number, best candidates first."""

    number: PhoneNumber
    matches: tuple[CustomerMatch, ...]
    total: int
    page: int
    page_size: int
    equivalents: tuple[Equivalent, ...] = ()  # the other forms searched with the number
    alternatives: tuple[Alternative, ...] = ()  # other readings that find customers
    extension: str | None = None  # typed or pasted with the number; shown, never searched

    @property
    def phone(self) -> str:
        return self.number.e164

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.matches else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.matches)


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """A customer's profile (if the users service has one) and all their linked numbers."""

    customer_id: str
    profile: CustomerProfile | None
    links: tuple[LinkRow, ...] = field(default=())

    @property
    def name(self) -> str:
        """What to call the customer in a sentence: their name, else their id."""
        return (self.profile.name if self.profile else None) or self.customer_id
