"""A new order added to its link without reading it: the intent storage applies in one write.

The common case of `domain.evidence.link_with_marks` - a customer ordering again to the same
number - written as what the order does to the link and where that holds, so the repository
can turn it into one conditional UpdateItem (`repository.link_updates`) and the rule is stated
once: `OrderAddition.applied_to` gives the link `link_with_marks` derives from every marker
(tests/domain/test_evidence.py holds them equal).
"""

from dataclasses import dataclass, replace

from lookup.domain.links import MAX_RECENT_ORDERS, LinkSource, OrderMark, PhoneLink, RecentOrder

# How many recent orders a link's stored list may hold between two full writes: an order added
# in one write goes first in the list, and one UpdateItem cannot also trim its tail. Readers keep
# the first MAX_RECENT_ORDERS, the same ones a full write keeps.
RECENT_ORDERS_STORED = 2 * MAX_RECENT_ORDERS


@dataclass(frozen=True, slots=True)
class OrderAddition:
    """A new order added to its link without reading it: the common case of `link_with_marks`
    as an intent storage applies in one conditional write.

    It applies to a live link whose evidence is derived from its markers, which has not seen the
    order and has seen none newer (and whose stored list of recent orders is shorter than
    `stored_recent`): the order becomes last seen (first seen too when none is known), counts
    one more, goes first among the recent orders and gives the link its country. With `creates`
    it also applies to no link at all: the order is the first evidence of a new live link.
    Anything else is for `link_with_marks` after reading the link and its markers.
    """

    customer_id: str
    phone: str
    order: OrderMark
    creates: bool
    stored_recent: int = RECENT_ORDERS_STORED

    @property
    def recent(self) -> RecentOrder:
        return RecentOrder(order_id=self.order.order_id, created_at=self.order.created_at)

    def applies_to(self, link: PhoneLink | None) -> bool:
        if link is None:
            return self.creates
        return (
            link.is_active
            and link.marked
            and link.last_seen is not None
            and link.last_seen < self.order.created_at
            and self.order.order_id not in link.recent_order_ids
            and len(link.recent_orders) < self.stored_recent
        )

    def applied_to(self, link: PhoneLink | None) -> PhoneLink | None:
        """The link with the order added; None when the addition does not apply to it."""
        if not self.applies_to(link):
            return None
        at = self.order.created_at
        if link is None:
            return PhoneLink(
                customer_id=self.customer_id,
                phone=self.phone,
                source=LinkSource.ORDER,
                first_seen=at,
                last_seen=at,
                order_count=1,
                recent_orders=(self.recent,),
                country=self.order.country,
                marked=True,
            )
        return replace(
            link,
            first_seen=link.first_seen or at,
            last_seen=at,
            order_count=(link.order_count or 0) + 1,
            recent_orders=(self.recent, *link.recent_orders)[:MAX_RECENT_ORDERS],
            country=self.order.country,
        )
