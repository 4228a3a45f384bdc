"""The one ranking and staleness policy: which customers a search lists first, which links a
page flags "possibly stale" or "passed to another customer", and in which order a customer's
numbers are listed.

A live order-derived link is possibly stale when no order has carried the number since
`stale_before` - or when no date of it is known at all, since nothing then vouches that it is
current. Profile phones belong to the customer's account and are never stale; unlinked links are
history, not candidates.

A live order-derived link is *superseded* (the number passed to another customer) when another
customer's live order-derived link to the same number was first seen after this link was last
seen: the other customer's orders all came after this one's last. Only orders supersede, so a
profile phone, a verified one, and an order link of a customer who also has the number on their
profile never are. A link with no known date cannot be placed before anyone (it is possibly
stale instead); a tie (first seen at the very moment of the last sighting) is not after.

A customer is listed as a current match unless every link to the searched number is possibly
stale or superseded; superseded ones are listed below possibly stale ones.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from lookup.domain.links import LinkSource, PhoneLink
from lookup.domain.times import latest

_NEVER = float("inf")


class Standing(IntEnum):
    """How far a link vouches for its customer today, best first (the ranking's order)."""

    CURRENT = 0
    POSSIBLY_STALE = 1
    SUPERSEDED = 2


def _may_pass_alone(link: PhoneLink) -> bool:
    # A live, order-derived, unverified, dated link: what another customer's orders could
    # pass on, unless the number is on its customer's profile.
    return (
        link.source is not LinkSource.PROFILE
        and not link.verified
        and link.is_active
        and link.seen is not None
    )


def link_may_pass(link: PhoneLink, *, number_links: Iterable[PhoneLink]) -> bool:
    """Whether another customer's orders could supersede `link` at all, whoever they are: a
    live, order-derived, unverified, dated link to a number not on its customer's profile
    (`number_links`: links to the number, the customer's own among them)."""
    return _may_pass_alone(link) and not any(
        other.phone == link.phone
        and other.is_active
        and other.customer_id == link.customer_id
        and other.source is LinkSource.PROFILE
        for other in number_links
    )


class Takeovers:
    """The links of some numbers as the rule reads them: each number's live order-derived
    links sorted by first sighting, and who has it on their profile. A link's takeover is then
    a bisection, not a pass over every link of its number: a number can have thousands, and a
    search asks for each of them."""

    __slots__ = ("_firsts", "_links", "_owners")

    def __init__(self, number_links: Iterable[PhoneLink]) -> None:
        ordered: dict[str, list[PhoneLink]] = {}
        self._owners: set[tuple[str, str]] = set()
        for link in number_links:
            if not link.is_active:
                continue
            if link.source is LinkSource.PROFILE:
                self._owners.add((link.customer_id, link.phone))
            elif link.first_seen is not None:
                ordered.setdefault(link.phone, []).append(link)
        # Ties in first sighting by the link's identity, so the newer customer shown does not
        # depend on the order the links were read in.
        self._links = {
            phone: sorted(links, key=lambda link: (link.first_seen, *_identity(link)))
            for phone, links in ordered.items()
        }
        self._firsts = {
            phone: [link.first_seen for link in links] for phone, links in self._links.items()
        }

    @classmethod
    def of(cls, number_links: "Iterable[PhoneLink] | Takeovers") -> "Takeovers":
        return number_links if isinstance(number_links, Takeovers) else cls(number_links)

    def superseder(self, link: PhoneLink) -> PhoneLink | None:
        """The other customer's link first seen after `link` was last seen, the earliest (the
        module docstring's rule); None when the number did not pass."""
        if not _may_pass_alone(link) or (link.customer_id, link.phone) in self._owners:
            return None
        links = self._links.get(link.phone, [])
        start = bisect_right(self._firsts.get(link.phone, []), link.seen)
        # Past the customer's own few links (an order link, legacy records) to the number.
        return next(
            (other for other in links[start:] if other.customer_id != link.customer_id), None
        )

    def since(self, link: PhoneLink) -> datetime | None:
        other = self.superseder(link)
        return other.first_seen if other is not None else None


def _identity(link: PhoneLink) -> tuple[str, str, str]:
    return (link.customer_id, link.phone, link.legacy_id or "")


def link_superseded_since(
    link: PhoneLink, *, number_links: "Iterable[PhoneLink] | Takeovers"
) -> datetime | None:
    """When the number passed from `link`'s customer to another: the earliest first sighting,
    after `link` was last seen, of another customer's live order-derived link among
    `number_links` (every link to the same number, or their `Takeovers`; `link` itself and
    unlinked ones are ignored). None when it did not (module docstring)."""
    return Takeovers.of(number_links).since(link)


def latest_takeover(takeovers: Iterable[datetime | None]) -> datetime | None:
    """When a customer's links to a number all passed to others (each link's
    `link_superseded_since`): the latest takeover, the one after their last order to it. None
    when one of them did not pass, or there are none."""
    takeovers = list(takeovers)
    if not takeovers or None in takeovers:
        return None
    return max(takeover for takeover in takeovers if takeover is not None)


@dataclass(frozen=True, slots=True)
class Freshness:
    """The staleness policy as of one moment."""

    stale_before: datetime

    @classmethod
    def at(cls, now: datetime, *, stale_after_days: int) -> "Freshness":
        return cls(stale_before=now - timedelta(days=stale_after_days))

    def link_is_stale(self, link: PhoneLink) -> bool:
        if link.source is LinkSource.PROFILE or not link.is_active:
            return False
        return link.seen is None or link.seen < self.stale_before

    def links_are_stale(self, links: Iterable[PhoneLink]) -> bool:
        """Every one of a customer's links to a number is possibly stale."""
        return all(self.link_is_stale(link) for link in links)

    def link_standing(
        self, link: PhoneLink, *, number_links: "Iterable[PhoneLink] | Takeovers"
    ) -> Standing:
        """Superseded before possibly stale: a newer customer on the number is the stronger
        evidence (a link may be both)."""
        if link_superseded_since(link, number_links=number_links) is not None:
            return Standing.SUPERSEDED
        return Standing.POSSIBLY_STALE if self.link_is_stale(link) else Standing.CURRENT

    def links_standing(
        self, links: Iterable[PhoneLink], *, number_links: "Iterable[PhoneLink] | Takeovers"
    ) -> Standing:
        """A customer's standing on a number: that of their best link to it."""
        takeovers = Takeovers.of(number_links)
        return min(
            (self.link_standing(link, number_links=takeovers) for link in links),
            default=Standing.CURRENT,
        )

    def match_key(
        self,
        customer_id: str,
        links: Iterable[PhoneLink],
        *,
        number_links: "Iterable[PhoneLink] | Takeovers" = (),
    ) -> tuple:
        """Sort key of a customer among a number's matches (`number_links`: every customer's
        links to it): current links first, then possibly stale, then superseded; among equals
        profile owners first, then the most recently seen; the id keeps the order total and
        stable."""
        links = list(links)
        seen = latest(*(link.seen for link in links))
        return (
            self.links_standing(links, number_links=number_links),
            not any(link.source is LinkSource.PROFILE for link in links),
            -seen.timestamp() if seen else _NEVER,
            customer_id,
        )

    def link_key(self, link: PhoneLink) -> tuple:
        """Sort key of a link on a customer's page: live before unlinked, current before
        possibly stale, profile before orders before legacy, most recently seen first."""
        return (
            not link.is_active,
            self.link_is_stale(link),
            link.source.rank,
            -link.seen.timestamp() if link.seen else _NEVER,
            link.phone,
        )
