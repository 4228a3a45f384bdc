"""The review queue's scan of the whole table (`manage.py review_scan`): the day-one backlog, and
nightly for the links that aged past the threshold or changed under other writers.

Each segment of a parallel Scan of the phone index runs on its own thread, at a rate of read
capacity units shared by all of them (`lookup.capacity`). A number's live links arrive together
in one segment (`lookup.repository.index_scan`); a number still arriving at a page's end is
carried over to the next page, so each number is judged on all its links at once. The pages'
numbers are stored on the calling thread (`services.review.review_numbers_store`), one
transaction a page, and only then is the segment's position written to the checkpoint: a
resumed scan starts after the last stored page and reads the number it was carrying with one
Query. A complete scan then removes the rows it did not confirm that were evaluated before it
started: links unlinked or changed by other writers, and numbers gone from the index.
"""

import json
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from lookup.capacity import CapacityBucket
from lookup.domain.links import PhoneLink
from lookup.domain.ranking import Freshness
from lookup.models import ReviewItem, ReviewScan
from lookup.repository import get_links, get_table
from lookup.repository.index_scan import IndexScanner
from lookup.selectors.policy import freshness as freshness_now
from lookup.services.review import ReviewChange, review_numbers_store


class CheckpointError(ValueError):
    """A checkpoint that cannot be used as asked; the message says why and what to do."""


@dataclass
class Position:
    """Where a segment is: after `key` (None: at its start), carrying `pending` (a number
    whose links the last stored page had begun), `done` when the segment is read."""

    key: dict[str, Any] | None = None
    pending: str | None = None
    done: bool = False


@dataclass
class Checkpoint:
    started_at: datetime
    segments: int
    positions: list[Position]
    path: Path | None = None

    @classmethod
    def fresh(cls, *, segments: int, path: Path | None) -> "Checkpoint":
        positions = [Position() for _ in range(segments)]
        return cls(started_at=timezone.now(), segments=segments, positions=positions, path=path)

    @classmethod
    def read(cls, path: Path, *, segments: int) -> "Checkpoint":
        try:
            data = json.loads(path.read_text())
            checkpoint = cls(
                started_at=datetime.fromisoformat(data["started_at"]),
                segments=int(data["segments"]),
                positions=[Position(**position) for position in data["positions"]],
                path=path,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"{path} is not a checkpoint review_scan wrote: {exc}") from exc
        if checkpoint.segments != segments:
            raise CheckpointError(
                f"{path} was written by a scan of {checkpoint.segments} segments: resume it "
                f"with --segments {checkpoint.segments}."
            )
        return checkpoint

    def write(self) -> None:
        if self.path is None:
            return
        data = {
            "started_at": self.started_at.isoformat(),
            "segments": self.segments,
            "positions": [vars(position) for position in self.positions],
        }
        partial = self.path.with_suffix(self.path.suffix + ".tmp")
        partial.write_text(json.dumps(data))
        partial.replace(self.path)  # a run killed mid-write leaves the previous position whole

    @property
    def complete(self) -> bool:
        return all(position.done for position in self.positions)


@dataclass
class ScanSummary:
    items: int = 0  # index items read (tombstones included)
    links: int = 0  # live links judged
    numbers: int = 0
    change: ReviewChange = field(default_factory=ReviewChange)
    swept: int = 0  # rows no complete scan confirmed, removed at its end
    consumed: float = 0.0  # read capacity units
    seconds: float = 0.0
    complete: bool = False

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class _Page:
    segment: int
    numbers: dict[str, list[PhoneLink]]  # the numbers whose links are all read
    position: Position
    scanned: int
    consumed: float


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


_FINISHED = object()


