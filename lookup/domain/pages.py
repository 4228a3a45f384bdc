"""What the pages show: a page of search results, a customer's page of numbers, and their rows.

Page models, not stored records (those are `links`): the selectors build them from the records
with what the pages need (the normalized number, the staleness flag, the page's place among the
pages), so templates compute nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime

from lookup.domain.links import CustomerProfile, LinkChange, LinkSource, PhoneLink, RecentOrder
from lookup.domain.ranking import latest_takeover
from lookup.domain.times import earliest, latest
from lookup.phones import Equivalent, PhoneNumber


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A link as a page shows it: with its number described and its staleness judged."""

    link: PhoneLink
    number: PhoneNumber
    possibly_stale: bool = False
    # Set when this number is another form (a renumbering's) of the number listed just above it.
    same_as: Equivalent | None = None
    # When another customer's orders took the number over (`ranking.link_superseded_since`).
    superseded_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    """A customer linked to the searched number, with every link that connects them."""

    customer_id: str
    profile: CustomerProfile | None
    links: tuple[PhoneLink, ...]
    possibly_stale: bool = False  # every link to the number is possibly stale
    # Every link to the number passed to another customer: since when (the latest takeover of
    # the customer's links, the one after their last order to it).
    superseded_since: datetime | None = None
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

    @property
    def orders(self) -> "OrderSummary":
        """The customer's orders to this number: the newest one and how many."""
        return order_summary(self.links)


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """What a set of links says about the orders that carried a number.

    `count` is None when no link knows its count (legacy records and profile phones do not);
    `has_orders` tells "no order ever carried it" (a profile phone only) from "not counted".
    """

    has_orders: bool
    count: int | None = None
    last_at: datetime | None = None
    last_id: str | None = None  # when the newest order is one of the recent orders kept
    last_phone: str | None = None  # the number the newest order carried (E.164 as stored)


def order_summary(links: "tuple[PhoneLink, ...] | list[PhoneLink]") -> OrderSummary:
    """The newest order (time, id, number) and the order count over the order-derived links.

    The newest order is the latest of the recent orders kept on the links; a link that keeps
    none (a legacy record) still dates its last order by its last sighting.
    """
    ordered = [link for link in links if link.source is not LinkSource.PROFILE]
    if not ordered:
        return OrderSummary(has_orders=False)
    counts = [link.order_count for link in ordered if link.order_count is not None]
    count = sum(counts) if counts else None
    # (moment, has an id, id, number): the latest moment wins, an order with its id first.
    sightings = [
        (order.created_at, True, order.order_id, link.phone)
        for link in ordered
        for order in link.recent_orders
        if order.created_at
    ]
    sightings += [(link.last_seen, False, None, link.phone) for link in ordered if link.last_seen]
    if not sightings:
        return OrderSummary(has_orders=True, count=count)
    last_at, _, last_id, last_phone = max(sightings, key=lambda seen: (seen[0], seen[1]))
    return OrderSummary(
        has_orders=True, count=count, last_at=last_at, last_id=last_id, last_phone=last_phone
    )


@dataclass(frozen=True, slots=True)
class UnlinkedLink:
    """A tombstoned link to a searched number, as a lead's search hints at it: the customer it
    no longer finds and who unlinked it, when and why."""

    customer_id: str
    name: str | None
    number: PhoneNumber
    source: LinkSource
    change: LinkChange


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another reading of what the agent typed (another country's, or the digits as an
    international number) and how many customers it finds."""

    number: PhoneNumber
    customers: int


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows make, `page_size` a page; an empty list is one page."""
    return max(1, -(-total // page_size))


class Paged:
    """Where a page stands among its pages; the page model says how many (`num_pages`)."""

    __slots__ = ()
    page: int
    num_pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True, slots=True)
class SearchPage(Paged):
    """One page of the customers linked to a number, best candidates first."""

    number: PhoneNumber
    matches: tuple[CustomerMatch, ...]
    total: int
    page: int
    page_size: int
    equivalents: tuple[Equivalent, ...] = ()  # the other forms searched with the number
    alternatives: tuple[Alternative, ...] = ()  # other readings that find customers
    extension: str | None = None  # typed or pasted with the number; shown, never searched
    read_as: str | None = None  # the digits dialled for a number spelled with letters
    # Narrowing by name or email: `total` counts the customers it keeps, `total_unfiltered`
    # every customer of the number.
    name_filter: str = ""
    total_unfiltered: int = 0
    # Leads only: links to the number that were unlinked (out of every search, by design).
    unlinked: tuple[UnlinkedLink, ...] = ()
    # The forms (E.164: the number, its other forms) that found at least one customer.
    forms_found: tuple[str, ...] = ()

    @property
    def equivalents_found(self) -> tuple[Equivalent, ...]:
        """The other forms of the number that found customers (a search of an old form finds
        them through the current one)."""
        return tuple(eq for eq in self.equivalents if eq.e164 in self.forms_found)

    @property
    def only_match(self) -> CustomerMatch | None:
        """The customer to open directly: the number's one match, when nothing else on the
        results page needs the agent's eye - no other customer (possibly stale, passed to
        another customer or found through another form), no other reading, no narrowing, no
        unlinked link to show."""
        if self.total_unfiltered != 1 or self.name_filter or self.alternatives or self.unlinked:
            return None
        if len(self.matches) != 1:
            return None
        match = self.matches[0]
        if match.possibly_stale or match.superseded_since or match.matched_as:
            return None
        return match

    @property
    def phone(self) -> str:
        return self.number.e164

    @property
    def num_pages(self) -> int:
        return page_count(self.total, self.page_size)

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.matches else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.matches)


