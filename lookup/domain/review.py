"""The review queue's rule: which of a number's live links a lead should look at, and why.

A live order-derived link (order or legacy) is queued when the ranking policy
(`lookup.domain.ranking`) says it no longer vouches for its customer: superseded (another
customer's orders to the number all came after this one's last) or possibly stale (no order
since the threshold). A link may be both; superseded is the stronger evidence and wins. Profile
phones and unlinked links are never queued: the first belong to the users service's account,
the second are decided already.

The queue is ranked by confidence: superseded before merely old, then the longest unseen first.
Pure: given every live link to one number, the entries follow from them and the policy alone,
so the worker's refresh of one number and a scan of the whole table agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lookup.domain.links import LinkSource, PhoneLink
from lookup.domain.ranking import Freshness, Takeovers


class ReviewReason(StrEnum):
    """Why a link is queued, strongest evidence first."""

    SUPERSEDED = "superseded"
    POSSIBLY_STALE = "possibly_stale"

    @property
    def rank(self) -> int:
        return list(ReviewReason).index(self)


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """One queued link with its evidence; `superseder` is the other customer's link whose first
    sighting dates the takeover (`superseded_since`), when superseded."""

    link: PhoneLink
    reason: ReviewReason
    superseded_since: datetime | None = None
    superseder: PhoneLink | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """The link's identity: customer, number, legacy record ("" for a UserPhoneLookUp)."""
        return link_review_key(self.link)

    @property
    def confidence_key(self) -> tuple:
        """The queue's order: superseded first, then the longest unseen (no date at all is the
        oldest: nothing vouches for it), the identity keeping the order total."""
        seen = self.link.seen
        return (self.reason.rank, seen is not None, seen.timestamp() if seen else 0.0, self.key)


def link_review_key(link: PhoneLink) -> tuple[str, str, str]:
    return (link.customer_id, link.phone, link.legacy_id or "")


def number_review_entries(
    *, number_links: Iterable[PhoneLink], freshness: Freshness
) -> list[ReviewEntry]:
    """The queue entries of one number, given every live link to it (any unlinked one among
    them is ignored), in confidence order. A customer with the number on their profile is
    never queued for it, their order links neither: the account vouches for the number, and
    searches find them through it whatever happens to the order link."""
    links = list(number_links)
    live = [link for link in links if link.is_active]
    owners = {link.customer_id for link in live if link.source is LinkSource.PROFILE}
    takeovers = Takeovers(live)
    entries = []
    for link in live:
        if link.source is LinkSource.PROFILE or link.customer_id in owners:
            continue
        superseder = takeovers.superseder(link)
        if superseder is not None:
            entries.append(
                ReviewEntry(
                    link=link,
                    reason=ReviewReason.SUPERSEDED,
                    superseded_since=superseder.first_seen,
                    superseder=superseder,
                )
            )
        elif freshness.link_is_stale(link):
            entries.append(ReviewEntry(link=link, reason=ReviewReason.POSSIBLY_STALE))
    return sorted(entries, key=lambda entry: entry.confidence_key)
