"""Staff decisions on a link: an unlink (tombstone) or a restore, and when each applies.

An unlink applies to a live order-derived link, a restore to an unlinked one; either only to the
version of the link the person was shown. Storage makes that one conditional write; these rules
say, when the write is refused, what the person is told.
"""

from enum import StrEnum

from lookup.domain.errors import (
    DirectoryError,
    LinkAlreadyUnlinked,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkRefused,
)
from lookup.domain.links import PhoneLink


class LinkDecision(StrEnum):
    UNLINK = "unlink"
    RESTORE = "restore"

    @property
    def unlinks(self) -> bool:
        return self is LinkDecision.UNLINK


def decision_refusal(*, kind: LinkDecision, link: PhoneLink) -> LinkRefused | None:
    """Why `kind` cannot apply to `link` as it is, whatever version was shown; None if it can."""
    if kind.unlinks and not link.is_active:
        return LinkAlreadyUnlinked(link)
    if not kind.unlinks and link.is_active:
        return LinkNotUnlinked(link)
    return None


def decision_conflict(
    *, kind: LinkDecision, current: PhoneLink | None, customer_id: str, phone: str
) -> DirectoryError:
    """What a refused conditional write means, given the link as it is now."""
    if current is None:
        return LinkNotFound(f"{phone} of {customer_id}")
    return decision_refusal(kind=kind, link=current) or LinkChanged(current)
