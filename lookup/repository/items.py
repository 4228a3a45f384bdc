"""Item <-> domain mapping for every record kind of the table (private to the package).

UserPhoneLookUp attributes (this project's design, camelCase like the rest of the table):
`cognitoId`, `phoneNumber`, `firstSeenAt`, `lastSeenAt`, `orderCount` (absent while unknown, as
after migrating a legacy record), `recentOrders` (newest first, at most
`domain.links.MAX_RECENT_ORDERS` maps of `orderId` and `createdAt`; a list the single-write path
appended to may hold up to twice as many until the next full write trims it), `recentOrderIds`
(the same ids as a string set), `country` (of the
latest order), `version` (bumped by every write), `lastChangeId` (of the last unlink or restore,
to recognise our own retried write); while unlinked `unlinkedAt`,
`unlinkedBy`, `unlinkReason` and pk2 `unlinked#phone#<E164>` (absent on older tombstones);
after a restore or a re-link `restoredAt`, `restoredBy`, `restoreReason`; `ordersMarked`
(true once the evidence is derived from the link's order markers) and, on a link that had
evidence before, `evidenceBaseline` (a map:
`orders`, `before`, `firstSeenAt`, `lastSeenAt`, `country`: `domain.links.EvidenceBaseline`).

A UserPhoneLookUp written by the users service's existing code carries only the keys,
`cognitoId`, `phoneNumber` and the `createdAt` of the order that created it: it is read as an
order link first and last seen at `createdAt`, its order count unknown.

Order marker (`schema.order_mark_key`): `orderId`, `createdAt`, `country`.
"""

import logging
from decimal import Decimal
from typing import Any

from lookup.domain.links import (
    MAX_RECENT_ORDERS,
    CustomerProfile,
    EvidenceBaseline,
    LinkChange,
    LinkSource,
    OrderMark,
    PhoneLink,
    RecentOrder,
)
from lookup.domain.text import text_displayable
from lookup.domain.times import format_timestamp, parse_timestamp
from lookup.repository import schema
from lookup.repository.schema import (
    EVIDENCE_BASELINE,
    ORDERS_MARKED,
    PK2,
    RECENT_ORDER_IDS,
    RESTORE_REASON,
    RESTORED_AT,
    RESTORED_BY,
    UNLINK_REASON,
    UNLINKED_AT,
    UNLINKED_BY,
    VERSION,
)

logger = logging.getLogger(__name__)


def _text(item: dict[str, Any], name: str) -> str | None:
    """A text attribute as a page can show it (any type another service wrote, any length)."""
    value = item.get(name)
    return text_displayable(str(value)) if value not in (None, "") else None


def _readable(value: Any) -> Any:
    """The item with every string made valid text: another service may have written unpaired
    surrogates, which no page could encode. Identifiers change only if they held one."""
    if isinstance(value, str):
        return text_displayable(value, limit=len(value) + 1)
    if isinstance(value, dict):
        return {name: _readable(inner) for name, inner in value.items()}
    if isinstance(value, list | set | tuple):
        return type(value)(_readable(inner) for inner in value)
    return value


def _int(item: dict[str, Any], name: str) -> int | None:
    value = item.get(name)
    return int(value) if isinstance(value, int | Decimal) else None


def _without_none(item: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in item.items() if value is not None}


def profile_from_item(item: dict[str, Any]) -> CustomerProfile:
    item = _readable(item)
    customer_id = (
        _text(item, schema.COGNITO_ID) or schema.customer_id_from_pk(item[schema.PK]) or ""
    )
    country = _text(item, schema.COUNTRY)
    return CustomerProfile(
        customer_id=customer_id,
        name=_text(item, schema.NAME),
        email=_text(item, schema.EMAIL),
        country=country.upper() if country else None,
        created_at=parse_timestamp(item.get(schema.CREATED_AT)),
        status=_text(item, schema.STATUS),
    )


def profile_to_item(profile: CustomerProfile) -> dict[str, Any]:
    return _without_none(
        {
            **schema.profile_key(profile.customer_id),
            schema.COGNITO_ID: profile.customer_id,
            schema.NAME: profile.name,
            schema.EMAIL: profile.email,
            schema.COUNTRY: profile.country,
            schema.CREATED_AT: format_timestamp(profile.created_at),
            schema.STATUS: profile.status,
        }
    )


