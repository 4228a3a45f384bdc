"""Writes staff make from the pages: unlink and restore order-derived links."""

from lookup.domain import LinkChange, PhoneLink
from lookup.repository import get_directory
from lookup.timestamps import utc_now


def link_unlink(
    *,
    customer_id: str,
    phone: str,
    legacy_id: str | None,
    expected_version: int | None,
    actor: str,
    reason: str,
) -> PhoneLink:
    """Tombstone the link (out of every search at once); raises the domain's Link* errors."""
    return get_directory().link_unlink(
        customer_id=customer_id,
        phone=phone,
        legacy_id=legacy_id,
        expected_version=expected_version,
        change=LinkChange(at=utc_now(), by=actor, reason=reason),
    )


def link_restore(
    *,
    customer_id: str,
    phone: str,
    legacy_id: str | None,
    expected_version: int | None,
    actor: str,
    reason: str,
) -> PhoneLink:
    """Put an unlinked link back into search; raises the domain's Link* errors."""
    return get_directory().link_restore(
        customer_id=customer_id,
        phone=phone,
        legacy_id=legacy_id,
        expected_version=expected_version,
        change=LinkChange(at=utc_now(), by=actor, reason=reason),
    )
