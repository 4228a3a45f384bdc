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


def link_may_pass(link: PhoneLink, *, number_links: Iterable[PhoneLink]) -> bool:
    """Whether another customer's orders could supersede `link` at all, whoever they are: a
    live, order-derived, unverified, dated link to a number not on its customer's profile
    (`number_links`: links to the number, the customer's own among them)."""
    if link.source is LinkSource.PROFILE or link.verified or not link.is_active:
        return False
    if link.seen is None:
        return False
    return not any(
        other.phone == link.phone
        and other.is_active
        and other.customer_id == link.customer_id
        and other.source is LinkSource.PROFILE
        for other in number_links
    )


def link_superseded_since(link: PhoneLink, *, number_links: Iterable[PhoneLink]) -> datetime | None:
    """When the number passed from `link`'s customer to another: the earliest first sighting,
    after `link` was last seen, of another customer's live order-derived link among
    `number_links` (every link to the same number; `link` itself and unlinked ones are ignored).
    None when it did not (module docstring)."""
    number_links = list(number_links)
    if not link_may_pass(link, number_links=number_links):
        return None
    seen = link.seen
    return min(
        (
            other.first_seen
            for other in number_links
            if other.phone == link.phone
            and other.is_active
            and other.customer_id != link.customer_id
            and other.source is not LinkSource.PROFILE
            and other.first_seen is not None
            and other.first_seen > seen
        ),
        default=None,
    )


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

    def link_standing(self, link: PhoneLink, *, number_links: Iterable[PhoneLink]) -> Standing:
        """Superseded before possibly stale: a newer customer on the number is the stronger
        evidence (a link may be both)."""
        if link_superseded_since(link, number_links=number_links) is not None:
            return Standing.SUPERSEDED
        return Standing.POSSIBLY_STALE if self.link_is_stale(link) else Standing.CURRENT

    def links_standing(
        self, links: Iterable[PhoneLink], *, number_links: Iterable[PhoneLink]
    ) -> Standing:
        """A customer's standing on a number: that of their best link to it."""
        number_links = list(number_links)
        return min(
            (self.link_standing(link, number_links=number_links) for link in links),
            default=Standing.CURRENT,
        )

    def match_key(
        self,
        customer_id: str,
        links: Iterable[PhoneLink],
        *,
        number_links: Iterable[PhoneLink] = (),
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