def review_scan_run(
    *,
    segments: int,
    rate: float,
    page_size: int,
    checkpoint: Checkpoint,
    progress: Callable[[ScanSummary], None] | None = None,
    bucket: CapacityBucket | None = None,
) -> ScanSummary:
    """Scan the index from `checkpoint` and make every number's rows its queue entries.

    Raises what a segment raised (DirectoryUnavailable: the checkpoint holds every stored page,
    run again to continue); the other segments stop after their page.
    """
    bucket = bucket or CapacityBucket(rate=rate)
    freshness = freshness_now()
    summary = ScanSummary()
    started = time.monotonic()
    pages: queue.Queue = queue.Queue(maxsize=2 * segments)
    stop = threading.Event()
    pending = [segment for segment in range(segments) if not checkpoint.positions[segment].done]
    # A pool rather than bare threads: work submitted to it is the submitter's (the IAM proof's
    # recorder, tests/aws_recorder.py, follows submissions).
    pool = ThreadPoolExecutor(max_workers=max(len(pending), 1), thread_name_prefix="review-scan")
    for segment in pending:
        pool.submit(
            _segment_read,
            segment=segment,
            segments=segments,
            page_size=page_size,
            position=checkpoint.positions[segment],
            bucket=bucket,
            pages=pages,
            stop=stop,
        )
    running = len(pending)
    try:
        while running:
            message = pages.get()
            if message is _FINISHED:
                running -= 1
            elif isinstance(message, _Failed):
                raise message.error
            else:
                _page_store(message, checkpoint, summary, freshness=freshness)
                summary.seconds = time.monotonic() - started
                if progress:
                    progress(summary)
    finally:
        stop.set()
        pool.shutdown(wait=False)
        summary.seconds = time.monotonic() - started
        summary.consumed = bucket.spent
    summary.complete = checkpoint.complete
    if summary.complete:
        swept, _ = ReviewItem.objects.filter(evaluated_at__lt=checkpoint.started_at).delete()
        summary.swept = swept
        ReviewScan.objects.create(
            started_at=checkpoint.started_at,
            finished_at=timezone.now(),
            items=summary.items,
            numbers=summary.numbers,
            rows=ReviewItem.objects.count(),
            consumed=summary.consumed,
        )
        if checkpoint.path is not None:
            checkpoint.path.unlink(missing_ok=True)  # done: the next run starts afresh
    return summary


def _page_store(
    page: _Page, checkpoint: Checkpoint, summary: ScanSummary, *, freshness: Freshness
) -> None:
    if page.numbers:
        summary.change += review_numbers_store(numbers=page.numbers, freshness=freshness)
    checkpoint.positions[page.segment] = page.position
    checkpoint.write()
    summary.items += page.scanned
    summary.numbers += len(page.numbers)
    summary.links += sum(len(links) for links in page.numbers.values())


def _segment_read(
    *,
    segment: int,
    segments: int,
    page_size: int,
    position: Position,
    bucket: CapacityBucket,
    pages: queue.Queue,
    stop: threading.Event,
) -> None:
    """Read one segment page by page, handing each page's complete numbers to `pages`."""
    try:
        scanner = IndexScanner(get_table())
        key, carried = position.key, position.pending
        carry: tuple[str, list[PhoneLink]] | None = None
        skipping = None
        if carried is not None:
            # Resumed while carrying a number: its links are read whole by one Query, and those
            # at the start of the next page are skipped.
            bucket.wait()
            carry = (carried, get_links().links_of_number(phone=carried))
            skipping = carried
        while not stop.is_set():
            bucket.wait()
            page = scanner.index_page(
                segment=segment, segments=segments, start_key=key, limit=page_size
            )
            bucket.spend(page.consumed)
            groups = _grouped(page.links)
            if skipping is not None:
                while groups and groups[0][0] == skipping:
                    groups.pop(0)
                if groups or page.next_key is None:
                    skipping = None
            if carry is not None:
                if groups and groups[0][0] == carry[0] and skipping is None:
                    groups[0] = (carry[0], carry[1] + groups[0][1])
                else:
                    groups.insert(0, carry)
            carry = groups.pop() if page.next_key and groups else None
            key = page.next_key
            done = Position(key=key, pending=carry[0] if carry else None, done=key is None)
            message = _Page(
                segment=segment,
                numbers=dict(groups),
                position=done,
                scanned=page.scanned,
                consumed=page.consumed,
            )
            while not stop.is_set():
                try:
                    pages.put(message, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if key is None:
                break
    except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which raises it
        pages.put(_Failed(exc))
        return
    pages.put(_FINISHED)


def _grouped(links: list[tuple[str, PhoneLink | None]]) -> list[tuple[str, list[PhoneLink]]]:
    """Consecutive links of one number together, in the page's order; an unreadable item
    (None) still marks its number as present."""
    groups: list[tuple[str, list[PhoneLink]]] = []
    for number, link in links:
        if not groups or groups[-1][0] != number:
            groups.append((number, []))
        if link is not None:
            groups[-1][1].append(link)
    return groups
