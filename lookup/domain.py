"""Domain types the rest of the app sees; storage rows never leave the repository."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class LinkSource(StrEnum):
    """Where a phone<->customer link comes from."""

    PROFILE = "profile"  # the phone on the customer's own profile (UserPhone)
    ORDER = "order"  # a drop-off phone seen on the customer's orders (UserPhoneLookUp)
    LEGACY = "legacy"  # an order link written by the older one-customer-per-phone design

    @property
    def label(self) -> str:
        return {"profile": "Profile", "order": "Order", "legacy": "Legacy order"}[self.value]


class DirectoryError(Exception):
    """Base of the errors the phone directory raises."""


class DirectoryUnavailable(DirectoryError):
    """DynamoDB could not be reached or refused the request; try again later."""


class CustomerNotFound(DirectoryError):
    """No profile and no link exist for this customer id."""


class LinkNotFound(DirectoryError):
    """No order-derived link exists for this customer and number."""


class LinkAlreadyUnlinked(DirectoryError):
    """The link was unlinked already (by someone else, or by an earlier click)."""

    def __init__(self, link: "PhoneLink") -> None:
        super().__init__(f"{link.phone} is already unlinked from {link.customer_id}")
        self.link = link


class LinkNotUnlinked(DirectoryError):
    """A restore was asked for a link that is live (restored already, or re-linked by an order)."""

    def __init__(self, link: "PhoneLink") -> None:
        super().__init__(f"{link.phone} is linked to {link.customer_id}")
        self.link = link


class LinkChanged(DirectoryError):
    """The link changed since the page that asked for this change was shown."""

    def __init__(self, link: "PhoneLink") -> None:
        super().__init__(f"{link.phone} of {link.customer_id} changed meanwhile")
        self.link = link


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


@dataclass(frozen=True, slots=True)
class RecentOrder:
    order_id: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class PhoneLink:
    """One phone<->customer association with its evidence."""

    customer_id: str
    phone: str  # E.164
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

    def is_stale(self, stale_before: datetime) -> bool:
        """A live order-derived link not seen on any order since `stale_before`."""
        if self.source is LinkSource.PROFILE or not self.is_active:
            return False
        seen = self.last_seen or self.first_seen
        return seen is not None and seen < stale_before


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    """A customer linked to the searched number, with every link that connects them."""

    customer_id: str
    profile: CustomerProfile | None
    links: tuple[PhoneLink, ...]

    @property
    def sources(self) -> tuple[LinkSource, ...]:
        present = {link.source for link in self.links}
        return tuple(source for source in LinkSource if source in present)

    @property
    def last_seen(self) -> datetime | None:
        return _latest(link.last_seen for link in self.links)

    def is_stale(self, stale_before: datetime) -> bool:
        """Every link to the searched number is possibly stale."""
        return all(link.is_stale(stale_before) for link in self.links)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of the customers linked to a number, most recently seen first."""

    phone: str  # E.164
    matches: tuple[CustomerMatch, ...]
    total: int
    page: int
    page_size: int

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
    links: tuple[PhoneLink, ...] = field(default=())


def _latest(values) -> datetime | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None