def link_from_item(item: dict[str, Any]) -> PhoneLink | None:
    """Map any link-shaped item (UserPhone, UserPhoneLookUp, legacy) to a PhoneLink."""
    item = _readable(item)
    pk, sk = str(item.get(schema.PK, "")), str(item.get(schema.SK, ""))
    customer_id = _text(item, schema.COGNITO_ID) or schema.customer_id_from_pk(pk)
    phone = _text(item, schema.PHONE_NUMBER)
    if phone is None:
        for candidate in (sk, str(item.get(PK2, "")).removeprefix(schema.UNLINKED_PREFIX)):
            if candidate.startswith(schema.PHONE_PREFIX):
                phone = candidate[len(schema.PHONE_PREFIX) :]
                break
    if not customer_id or not phone:
        logger.warning("Skipping a link item without customer or phone: pk=%s sk=%s", pk, sk)
        return None

    if pk.startswith(schema.USER_PREFIX) and sk.startswith(schema.PHONE_PREFIX):
        verified = item.get(schema.VERIFIED)
        return PhoneLink(
            customer_id=customer_id,
            phone=phone,
            source=LinkSource.PROFILE,
            first_seen=parse_timestamp(item.get(schema.CREATED_AT)),
            verified=bool(verified) if verified is not None else None,
        )
    if pk.startswith(schema.PHONE_USER_PREFIX) and sk.startswith(schema.CREATED_AT_PREFIX):
        legacy_id = sk[len(schema.CREATED_AT_PREFIX) :]
        created = parse_timestamp(item.get(schema.CREATED_AT)) or parse_timestamp(legacy_id)
        return PhoneLink(
            customer_id=customer_id,
            phone=phone,
            source=LinkSource.LEGACY,
            first_seen=created,
            last_seen=created,
            unlink=_unlink_from_item(item),
            restore=_restore_from_item(item),
            legacy_id=legacy_id,
            version=_int(item, VERSION) or 0,
        )
    if pk.startswith(schema.PHONE_USER_PREFIX) and sk.startswith(schema.PHONE_PREFIX):
        # The design's own record has only the `createdAt` of the order that made it: first
        # seen then and, lacking anything newer, last seen then too.
        created = parse_timestamp(item.get(schema.CREATED_AT))
        first_seen = parse_timestamp(item.get(schema.FIRST_SEEN_AT)) or created
        return PhoneLink(
            customer_id=customer_id,
            phone=phone,
            source=LinkSource.ORDER,
            first_seen=first_seen,
            last_seen=parse_timestamp(item.get(schema.LAST_SEEN_AT)) or first_seen,
            order_count=_int(item, schema.ORDER_COUNT),
            recent_orders=_recent_orders_from_item(item),
            unlink=_unlink_from_item(item),
            restore=_restore_from_item(item),
            country=_text(item, schema.COUNTRY),
            version=_int(item, VERSION) or 0,
            marked=item.get(ORDERS_MARKED) is True,
            baseline=_baseline_from_item(item.get(EVIDENCE_BASELINE)),
        )
    logger.warning("Skipping an item of unknown shape: pk=%s sk=%s", pk, sk)
    return None


def _baseline_from_item(value: Any) -> EvidenceBaseline | None:
    if not isinstance(value, dict):
        return None
    orders = _int(value, schema.BASELINE_ORDERS)
    country = _text(value, schema.COUNTRY)
    return EvidenceBaseline(
        orders=max(0, orders or 0),
        before=parse_timestamp(value.get(schema.BASELINE_BEFORE)),
        first_seen=parse_timestamp(value.get(schema.FIRST_SEEN_AT)),
        last_seen=parse_timestamp(value.get(schema.LAST_SEEN_AT)),
        country=country,
    )


