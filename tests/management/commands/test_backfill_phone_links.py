"""`backfill_phone_links`: historical events from JSON Lines, with summary, rejects and resume."""

import hashlib
import io
import json
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

import lookup.backfill
from tests.factories import NOW
from tests.ingestion.conftest import order_event, sns_envelope
from tests.lookups import search, stored_link


def run(*args) -> str:
    out = io.StringIO()
    call_command("backfill_phone_links", *args, "--no-progress", stdout=out)
    return out.getvalue()


def customers_of(table, phone: str) -> list[str]:
    return sorted(m.customer_id for m in search(phone).matches)


@pytest.fixture
def history(tmp_path):
    """Five good events (one a duplicate, one in an SNS envelope), three bad, one blank line."""
    path = tmp_path / "orders.jsonl"
    first = order_event(customer="cust-1", phone="07946 095812", order_id="ord_1")
    lines = [
        json.dumps(first),
        json.dumps(order_event(customer="cust-2", phone="07946 095812", order_id="ord_2")),
        "",
        sns_envelope(order_event(customer="cust-3", phone="+44 7946 095812", order_id="ord_3")),
        "{truncated",
        json.dumps(first),  # the same order exported twice
        json.dumps(order_event(customer="cust-4", phone="not a phone", order_id="ord_4")),
        json.dumps(
            order_event(
                customer="cust-1",
                phone="07946 095812",
                order_id="ord_5",
                created_at=NOW - timedelta(days=40),
            )
        ),
        json.dumps({"type": "order.committed"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_summary_counts_and_rejects_with_reasons(table, history):
    out = run(str(history))

    assert customers_of(table, "+447946095812") == ["cust-1", "cust-2", "cust-3"]
    assert "9 lines, 8 events" in out
    assert "created                 3" in out
    assert "already linked          2  (new evidence 1, already recorded 1" in out
    assert "rejected                3" in out

    rejects = [json.loads(line) for line in (history.parent / "orders.jsonl.rejects.jsonl").open()]
    assert [(r["line"], r["field"]) for r in rejects] == [
        (5, "(message)"),
        (7, "order.delivery.dropoff.phoneNumber"),
        (9, "order"),
    ]
    assert "cannot contain letters" in rejects[1]["reason"]
    assert rejects[0]["text"] == "{truncated"  # the original line, to fix and feed again
    link = stored_link("cust-1", "+447946095812")
    assert link.first_seen == NOW - timedelta(days=40) and link.order_count == 2


def test_an_interrupted_backfill_resumes_after_the_last_line_done(moto_table, history, monkeypatch):
    real_ingest = lookup.backfill.order_event_ingest
    calls = []

    def interrupted_at_the_fourth_event(*, event):
        calls.append(event)
        if len(calls) == 4:
            raise KeyboardInterrupt  # Ctrl-C while line 6 is being ingested
        return real_ingest(event=event)

    monkeypatch.setattr(lookup.backfill, "order_event_ingest", interrupted_at_the_fourth_event)
    with pytest.raises(CommandError, match="Interrupted after line 5; run the same command"):
        run(str(history))
    monkeypatch.setattr(lookup.backfill, "order_event_ingest", real_ingest)

    checkpoint = json.loads((history.parent / "orders.jsonl.checkpoint").read_text())
    assert checkpoint["line"] == 5 and not checkpoint["complete"]

    seen = []
    monkeypatch.setattr(
        lookup.backfill,
        "order_event_ingest",
        lambda *, event: seen.append(event.get("order", {}).get("id")) or real_ingest(event=event),
    )
    out = run(str(history))

    assert "Resuming after line 5" in out
    assert seen == ["ord_1", "ord_4", "ord_5", None]  # lines 6 to 9 only
    # The totals are those of the whole file, as if it had run in one go; no reject twice.
    assert "9 lines, 8 events" in out and "created                 3" in out
    assert "rejected                3" in out
    rejects = (history.parent / "orders.jsonl.rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 3

    assert "backfilled completely already" in run(str(history))
    assert "created                 0" in run(str(history), "--restart")


def test_a_half_written_reject_from_a_hard_kill_does_not_stop_the_resume(moto_table, history):
    checkpoint = history.parent / "orders.jsonl.checkpoint"
    rejects = history.parent / "orders.jsonl.rejects.jsonl"
    run(str(history))
    data = json.loads(checkpoint.read_text())
    line_8 = history.read_bytes().splitlines(keepends=True)[7]
    checkpoint.write_text(
        json.dumps(
            {**data, "line": 8, "lineSha256": hashlib.sha256(line_8).hexdigest(), "complete": False}
        )
    )
    # Killed while writing the reject of line 9: its entry was cut short.
    kept = rejects.read_text().splitlines()[:2]
    rejects.write_text("\n".join(kept) + '\n{"line": 9, "field": "or')

    out = run(str(history))

    assert "Resuming after line 8" in out
    entries = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [entry["line"] for entry in entries] == [5, 7, 9]


def test_a_line_nested_too_deeply_or_meeting_a_bug_is_rejected_and_the_rest_goes_on(
    moto_table, tmp_path, monkeypatch, caplog
):
    path = tmp_path / "orders.jsonl"
    lines = [
        "[" * 100_000 + "]" * 100_000,
        json.dumps(order_event(customer="cust-bug", order_id="ord_bug")),
        json.dumps(order_event(customer="cust-ok", phone="07946 095812", order_id="ord_ok")),
    ]
    path.write_text("\n".join(lines) + "\n")
    real_ingest = lookup.backfill.order_event_ingest

    def bug_on_one_customer(*, event):
        if event["order"]["customerId"] == "cust-bug":
            raise TypeError("a bug")
        return real_ingest(event=event)

    monkeypatch.setattr(lookup.backfill, "order_event_ingest", bug_on_one_customer)
    out = run(str(path))

    assert customers_of(moto_table, "+447946095812") == ["cust-ok"]
    assert "rejected                2" in out
    rejects = [json.loads(line) for line in (tmp_path / "orders.jsonl.rejects.jsonl").open()]
    assert [(r["line"], r["field"]) for r in rejects] == [(1, "(message)"), (2, "(line)")]
    assert "nested too deeply" in rejects[0]["reason"]
    assert "unexpected TypeError" in rejects[1]["reason"]
    assert "Unexpected error at line 2" in caplog.text


def test_a_reject_whose_text_holds_a_unicode_line_separator_survives_a_resume(moto_table, tmp_path):
    path = tmp_path / "orders.jsonl"
    odd = json.dumps(order_event(phone="call\u2028me"), ensure_ascii=False)
    path.write_text(odd + "\n" + json.dumps(order_event(customer="cust-ok")) + "\n")
    run(str(path))
    checkpoint = tmp_path / "orders.jsonl.checkpoint"
    line_1 = path.read_bytes().splitlines(keepends=True)[0]
    data = json.loads(checkpoint.read_text())
    checkpoint.write_text(
        json.dumps(
            {**data, "line": 1, "lineSha256": hashlib.sha256(line_1).hexdigest(), "complete": False}
        )
    )

    assert "Resuming after line 1" in run(str(path))

    rejects = (tmp_path / "orders.jsonl.rejects.jsonl").read_text().split("\n")
    assert [json.loads(entry)["line"] for entry in rejects if entry] == [1]


def test_unexpected_errors_line_after_line_stop_the_run_instead_of_rejecting_everything(
    moto_table, tmp_path, monkeypatch
):
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(order_event(order_id=f"ord_{n}")) + "\n" for n in range(30)))

    def broken(*, event):
        raise ImportError("a misconfigured deployment")

    monkeypatch.setattr(lookup.backfill, "order_event_ingest", broken)
    with pytest.raises(CommandError, match="10 lines in a row failed unexpectedly.*line 10"):
        run(str(path))

    checkpoint = json.loads((tmp_path / "orders.jsonl.checkpoint").read_text())
    assert checkpoint["line"] == 9 and not checkpoint["complete"]


def test_a_changed_file_is_not_resumed_at_the_wrong_place(moto_table, history):
    run(str(history))
    checkpoint = history.parent / "orders.jsonl.checkpoint"
    data = json.loads(checkpoint.read_text())
    checkpoint.write_text(json.dumps({**data, "line": 2, "complete": False}))
    history.write_text("\n".join(["{}", "{}", "{}"]) + "\n")

    with pytest.raises(CommandError, match="does not match"):
        run(str(history))


def test_reads_stdin(moto_table, tmp_path, monkeypatch):
    events = [order_event(customer=f"cust-{n}", phone="07946 095812") for n in range(3)]
    data = "".join(json.dumps(event) + "\n" for event in events).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    monkeypatch.chdir(tmp_path)

    out = run("-")

    assert "created                 3" in out
    assert len(customers_of(moto_table, "+447946095812")) == 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_rate_limit_spaces_events_evenly():
    clock = FakeClock()
    limiter = lookup.backfill.RateLimiter(4, clock=clock, sleep=clock.sleep)
    moments = []
    for _ in range(9):
        limiter.wait()
        moments.append(clock.now)
    # Nine events at four a second take two seconds, a quarter of a second apart.
    assert moments[-1] - moments[0] == pytest.approx(2.0)
    assert all(b - a == pytest.approx(0.25) for a, b in zip(moments, moments[1:], strict=False))


def test_the_rate_option_is_checked(moto_table, history):
    assert "created                 3" in run(str(history), "--rate", "1000")
    with pytest.raises(CommandError, match="--rate must be a positive"):
        run(str(history), "--rate", "0", "--restart")


def test_the_progress_bar_goes_to_stderr(moto_table, history):
    out, err = io.StringIO(), io.StringIO()
    sys_stderr = sys.stderr
    sys.stderr = err
    try:
        call_command("backfill_phone_links", str(history), stdout=out)
    finally:
        sys.stderr = sys_stderr
    assert "100%" in err.getvalue() and "9 lines" in err.getvalue()
    assert "100%" not in out.getvalue()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "nope.jsonl"))
