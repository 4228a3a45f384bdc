"""The one ranking and staleness policy: which customers a search lists first, which links a
page flags "possibly stale", and in which order a customer's numbers are listed.

A live order-derived link is possibly stale when no order has carried the number since
`stale_before` - or when no date of it is known at all, since nothing then vouches that it is
current. Profile phones belong to the customer's account and are never stale; unlinked links are
history, not candidates. A customer is listed as a current match unless every link to the
searched number is possibly stale.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lookup.domain.links import LinkSource, PhoneLink
from lookup.domain.times import latest

_NEVER = float("inf")


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

    def match_key(self, customer_id: str, links: Iterable[PhoneLink]) -> tuple:
        """Sort key of a customer among a number's matches: current links first, then profile
        owners, then the most recently seen; the id keeps the order total and stable."""
        links = list(links)
        seen = latest(*(link.seen for link in links))
        return (
            self.links_are_stale(links),
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
