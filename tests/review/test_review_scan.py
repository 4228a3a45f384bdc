"""`manage.py review_scan`: the whole table's queue, in parallel segments (dynalite keeps a
number's links in one segment; moto only with one), resumable, removing what no longer
qualifies, and accounting for the read capacity it consumed."""

import json
import random
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lookup.capacity import CapacityBucket
from lookup.domain import LinkChange
from lookup.domain.review import number_review_entries
from lookup.models import ReviewItem
from lookup.repository.index_scan import IndexScanner
from lookup.selectors.policy import freshness
from lookup.services.review_scan import Checkpoint, review_scan_run
from tests import factories as f
from tests.factories import NOW
from tests.lookups import store
from tests.review.conftest import queued

BIG = "+442079460018"  # a reception desk: more links than a page holds


def _links(seed: int = 7):
    rng = random.Random(seed)
    links = []
    numbers = [f"+4477009001{index:02d}" for index in range(14)]
    for index, number in enumerate(numbers + [BIG]):
        for customer in range(30 if number == BIG else rng.randint(1, 4)):
            first = rng.randint(30, 1500)
            last = rng.randint(1, first)
            unlink = LinkChange(NOW, "leo", "gone") if rng.random() < 0.1 else None
            links.append(
                f.order_link(
                    f"cust-{index}-{customer}",
                    number,
                    first_seen=NOW - timedelta(days=first),
                    last_seen=NOW - timedelta(days=last),
                    unlink=unlink,
                )
            )
        if index % 5 == 0:
            links.append(f.profile_link(f"cust-{index}-0", number))
    return links


def _model(links) -> set:
    """The queue computed straight from the stored links, number by number."""
    by_number = defaultdict(list)
    for link in links:
        if link.is_active:
            by_number[link.phone].append(link)
    return {
        (entry.link.customer_id, phone, "", entry.reason.value)
        for phone, number_links in by_number.items()
        for entry in number_review_entries(number_links=number_links, freshness=freshness())
    }


def _scan(*args) -> str:
    out = StringIO()
    call_command("review_scan", "--no-progress", "--page-size", "4", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(table, db):
    links = _links()
    store(table, links=links)
    return links


def _segments(table) -> str:
    # moto assigns Scan segments by the table's hash key, not the index's: one segment there.
    return "1" if table.client.meta.endpoint_url.startswith("https://dynamodb.") else "3"


def test_a_scan_fills_the_queue_as_the_rule_judges_each_number(table, history):
    expected = _model(history)
    assert len(expected) > 10  # superseded and stale links on most numbers, the desk's too

    output = _scan("--segments", _segments(table))

    assert queued() == expected
    assert f"{len(expected)} rows added" in output


@pytest.mark.dynalite
def test_parallel_segments_give_the_rows_of_one(dynalite_table, db):
    store(dynalite_table, links=_links(seed=11))
    _scan("--segments", "1")
    one = queued()
    ReviewItem.objects.all().delete()

    _scan("--segments", "5")

    assert queued() == one == _model(_links(seed=11))


def test_an_interrupted_scan_resumes_from_its_checkpoint(table, history, tmp_path, monkeypatch):
    checkpoint = tmp_path / "scan.json"
    real = IndexScanner.index_page
    pages = {"read": 0}

    def failing_after_five(self, **request):
        pages["read"] += 1
        if pages["read"] > 5:
            from lookup.domain.errors import DirectoryUnavailable

            raise DirectoryUnavailable("throttled")
        return real(self, **request)

    monkeypatch.setattr(IndexScanner, "index_page", failing_after_five)
    with pytest.raises(CommandError, match="--resume"):
        _scan("--segments", _segments(table), "--checkpoint", str(checkpoint))
    saved = json.loads(checkpoint.read_text())
    assert any(position["key"] for position in saved["positions"])
    partial = queued()
    assert partial < _model(history)

    monkeypatch.setattr(IndexScanner, "index_page", real)
    _scan("--segments", _segments(table), "--checkpoint", str(checkpoint), "--resume")

    assert queued() == _model(history)
    assert not checkpoint.exists()


def test_a_resume_needs_its_checkpoint_and_a_checkpoint_its_resume(moto_table, db, tmp_path):
    checkpoint = tmp_path / "scan.json"
    with pytest.raises(CommandError, match="--checkpoint file"):
        _scan("--segments", "1", "--checkpoint", str(checkpoint), "--resume")
    Checkpoint.fresh(segments=2, path=checkpoint).write()
    with pytest.raises(CommandError, match="--resume"):
        _scan("--segments", "2", "--checkpoint", str(checkpoint))
    with pytest.raises(CommandError, match="--segments 2"):
        _scan("--segments", "1", "--checkpoint", str(checkpoint), "--resume")


def test_rows_the_scan_does_not_confirm_are_removed_unless_written_since(moto_table, history):
    earlier = timezone.now() - timedelta(hours=1)
    for customer, phone in (("cust-gone", "+447700900999"), ("cust-0-0", "+447700900100")):
        # A number with no live link left, and a link the rule no longer gives.
        ReviewItem.objects.create(
            customer_id=customer,
            phone=phone,
            source="order",
            reason="possibly_stale",
            rank=1,
            evaluated_at=earlier,
        )
    # Written by the worker while the scan ran: not the scan's to remove.
    ReviewItem.objects.create(
        customer_id="cust-new",
        phone="+447700900998",
        source="order",
        reason="superseded",
        rank=0,
        evaluated_at=timezone.now() + timedelta(minutes=5),
    )

    _scan("--segments", "1")

    assert queued() == _model(history) | {("cust-new", "+447700900998", "", "superseded")}


def test_the_consumed_capacity_is_what_dynamodb_reported_and_paces_the_scan(table, history):
    reported = []
    table.client.meta.events.register(
        "after-call.dynamodb.Scan",
        lambda parsed, **_: reported.append(parsed["ConsumedCapacity"]["CapacityUnits"]),
    )
    now = {"t": 0.0}
    bucket = CapacityBucket(
        rate=2.0,
        clock=lambda: now["t"],
        sleep=lambda seconds: now.__setitem__("t", now["t"] + seconds),
    )

    summary = review_scan_run(
        segments=int(_segments(table)),
        rate=2.0,
        page_size=4,
        checkpoint=Checkpoint.fresh(segments=int(_segments(table)), path=None),
        bucket=bucket,
    )

    assert summary.complete and reported
    assert summary.consumed == pytest.approx(sum(reported))
    # Time only passes while the bucket holds the scan back: what was consumed beyond the first
    # second's allowance (and the last page of each segment) was waited for at the rate.
    segments = int(_segments(table))
    assert now["t"] * 2.0 >= sum(reported) - 2.0 - segments * max(reported)
