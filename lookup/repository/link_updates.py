"""The UpdateItems that write a link's evidence: a link derived from its markers, written whole,
and an order added in one write (the domain's `OrderAddition` as an update and its condition).

Both are built with `dynamo.Update` from the attribute names of `schema`; the version is set by
the caller (`versions`).
"""

from lookup.domain.additions import OrderAddition
from lookup.domain.links import PhoneLink
from lookup.domain.times import format_timestamp
from lookup.repository import schema
from lookup.repository.dynamo import Condition, Update
from lookup.repository.items import change_attributes, link_evidence_attributes
from lookup.repository.versions import version_bump


def evidence_update(link: PhoneLink) -> Update:
    """SET the link's evidence, index keys, unlink/restore state and version; REMOVE what it
    no longer has. Attributes it does not name (another writer's) stay as they are."""
    attributes = {**link_evidence_attributes(link), schema.VERSION: link.version}
    removed = [name for name, value in attributes.items() if value is None]
    if link.is_active:
        attributes.update(schema.lookup_index_keys(link.customer_id, link.phone))
        removed += [schema.UNLINKED_AT, schema.UNLINKED_BY, schema.UNLINK_REASON]
    else:
        attributes.update(schema.link_tombstone_keys(link.customer_id, link.phone, None))
        if link.unlink is not None:
            attributes.update(change_attributes(link.unlink, unlinked=True))
    if link.restore is not None:
        attributes.update(change_attributes(link.restore, unlinked=False))
    update = Update()
    for name, value in attributes.items():
        if value is not None:
            update.set(name, value)
    for name in dict.fromkeys(removed):
        if attributes.get(name) is None:
            update.remove(name)
    return update


def order_addition_update(addition: OrderAddition) -> tuple[Update, Condition]:
    """The addition as one UpdateItem and the condition it applies under.

    Each clause is the addition's: last seen, first seen if unknown, the count plus one, the
    order first in the stored list (which may run to `stored_recent` until the next full write
    trims it) and among its ids, the country, the version bumped; with `creates`, the keys and
    flag a new link needs. The condition is `OrderAddition.applies_to` on the stored item.
    """
    order, update = addition.order, Update()
    at, zero, one = (
        update.value(format_timestamp(order.created_at)),
        update.value(0),
        update.value(1),
    )
    recent, count = update.name(schema.RECENT_ORDERS), update.name(schema.ORDER_COUNT)
    update.set_to(schema.LAST_SEEN_AT, at)
    update.set_to(schema.FIRST_SEEN_AT, f"if_not_exists({update.name(schema.FIRST_SEEN_AT)}, {at})")
    update.set_to(schema.ORDER_COUNT, f"if_not_exists({count}, {zero}) + {one}")
    entry = {schema.ORDER_ID: order.order_id, schema.CREATED_AT: format_timestamp(order.created_at)}
    update.set_to(
        schema.RECENT_ORDERS,
        f"list_append({update.value([entry])}, if_not_exists({recent}, {update.value([])}))",
    )
    update.add(schema.RECENT_ORDER_IDS, {order.order_id})
    ids = update.name(schema.RECENT_ORDER_IDS)
    update.set(schema.COUNTRY, order.country)
    update.set(schema.COGNITO_ID, addition.customer_id)
    update.set(schema.PHONE_NUMBER, addition.phone)
    update.set(schema.ORDERS_MARKED, True)
    for name, key in schema.lookup_index_keys(addition.customer_id, addition.phone).items():
        update.set_to(name, f"if_not_exists({update.name(name)}, {update.value(key)})")
    version_bump(update)
    applies = " AND ".join(
        (
            f"begins_with({update.name(schema.PK2)}, {update.value(schema.PHONE_PREFIX)})",
            f"{update.name(schema.ORDERS_MARKED)} = {update.value(True)}",
            f"{update.name(schema.LAST_SEEN_AT)} < {at}",
            f"NOT contains({ids}, {update.value(order.order_id)})",
            f"size({recent}) < {update.value(addition.stored_recent)}",
        )
    )
    if addition.creates:
        applies = f"attribute_not_exists({update.name(schema.PK)}) OR ({applies})"
    return update, Condition(applies)
