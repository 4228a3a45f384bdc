"""Keeping the review queue (`ReviewItem`) current: a number's rows are made exactly the queue
entries its live links give (`lookup.domain.review`), whoever asks.

Three paths ask: an order recorded by any ingestion path (`review_order_recorded`, after
`order_link_record`), a lead's unlink or restore (`services.links.link_decide`), and the scan of
the whole table (`manage.py review_scan`, `lookup.review_scan`), which also removes the rows of
numbers no longer live at all. The DynamoDB table stays the truth; a refresh that fails leaves
the rows as they were until the next refresh of the number or the nightly scan.
"""

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from lookup.domain.errors import DirectoryUnavailable
from lookup.domain.evidence import LinkOutcome
from lookup.domain.links import LinkSource, PhoneLink
from lookup.domain.ranking import Freshness
from lookup.domain.review import ReviewEntry, link_review_key, number_review_entries
from lookup.models import ReviewItem
from lookup.phones import phone_from_e164
from lookup.repository import get_links
from lookup.selectors.policy import freshness as freshness_now

logger = logging.getLogger(__name__)

_UPDATED_FIELDS = [
    "source",
    "reason",
    "rank",
    "first_seen",
    "last_seen",
    "order_count",
    "country",
    "superseded_since",
    "superseded_by",
    "superseder_first_seen",
    "superseder_last_seen",
    "superseder_order_count",
    "version",
    "evaluated_at",
]


@dataclass(frozen=True, slots=True)
class ReviewChange:
    """What a refresh did to the queue: rows new to it, rows taken out, rows rewritten."""

    added: int = 0
    removed: int = 0
    kept: int = 0

    def __add__(self, other: "ReviewChange") -> "ReviewChange":
        return ReviewChange(
            added=self.added + other.added,
            removed=self.removed + other.removed,
            kept=self.kept + other.kept,
        )


def review_numbers_refresh(
    *, phones: Collection[str], written: Sequence[PhoneLink] = ()
) -> ReviewChange:
    """Read each number's live links (one Query each, at the same time) and make its rows
    exactly its queue entries, in one transaction.

    `written`: links the caller has just written, as written (or read consistently). The index
    is a GSI, which lags the table by up to a second or so: the Query may not show a first
    link yet, may still show a link just unlinked, or show a link's old evidence. Each written
    link is laid over what the Query returned (`links_overlaid`); its number is refreshed too.
    """
    numbers = sorted(set(phones) | {link.phone for link in written})
    if not numbers:
        return ReviewChange()
    found = get_links().links_of_numbers(phones=numbers)
    return review_numbers_store(
        numbers=links_overlaid(found=found, written=written), freshness=freshness_now()
    )


def links_overlaid(
    *, found: Mapping[str, Sequence[PhoneLink]], written: Sequence[PhoneLink]
) -> dict[str, list[PhoneLink]]:
    """Each number's live links as read, with the links just written laid over them by link
    (customer, number, legacy record, profile or not): the written one stands unless the read
    one has a higher version (a later write won the race); standing, it replaces the read one
    when live and takes it out when unlinked."""
    numbers = {phone: {_link_key(link): link for link in links} for phone, links in found.items()}
    for link in written:
        links = numbers.setdefault(link.phone, {})
        read = links.get(_link_key(link))
        if read is not None and read.version > link.version:
            continue
        if link.is_active:
            links[_link_key(link)] = link
        else:
            links.pop(_link_key(link), None)
    return {phone: list(links.values()) for phone, links in numbers.items()}


def _link_key(link: PhoneLink) -> tuple[str, str, str, bool]:
    # A customer's profile phone and their order link to the same number are two links.
    return (*link_review_key(link), link.source is LinkSource.PROFILE)


