"""What a bulk unlink's preview and its batch page show. Reads only.

A preview reads each link as it is now (one consistent GetItem each, all at the same time) and
names its customer (one BatchGetItem per 100): the links it lists are exactly those the confirm
will try, each at the version shown.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from lookup.bulk_models import BulkUnlink, BulkUnlinkItem
from lookup.domain.bulk import (
    LeftAlone,
    LinkKey,
    ShownLink,
    distinct_keys,
    number_links_before,
    read_why,
)
from lookup.domain.links import LinkSource, PhoneLink
from lookup.phones import PhoneNumber, phone_from_e164
from lookup.repository import get_links, get_profiles
from lookup.repository.dynamo import concurrently

T = TypeVar("T")
R = TypeVar("R")

# Requests one bulk action keeps in flight: the pool `concurrently` runs them on is shared with
# every search of the process, so a batch of 500 takes only part of it at a time.
BULK_CONCURRENCY = 8


def concurrently_bounded(call: Callable[[T], R], arguments: Sequence[T]) -> list[R]:
    """`concurrently`, BULK_CONCURRENCY at a time; results in the arguments' order."""
    results: list[R] = []
    for start in range(0, len(arguments), BULK_CONCURRENCY):
        results += concurrently(call, arguments[start : start + BULK_CONCURRENCY])
    return results


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One link of a preview: as read now (None: gone), its customer's name (None: no
    profile) and, when left alone, why."""

    key: LinkKey
    link: PhoneLink | None
    name: str | None
    number: PhoneNumber
    why: LeftAlone | None = None
    # The number is also the phone on the customer's account: searches still find them.
    on_account: bool = False

    @property
    def source(self) -> LinkSource:
        return self.link.source if self.link is not None else self.key.source


@dataclass(frozen=True, slots=True)
class BulkPreview:
    """The links one bulk unlink would unlink, those it leaves alone, and the cap."""

    rows: tuple[PreviewRow, ...]  # to unlink, in the order given
    left_alone: tuple[PreviewRow, ...]
    matching: int  # links asked for, before the cap
    cap: int

    @property
    def over_cap(self) -> int:
        """Links asked for and not read: beyond the cap, left for another action."""
        return max(self.matching - self.cap, 0)

    @property
    def shown(self) -> list[ShownLink]:
        return [ShownLink(key=row.key, version=row.link.version) for row in self.rows if row.link]

    @property
    def customers(self) -> int:
        return len({row.key.customer_id for row in self.rows})


def links_bulk_preview(
    *,
    keys: Sequence[LinkKey],
    cap: int,
    also_left_alone: Sequence[tuple[PhoneLink, LeftAlone]] = (),
    matching: int | None = None,
    before: datetime | None = None,
    queued_versions: Mapping[LinkKey, int] | None = None,
) -> BulkPreview:
    """The first `cap` of `keys` (each once) read as they are now: those an unlink applies to,
    and the rest left alone with why; `also_left_alone`: links the caller set aside already
    (a number's profile phones, its undated links), listed with them. `matching`: how many
    links were asked for, when `keys` holds only the first of them (a review queue's filter).
    `before` and `queued_versions`: what the selection was judged on, checked again on each
    link's fresh read (`read_why`)."""
    keys = distinct_keys(keys)
    taken = keys[: max(cap, 0)]
    links = get_links()
    read = concurrently_bounded(
        lambda key: links.link_find(
            customer_id=key.customer_id, phone=key.phone, legacy_id=key.legacy_id
        ),
        taken,
    )
    customer_ids = [key.customer_id for key in taken] + [
        link.customer_id for link, _ in also_left_alone
    ]
    names = _names(customer_ids)
    on_account = {
        (link.customer_id, link.phone) for link, why in also_left_alone if why is LeftAlone.PROFILE
    }
    rows: list[PreviewRow] = []
    left_alone: list[PreviewRow] = []
    for key, link in zip(taken, read, strict=True):
        why = read_why(
            link=link,
            before=before,
            queued_version=(queued_versions or {}).get(key),
        )
        row = PreviewRow(
            key=key,
            link=link,
            name=names.get(key.customer_id),
            number=phone_from_e164(key.phone),
            why=why,
            on_account=(key.customer_id, key.phone) in on_account,
        )
        (rows if why is None else left_alone).append(row)
    left_alone += [
        PreviewRow(
            key=LinkKey.of(link),
            link=link,
            name=names.get(link.customer_id),
            number=phone_from_e164(link.phone),
            why=why,
        )
        for link, why in also_left_alone
    ]
    return BulkPreview(
        rows=tuple(rows),
        left_alone=tuple(left_alone),
        matching=len(keys) if matching is None else matching,
        cap=cap,
    )


def number_bulk_preview(*, phone: str, before: datetime, cap: int) -> BulkPreview:
    """A shared number's live order-derived links last seen before `before`, the oldest first
    (over the cap, the preview holds those last seen longest ago). Exactly this number: its
    other forms (a renumbering's) are not included. One Query of the number's index partition,
    then the preview's reads."""
    selection = number_links_before(links=get_links().links_of_number(phone=phone), before=before)
    return links_bulk_preview(
        keys=[LinkKey.of(link) for link in selection.candidates],
        cap=cap,
        also_left_alone=selection.left_alone,
        before=before,
    )


@dataclass(frozen=True, slots=True)
class BatchRow:
    item: BulkUnlinkItem
    name: str | None
    number: PhoneNumber
    still_found_through: tuple[tuple[LinkSource, PhoneNumber], ...]


@dataclass(frozen=True, slots=True)
class BatchPage:
    batch: BulkUnlink
    unlinked: tuple[BatchRow, ...]
    skipped: tuple[BatchRow, ...]

    @property
    def still_found(self) -> int:
        """Customers of the batch that searches of their number still list (another link)."""
        return len({row.item.customer_id for row in self.unlinked if row.still_found_through})

    @property
    def restored(self) -> tuple[BatchRow, ...]:
        return tuple(
            row for row in self.unlinked if row.item.undo_outcome == BulkUnlinkItem.Outcome.RESTORED
        )

    @property
    def not_restored(self) -> tuple[BatchRow, ...]:
        return tuple(
            row for row in self.unlinked if row.item.undo_outcome == BulkUnlinkItem.Outcome.SKIPPED
        )


def bulk_batch_page(*, batch: BulkUnlink) -> BatchPage:
    """A batch with its links, each named by its customer (one BatchGetItem per 100)."""
    items = list(batch.items.all())
    names = _names([item.customer_id for item in items])
    rows = [
        BatchRow(
            item=item,
            name=names.get(item.customer_id),
            number=phone_from_e164(item.phone),
            still_found_through=tuple(
                (LinkSource(source), phone_from_e164(phone))
                for source, phone in still_found_parse(text=item.still_found_through)
            ),
        )
        for item in items
    ]
    return BatchPage(
        batch=batch,
        unlinked=tuple(row for row in rows if row.item.outcome == BulkUnlinkItem.Outcome.UNLINKED),
        skipped=tuple(row for row in rows if row.item.outcome != BulkUnlinkItem.Outcome.UNLINKED),
    )


def still_found_text(*, links: Sequence[PhoneLink]) -> str:
    """The links a search still finds a customer through, as a batch item stores them."""
    return ";".join(f"{link.source.value}|{link.phone}" for link in links)[:255]


def still_found_parse(*, text: str) -> list[tuple[str, str]]:
    pairs = [part.partition("|") for part in text.split(";") if part]
    return [
        (source, phone)
        for source, _, phone in pairs
        if source in LinkSource._value2member_map_ and phone
    ]


def _names(customer_ids: Sequence[str]) -> dict[str, str | None]:
    if not customer_ids:
        return {}
    profiles = get_profiles().profiles_get(customer_ids=list(dict.fromkeys(customer_ids)))
    return {customer_id: profile.name for customer_id, profile in profiles.items()}
