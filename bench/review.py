"""The review queue's costs (docs/performance.md, "The review queue"): the full-table scan's
items per second and read capacity per item on a loaded table, and the requests an order event
costs with the ingestion hook (`REVIEW_QUEUE_ON_INGEST`) on and off."""

import time

from bench import dataset as data
from bench.stack import app_use_table

SCAN_SEGMENTS = (1, 4)
SCAN_PAGE_SIZE = 1000


def scan_measure(*, endpoint: str) -> dict:
    """`review_scan` over the whole table at each segment count, unthrottled (the rate an
    operator sets only slows it): items/s and what DynamoDB reported consumed."""
    from lookup.models import ReviewItem
    from lookup.services.review_scan import Checkpoint, review_scan_run

    app_use_table(endpoint=endpoint, table=data.TABLE_NAME)
    results: dict = {}
    for segments in SCAN_SEGMENTS:
        ReviewItem.objects.all().delete()
        started = time.perf_counter()
        summary = review_scan_run(
            segments=segments,
            rate=1e12,
            page_size=SCAN_PAGE_SIZE,
            checkpoint=Checkpoint.fresh(segments=segments, path=None),
        )
        seconds = time.perf_counter() - started
        results[str(segments)] = {
            "items": summary.items,
            "live_links": summary.links,
            "numbers": summary.numbers,
            "rows": ReviewItem.objects.count(),
            "seconds": round(seconds, 1),
            "items_per_s": round(summary.items / seconds),
            "read_units": round(summary.consumed, 1),
            "read_units_per_item": round(summary.consumed / max(summary.items, 1), 4),
        }
    return results


def ingest_hook_counts(*, endpoint: str) -> dict:
    """Requests per event of each kind (`ingestion.ingest_counts`), the hook off and on."""
    from django.conf import settings

    from bench.ingestion import ingest_counts

    counts = {}
    for on in (False, True):
        settings.REVIEW_QUEUE_ON_INGEST = on
        counts["on" if on else "off"] = ingest_counts(
            endpoint=endpoint, table=f"review-hook-{'on' if on else 'off'}"
        )
    settings.REVIEW_QUEUE_ON_INGEST = True
    return counts


def review_lines(review: dict) -> list[str]:
    lines = ["Review queue: the full scan, unthrottled (review_scan), per table size and segments:"]
    for size, by_segments in review.get("scan", {}).items():
        for segments, entry in by_segments.items():
            lines.append(
                f"  {int(size):>7,} items, {segments} segments: {entry['items_per_s']:,} items/s, "
                f"{entry['read_units_per_item']} RCU per item ({entry['read_units']:,} RCU), "
                f"{entry['rows']:,} rows from {entry['numbers']:,} numbers"
            )
    hook = review.get("ingest")
    if hook:
        lines.append("Requests per event with REVIEW_QUEUE_ON_INGEST off -> on:")
        for kind, off in hook["off"].items():
            on = hook["on"][kind]
            lines.append(
                f"  {kind}: {off['dynamodb_requests']} -> {on['dynamodb_requests']} "
                f"({off['operations']} -> {on['operations']})"
            )
    return [*lines, ""]
