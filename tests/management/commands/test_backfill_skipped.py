"""`backfill_phone_links` on a history with pickup orders: those with an account phone link it,
those without any phone are counted as skipped, apart from the rejects and not listed with them."""

import io
import json

from django.core.management import call_command

from tests.ingestion.conftest import order_event, sns_envelope
from tests.lookups import search

ACCOUNT_PHONE_FIELD = "order.customer.phoneNumber"  # the documented name


def run(*args) -> str:
    out = io.StringIO()
    call_command("backfill_phone_links", *args, "--no-progress", stdout=out)
    return out.getvalue()


def pickup(customer: str, order_id: str, account_phone=None, **order) -> dict:
    event = order_event(customer=customer, order_id=order_id)
    del event["order"]["delivery"]
    if account_phone is not None:
        event["order"]["customer"] = {"phoneNumber": account_phone}
    event["order"].update(order)
    return event


def test_pickups_are_skipped_or_linked_by_the_account_phone_and_never_rejected(table, tmp_path):
    path = tmp_path / "orders.jsonl"
    lines = [
        json.dumps(pickup("cust-1", "ord_1")),
        json.dumps(pickup("cust-2", "ord_2", account_phone="07946 095812")),
        json.dumps(order_event(customer="cust-3", phone="07946 095812", order_id="ord_3")),
        sns_envelope(pickup("cust-4", "ord_4", delivery={"dropoff": {"phoneNumber": ""}})),
        json.dumps(pickup("cust-5", "ord_5", account_phone="at the counter")),
    ]
    path.write_text("\n".join(lines) + "\n")

    out = run(str(path))

    assert "5 lines, 5 events" in out
    assert "created                 2" in out
    assert "skipped                 2  (no drop-off or account phone)" in out
    assert "rejected                1" in out
    rejects = [json.loads(line) for line in (tmp_path / "orders.jsonl.rejects.jsonl").open()]
    assert [(r["line"], r["field"]) for r in rejects] == [(5, ACCOUNT_PHONE_FIELD)]
    found = sorted(m.customer_id for m in search("+447946095812").matches)
    assert found == ["cust-2", "cust-3"]

    # The counts survive in the checkpoint: a finished file reports the same summary again.
    again = run(str(path))
    assert "backfilled completely already" in again
    assert "skipped                 2" in again
