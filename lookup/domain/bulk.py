"""Bulk unlinks: which links one action may unlink, how a link is named in a form, and why a
link is left alone.

A bulk unlink is many single unlinks (`decisions`), each applying only to the version of the
link the lead was shown; these rules say which links a preview offers and, when a write is
refused, what the lead is told. Django-free: the words are `gettext_noop`'d, pages translate.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lookup.domain.errors import InvalidField
from lookup.domain.links import LinkSource, PhoneLink
from lookup.wording import gettext_noop

# `<E164>|<customer_id>` or, for a legacy record, `<E164>|<customer_id>|<legacy_id>`: a number
# has no `|`; a legacy id is kept verbatim, `|` and all.
KEY_SEPARATOR = "|"


@dataclass(frozen=True, slots=True, order=True)
class LinkKey:
    """Which order-derived link (or legacy record) a bulk action is about."""

    phone: str
    customer_id: str
    legacy_id: str | None = None

    @property
    def text(self) -> str:
        parts = [self.phone, self.customer_id, *([self.legacy_id] if self.legacy_id else [])]
        return KEY_SEPARATOR.join(parts)

    @property
    def source(self) -> LinkSource:
        return LinkSource.LEGACY if self.legacy_id else LinkSource.ORDER

    @classmethod
    def of(cls, link: PhoneLink) -> "LinkKey":
        return cls(phone=link.phone, customer_id=link.customer_id, legacy_id=link.legacy_id)


def link_key_parse(*, text: str) -> LinkKey:
    """A posted `link` value; InvalidField (with the value) when it names no link."""
    phone, _, rest = text.strip().partition(KEY_SEPARATOR)
    customer_id, _, legacy_id = rest.partition(KEY_SEPARATOR)
    fits = len(phone) <= 32 and len(customer_id) <= 128 and len(legacy_id) <= 255
    if not fits or not phone.startswith("+") or not phone[1:].isdigit() or not customer_id.strip():
        raise InvalidField(
            "link",
            gettext_noop(
                "“{value}” does not name a link: expected +<number>|<customer id>, "
                "with |<legacy record> for a legacy record."
            ),
        )
    return LinkKey(phone=phone, customer_id=customer_id, legacy_id=legacy_id or None)


@dataclass(frozen=True, slots=True)
class ShownLink:
    """A link as a preview showed it: the confirm applies to exactly this version."""

    key: LinkKey
    version: int


class LeftAlone(StrEnum):
    """Why a preview leaves a link alone, or a batch (or its undo) skipped one."""

    GONE = "gone"
    ALREADY_UNLINKED = "already_unlinked"
    PROFILE = "profile"
    UNDATED = "undated"
    CHANGED = "changed"  # a new order, or someone else's edit, since the preview
    RELINKED = "relinked"  # undo: live again (restored by hand, or a newer order)
    UNLINKED_AGAIN = "unlinked_again"  # undo: changed since the batch left it
    FAILED = "failed"  # DynamoDB did not answer: the write may or may not have applied
    SEEN_SINCE = "seen_since"  # a number's preview: an order since the date, read afresh
    CHANGED_SINCE_QUEUED = "changed_since_queued"  # the queue listed an older version

    @property
    def why(self) -> str:
        """The reason as a page says it, in English (pages translate it)."""
        return {
            "gone": gettext_noop("the link no longer exists"),
            "already_unlinked": gettext_noop("already unlinked"),
            "profile": gettext_noop(
                "the phone on the customer's account: it belongs to the users service and is "
                "never unlinked here"
            ),
            "undated": gettext_noop(
                "no order date on record, so it was not last seen before any date"
            ),
            "changed": gettext_noop(
                "it changed since the preview (a new order arrived, or someone else edited it)"
            ),
            "relinked": gettext_noop(
                "it is linked again already (restored by someone, or a newer order re-linked it)"
            ),
            "unlinked_again": gettext_noop("it changed since the batch (unlinked again)"),
            "seen_since": gettext_noop(
                "an order carried it since that date: it is not last seen before it any more"
            ),
            "changed_since_queued": gettext_noop(
                "it changed since the review queue listed it (a new order arrived, or someone "
                "else edited it): open the queue again to see whether it still belongs there"
            ),
            "failed": gettext_noop(
                "the directory did not answer in time: this link may or may not have changed; "
                "check it on the customer's page"
            ),
        }[self.value]


def refused_why(*, current: PhoneLink | None, unlinking: bool) -> LeftAlone:
    """What a refused conditional write of a bulk unlink (or its undo) means, given the link
    as it is now."""
    if current is None:
        return LeftAlone.GONE
    if unlinking:
        return LeftAlone.CHANGED if current.is_active else LeftAlone.ALREADY_UNLINKED
    return LeftAlone.RELINKED if current.is_active else LeftAlone.UNLINKED_AGAIN


def read_why(
    *,
    link: PhoneLink | None,
    before: datetime | None = None,
    queued_version: int | None = None,
) -> LeftAlone | None:
    """Why a preview leaves the link as read (consistently, now) alone; None when it may be
    unlinked. `before`: a number's preview's date, checked again on this read (the index the
    selection came from lags writes). `queued_version`: the version the review queue judged, so
    a link changed since (a new order) is not unlinked on the queue's older word."""
    if link is None:
        return LeftAlone.GONE
    if not link.can_unlink:
        return LeftAlone.PROFILE
    if not link.is_active:
        return LeftAlone.ALREADY_UNLINKED
    if before is not None and (link.seen is None or link.seen >= before):
        return LeftAlone.SEEN_SINCE if link.seen is not None else LeftAlone.UNDATED
    if queued_version is not None and link.version != queued_version:
        return LeftAlone.CHANGED_SINCE_QUEUED
    return None


@dataclass(frozen=True, slots=True)
class NumberSelection:
    """A shared number's links a bulk unlink "last seen before <date>" is about."""

    candidates: tuple[PhoneLink, ...]  # order-derived, dated before the date: oldest first
    left_alone: tuple[tuple[PhoneLink, LeftAlone], ...]  # profile and undated links


def number_links_before(*, links: Iterable[PhoneLink], before: datetime) -> NumberSelection:
    """The live order-derived links last seen before `before`, oldest first (the order a
    capped action takes them in), and those left alone: the profile phones (the account's) and
    the links without any date (not "last seen before" anything). Newer links are not
    mentioned: they are not what was asked for."""
    candidates: list[PhoneLink] = []
    left_alone: list[tuple[PhoneLink, LeftAlone]] = []
    for link in links:
        if not link.is_active:
            continue
        if not link.can_unlink:
            left_alone.append((link, LeftAlone.PROFILE))
        elif link.seen is None:
            left_alone.append((link, LeftAlone.UNDATED))
        elif link.seen < before:
            candidates.append(link)
    candidates.sort(key=lambda link: (link.seen, LinkKey.of(link)))
    return NumberSelection(candidates=tuple(candidates), left_alone=tuple(left_alone))


def distinct_keys(keys: Sequence[LinkKey]) -> list[LinkKey]:
    """Each key once, in the order first given."""
    return list(dict.fromkeys(keys))