def baseline_to_item(baseline: EvidenceBaseline | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return _without_none(
        {
            schema.BASELINE_ORDERS: baseline.orders,
            schema.BASELINE_BEFORE: format_timestamp(baseline.before),
            schema.FIRST_SEEN_AT: format_timestamp(baseline.first_seen),
            schema.LAST_SEEN_AT: format_timestamp(baseline.last_seen),
            schema.COUNTRY: baseline.country,
        }
    )


def order_mark_to_item(customer_id: str, phone: str, mark: OrderMark) -> dict[str, Any]:
    return _without_none(
        {
            **schema.order_mark_key(customer_id, phone, mark.order_id),
            schema.ORDER_ID: mark.order_id,
            schema.CREATED_AT: format_timestamp(mark.created_at),
            schema.COUNTRY: mark.country,
        }
    )


def order_mark_from_item(item: dict[str, Any]) -> OrderMark | None:
    order_id = str(
        item.get(schema.ORDER_ID) or str(item.get(schema.SK, ""))[len(schema.ORDER_PREFIX) :]
    )
    created_at = parse_timestamp(item.get(schema.CREATED_AT))
    if not order_id or created_at is None:
        logger.warning("Skipping an unreadable order marker: pk=%s", item.get(schema.PK))
        return None
    country = item.get(schema.COUNTRY)
    return OrderMark(
        order_id=order_id,
        created_at=created_at,
        country=str(country) if country else None,
    )


def link_evidence_attributes(link: PhoneLink) -> dict[str, Any]:
    """The attributes an order-derived link's evidence is written as (None: remove it)."""
    return {
        schema.COGNITO_ID: link.customer_id,
        schema.PHONE_NUMBER: link.phone,
        schema.FIRST_SEEN_AT: format_timestamp(link.first_seen),
        schema.LAST_SEEN_AT: format_timestamp(link.last_seen),
        schema.ORDER_COUNT: link.order_count,  # unknown stays unknown, not "0 orders"
        schema.RECENT_ORDERS: [
            _without_none(
                {
                    schema.ORDER_ID: order.order_id,
                    schema.CREATED_AT: format_timestamp(order.created_at),
                }
            )
            for order in link.recent_orders
        ],
        # The same ids as a set, for the single-write path's "not recorded yet" condition
        # (DynamoDB stores no empty set: absent when there are none).
        RECENT_ORDER_IDS: {order.order_id for order in link.recent_orders} or None,
        schema.COUNTRY: link.country,
        ORDERS_MARKED: True if link.marked else None,
        EVIDENCE_BASELINE: baseline_to_item(link.baseline),
    }


def _recent_orders_from_item(item: dict[str, Any]) -> tuple[RecentOrder, ...]:
    orders = []
    for entry in item.get(schema.RECENT_ORDERS) or []:
        if isinstance(entry, dict) and entry.get(schema.ORDER_ID):
            orders.append(
                RecentOrder(
                    order_id=str(entry[schema.ORDER_ID]),
                    created_at=parse_timestamp(entry.get(schema.CREATED_AT)),
                )
            )
    # The single-write path of a new order lets the stored list run ahead of the window (see
    # LinkRepository.link_order_add); the link is its most recent orders.
    return tuple(orders[:MAX_RECENT_ORDERS])


def _unlink_from_item(item: dict[str, Any]) -> LinkChange | None:
    """A tombstone is an item out of the `phone#` partitions; an item in one is live whatever
    else it says."""
    if schema.pk2_live(item.get(PK2)):
        return None
    return _change_from_item(item, UNLINKED_AT, UNLINKED_BY, UNLINK_REASON) or LinkChange(
        at=None, by=None, reason=None
    )


def _restore_from_item(item: dict[str, Any]) -> LinkChange | None:
    return _change_from_item(item, RESTORED_AT, RESTORED_BY, RESTORE_REASON)


def _change_from_item(item: dict[str, Any], at: str, by: str, reason: str) -> LinkChange | None:
    if at not in item:
        return None
    return LinkChange(
        at=parse_timestamp(item.get(at)), by=_text(item, by), reason=_text(item, reason)
    )


def link_to_item(link: PhoneLink) -> dict[str, Any]:
    """The whole item for a link; a tombstoned link's pk2 is its number's `unlinked#` one."""
    if link.source is LinkSource.PROFILE:
        return _without_none(
            {
                **schema.user_phone_keys(link.customer_id, link.phone),
                schema.COGNITO_ID: link.customer_id,
                schema.PHONE_NUMBER: link.phone,
                schema.VERIFIED: bool(link.verified),
                schema.CREATED_AT: format_timestamp(link.first_seen),
            }
        )
    if link.source is LinkSource.LEGACY:
        created = link.legacy_id or format_timestamp(link.first_seen)
        item = {
            **schema.legacy_key(link.customer_id, created),
            **schema.legacy_index_keys(link.phone, created),
            schema.COGNITO_ID: link.customer_id,
            schema.PHONE_NUMBER: link.phone,
            schema.CREATED_AT: created,
        }
    else:
        item = {
            **schema.lookup_key(link.customer_id, link.phone),
            **schema.lookup_index_keys(link.customer_id, link.phone),
            **link_evidence_attributes(link),
            VERSION: link.version or None,
        }
    if link.unlink is not None:
        item[PK2] = schema.unlinked_pk2(link.phone)
        item.update(change_attributes(link.unlink, unlinked=True))
    if link.restore is not None:
        item.update(change_attributes(link.restore, unlinked=False))
    return _without_none(item)


def change_attributes(change: LinkChange, *, unlinked: bool) -> dict[str, Any]:
    """The attributes recording an unlink (tombstone) or a restore."""
    at, by, reason = (
        (UNLINKED_AT, UNLINKED_BY, UNLINK_REASON)
        if unlinked
        else (RESTORED_AT, RESTORED_BY, RESTORE_REASON)
    )
    return {at: format_timestamp(change.at), by: change.by, reason: change.reason}