def review_numbers_store(
    *,
    numbers: Mapping[str, Sequence[PhoneLink]],
    freshness: Freshness,
    now: datetime | None = None,
) -> ReviewChange:
    """Make the rows of each number in `numbers` (every live link to it, as read) exactly its
    queue entries: the others deleted, these inserted or rewritten, in one transaction.

    Refreshes of one number can cross (an older read finishing after a newer one): the
    number's rows are locked, and a row stored from a link at a higher version than the one
    read stays as it is, neither rewritten nor deleted by the older read.
    """
    now = now or timezone.now()
    read = {
        link_review_key(link): link.version
        for links in numbers.values()
        for link in links
        if link.source is not LinkSource.PROFILE
    }
    rows = [
        _row(entry, evaluated_at=now)
        for links in numbers.values()
        for entry in number_review_entries(number_links=links, freshness=freshness)
    ]
    with transaction.atomic():
        existing = {
            (customer_id, phone, legacy_id): (row_id, version)
            for row_id, phone, customer_id, legacy_id, version in ReviewItem.objects.filter(
                phone__in=list(numbers)
            )
            .select_for_update()
            .values_list("id", "phone", "customer_id", "legacy_id", "version")
        }
        newer = {
            key for key, (_, version) in existing.items() if key in read and read[key] < version
        }
        rows = [row for row in rows if _row_key(row) not in newer]
        wanted = {_row_key(row) for row in rows} | newer
        gone = [row_id for key, (row_id, _) in existing.items() if key not in wanted]
        if gone:
            ReviewItem.objects.filter(id__in=gone).delete()
        if rows:
            ReviewItem.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["phone", "customer_id", "legacy_id"],
                update_fields=_UPDATED_FIELDS,
            )
    kept = len(wanted & existing.keys())
    return ReviewChange(added=len(wanted) - kept, removed=len(gone), kept=kept)


def _row_key(row: ReviewItem) -> tuple[str, str, str]:
    return (row.customer_id, row.phone, row.legacy_id)


def review_order_recorded(*, customer_id: str, phone: str, outcome: LinkOutcome) -> None:
    """After an order was recorded: a first link on the number (or one an order brought back)
    may supersede others, so the number is refreshed. Any other new evidence can only take
    links out of the queue (a later order freshens its own link; an older one arriving late
    moves a first sighting earlier, never later), so the number is refreshed only when it has
    rows: one SQL query, no DynamoDB request, otherwise.

    A refresh reads the link as written (one consistent GetItem) and the number's links (one
    Query of the index, which may not show that write yet): two requests, only first links
    (and orders on numbers in the queue) pay them.

    The order is recorded already; a refresh that fails is logged and left to the next refresh
    of the number or the nightly scan, never worth losing or retrying the order for.
    """
    if not settings.REVIEW_QUEUE_ON_INGEST or outcome not in (
        LinkOutcome.CREATED,
        LinkOutcome.RELINKED,
        LinkOutcome.UPDATED,
    ):
        return
    try:
        if outcome.created or ReviewItem.objects.filter(phone=phone).exists():
            link = get_links().link_find(customer_id=customer_id, phone=phone)
            review_numbers_refresh(phones=[phone], written=[link] if link else [])
    except (DirectoryUnavailable, DatabaseError) as exc:
        logger.warning(
            "Review queue not refreshed for %s after an order (%s); the nightly review_scan "
            "brings it up to date.",
            phone,
            exc,
        )
        if isinstance(exc, DatabaseError):
            # The worker's threads live long and no request cycle closes their connections: a
            # broken one (a failover, an idle timeout) is dropped so the next event reconnects.
            connection.close()


def review_links_decided(*, phones: Collection[str], written: Sequence[PhoneLink] = ()) -> None:
    """After a lead's unlinks or restores (one, or a bulk unlink's or its undo's) of links to
    `phones`, `written` the links as the decisions left them: an unlinked superseder may
    un-supersede others, a restored link may qualify again. The decisions stand whatever
    happens here."""
    try:
        review_numbers_refresh(phones=phones, written=written)
    except (DirectoryUnavailable, DatabaseError) as exc:
        logger.warning(
            "Review queue not refreshed for %s after an unlink or restore (%s); the nightly "
            "review_scan brings it up to date.",
            ", ".join(sorted(phones)),
            exc,
        )


def _row(entry: ReviewEntry, *, evaluated_at: datetime) -> ReviewItem:
    link, superseder = entry.link, entry.superseder
    return ReviewItem(
        customer_id=link.customer_id,
        phone=link.phone,
        legacy_id=link.legacy_id or "",
        source=link.source.value,
        reason=entry.reason.value,
        rank=entry.reason.rank,
        first_seen=link.first_seen,
        last_seen=link.seen,
        order_count=link.order_count,
        country=_country(link),
        superseded_since=entry.superseded_since,
        superseded_by=superseder.customer_id if superseder else "",
        superseder_first_seen=superseder.first_seen if superseder else None,
        superseder_last_seen=superseder.seen if superseder else None,
        superseder_order_count=superseder.order_count if superseder else None,
        version=link.version,
        evaluated_at=evaluated_at,
    )


def _country(link: PhoneLink) -> str:
    """The link's country (of its latest order), else the number's region; "" when neither."""
    country = (link.country or "").upper()
    if len(country) == 2 and country.isalpha():
        return country
    region = phone_from_e164(link.phone).region
    return region if len(region) == 2 and region != "ZZ" else ""
