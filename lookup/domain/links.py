"""The domain's stored records: customers, phone links, their changes and order evidence.

Storage rows never leave the repository: it returns these dataclasses. What the pages show,
built from them, is in `pages`.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lookup.wording import gettext_noop

# A link keeps its most recent orders only, so an item never grows without limit.
MAX_RECENT_ORDERS = 10


class LinkSource(StrEnum):
    """Where a phone<->customer link comes from, in the order pages list them."""

    PROFILE = "profile"  # the phone on the customer's own profile (UserPhone)
    ORDER = "order"  # a drop-off phone seen on the customer's orders (UserPhoneLookUp)
    LEGACY = "legacy"  # an order link written by the older one-customer-per-phone design

    @property
    def label(self) -> str:
        """The source as a badge or a heading names it, in English (pages translate it)."""
        return {
            "profile": gettext_noop("Profile"),
            # Translators: an order a customer placed (a link's source), not a sort order.
            "order": gettext_noop("Order"),
            "legacy": gettext_noop("Legacy order"),
        }[self.value]

    @property
    def label_in_text(self) -> str:
        """The source inside a sentence ("the order link of …"), in English (pages translate
        it): a language may write it otherwise than the badge, not only in lower case."""
        return {
            # Translators: inside a sentence, "the profile link of +44…".
            "profile": gettext_noop("profile"),
            # Translators: inside a sentence, "the order link of +44…" (an order a customer placed).
            "order": gettext_noop("order"),
            # Translators: inside a sentence, "the legacy order link of +44…".
            "legacy": gettext_noop("legacy order"),
        }[self.value]

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
class OrderMark:
    """One order recorded for a link: its marker item says the order was delivered."""

    order_id: str
    created_at: datetime
    country: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceBaseline:
    """What a link knew of its orders before they were recorded one by one (an order marker
    each: `lookup.domain.evidence`), frozen when the first marker-based write upgraded it.

    `orders` orders were counted (or, for a record that says only when it was created, one
    order is assumed: the one that created it) without a marker standing for them, all placed
    before `before`. A marker older than that may be one of them replayed, so markers there
    count only beyond `orders`: the count never doubles, and it becomes exact once the old
    history has been delivered again.
    """

    orders: int = 0
    before: datetime | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    country: str | None = None


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
    # Whether the evidence is derived from the link's order markers (every order written since
    # exact counting began); False for records written before, or by other services.
    marked: bool = False
    baseline: EvidenceBaseline | None = None  # a marked link's evidence from before its markers

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