@dataclass(frozen=True, slots=True)
class NumberRow:
    """One number on a customer's page with every link to it (profile phone, order link,
    legacy records) as one row: the same number is listed once, with all its sources."""

    number: PhoneNumber
    links: tuple[LinkRow, ...]  # in the page's order; each keeps its own unlink/restore
    # Set when this number is another form (a renumbering's) of the number listed above it.
    same_as: Equivalent | None = None
    searched: bool = False  # the number the agent searched, or another form of it

    @property
    def phone(self) -> str:
        return self.links[0].link.phone

    @property
    def sources(self) -> tuple[LinkSource, ...]:
        """Where the links to the number come from (an unlinked one too: its note says so)."""
        present = {row.link.source for row in self.links}
        return tuple(source for source in LinkSource if source in present)

    @property
    def source_values(self) -> str:
        return " ".join(source.value for source in self.sources)

    @property
    def unlinked_sources(self) -> tuple[LinkSource, ...]:
        """The sources whose every link to the number is unlinked."""
        live = {row.link.source for row in self.links if row.link.is_active}
        return tuple(source for source in self.sources if source not in live)

    @property
    def has_profile_phone(self) -> bool:
        return LinkSource.PROFILE in self.sources

    @property
    def is_active(self) -> bool:
        return any(row.link.is_active for row in self.links)

    @property
    def possibly_stale(self) -> bool:
        """Every live link to the number is possibly stale (a profile phone never is)."""
        live = [row for row in self.links if row.link.is_active]
        return bool(live) and all(row.possibly_stale for row in live)

    @property
    def superseded_since(self) -> datetime | None:
        """When the number passed to another customer, if every live link to it did: the
        takeover after the latest of them."""
        return latest_takeover(row.superseded_since for row in self.links if row.link.is_active)

    @property
    def verified(self) -> bool | None:
        """The profile phone's verification; None without a profile phone."""
        profile = [row.link for row in self.links if row.link.source is LinkSource.PROFILE]
        return profile[0].verified if profile else None

    # The evidence of every link, an unlinked one's too: an unlink keeps its history for the
    # page and a restore.
    @property
    def first_seen(self) -> datetime | None:
        return earliest(*(row.link.first_seen for row in self.links))

    @property
    def orders(self) -> OrderSummary:
        return order_summary([row.link for row in self.links])

    @property
    def recent_orders(self) -> tuple[RecentOrder, ...]:
        """The links' recent orders, newest first, each once."""
        seen: dict[str, RecentOrder] = {}
        for row in self.links:
            for order in row.link.recent_orders:
                seen.setdefault(order.order_id, order)
        return tuple(sorted(seen.values(), key=_order_newest_first))

    @property
    def changes(self) -> tuple[LinkRow, ...]:
        """The links with an unlink or a restore on record, for their notes."""
        return tuple(row for row in self.links if row.link.unlink or row.link.restore)

    @property
    def actions(self) -> tuple[LinkRow, ...]:
        """The links a lead may unlink or restore here (order-derived ones)."""
        return tuple(row for row in self.links if row.link.can_unlink)


def _order_newest_first(order: RecentOrder) -> tuple:
    return (order.created_at is None, -(order.created_at.timestamp() if order.created_at else 0))


@dataclass(frozen=True, slots=True)
class CustomerDetails(Paged):
    """A customer's profile (if the users service has one) and one page of their linked
    numbers, with what the page needs to know of the others: how many, the newest order."""

    customer_id: str
    profile: CustomerProfile | None
    links: tuple[LinkRow, ...] = field(default=())  # the page's links, one per link, in order
    numbers: tuple[NumberRow, ...] = field(default=())  # the same links, one row per number
    # The customer's newest order on any link shown (every page's, not just this one's).
    orders: OrderSummary = field(default_factory=lambda: OrderSummary(has_orders=False))
    page: int = 1
    page_size: int = 1
    total_numbers: int = 0  # the rows of every page together
    # Numbers with a live link (the unlinked ones a lead sees aside), and whether that many
    # makes the account probably shared: an operator's or a call centre's, ordering for others.
    live_numbers: int = 0
    probably_shared: bool = False

    @property
    def num_pages(self) -> int:
        return page_count(self.total_numbers, self.page_size)

    # Counted in numbers, a renumbering's forms of one number as one (they are listed together,
    # so a page may have a row or two more than its size).
    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total_numbers else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.page_size, self.total_numbers)

    @property
    def name(self) -> str:
        """What to call the customer in a sentence: their name, else their id."""
        return (self.profile.name if self.profile else None) or self.customer_id


@dataclass(frozen=True, slots=True)
class RecentSearch:
    """One of an agent's own recent searches, from the audit trail: to search again when the
    caller rings back."""

    number: PhoneNumber
    customers: int | None
    at: datetime
