"""Staff decisions on a link: an unlink (tombstone) or a restore, and when each applies.

An unlink applies to a live order-derived link, a restore to an unlinked one; either only to the
version of the link the person was shown. Storage makes that one conditional write; these rules
say, when the write is refused, what the person is told.
"""

from collections.abc import Sequence
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
from lookup.phones import phone_equivalents


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


def links_still_finding(
    *, links: Sequence[PhoneLink], unlinked: PhoneLink
) -> tuple[PhoneLink, ...]:
    """The customer's other live links that a search for `unlinked.phone` still finds them
    through once `unlinked` is out of the index: to the same number (the phone on their account,
    another order or legacy record) or to another form of it, which a search queries too."""
    forms = {unlinked.phone, *(eq.e164 for eq in phone_equivalents(e164=unlinked.phone))}
    same = (unlinked.phone, unlinked.source, unlinked.legacy_id)
    return tuple(
        link
        for link in links
        if link.is_active
        and link.phone in forms
        and (link.phone, link.source, link.legacy_id) != same
    )
