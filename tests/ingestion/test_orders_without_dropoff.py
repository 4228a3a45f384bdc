"""Orders without a drop-off phone (pickup, dine-in, drive-through) are ordinary: they link the
customer's account phone when the event carries it, else they are skipped, never rejected.
Through `order_event_ingest` and through the worker on moto's SQS, DynamoDB on both backends."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command

from lookup.domain import InvalidField
from lookup.domain.evidence import LinkOutcome
from lookup.services.ingestion import order_event_ingest
from tests.conftest import count_requests
from tests.ingestion.conftest import MAX_RECEIVES, order_event, sns_envelope
from tests.lookups import links_of, search, stored_link

PHONE = "+447946095812"
PHONE_FIELD = "order.delivery.dropoff.phoneNumber"  # the documented names
ACCOUNT_PHONE_FIELD = "order.customer.phoneNumber"


def pickup(*, customer: str = "cust-pat", delivery=..., account_phone=...) -> dict:
    """An order event without a drop-off phone: `delivery` sets `order.delivery` (else it is left
    out), `account_phone` sets `order.customer.phoneNumber` (else no `order.customer`)."""
    event = order_event(customer=customer)
    del event["order"]["delivery"]
    if delivery is not ...:
        event["order"]["delivery"] = delivery
    if account_phone is not ...:
        event["order"]["customer"] = {"phoneNumber": account_phone}
    return event


NO_DROPOFF_PHONE = {
    "no delivery": pickup(),
    "delivery null": pickup(delivery=None),
    "no dropoff": pickup(delivery={}),
    "dropoff null": pickup(delivery={"dropoff": None}),
    "no phoneNumber": pickup(delivery={"dropoff": {}}),
    "phoneNumber null": pickup(delivery={"dropoff": {"phoneNumber": None}}),
    "empty": pickup(delivery={"dropoff": {"phoneNumber": ""}}),
    "blank": pickup(delivery={"dropoff": {"phoneNumber": " \u00a0\u3000 "}}),
    "account null": pickup(account_phone=None),
    "account empty": pickup(account_phone=""),
    "account object null": {**pickup(), "order": {**pickup()["order"], "customer": None}},
}


@pytest.mark.parametrize("event", NO_DROPOFF_PHONE.values(), ids=NO_DROPOFF_PHONE.keys())
def test_an_order_with_no_phone_at_all_is_skipped_without_a_dynamodb_request(table, event):
    with count_requests(table) as log:
        result = order_event_ingest(event=event)

    assert result.outcome is LinkOutcome.SKIPPED
    assert result.order.customer_id == "cust-pat"
    assert result.order.reason == "no drop-off or account phone"
    assert log.operations == []
    assert table.client.scan(TableName=table.name)["Count"] == 0


MALFORMED = {
    "delivery a string": (pickup(delivery="to the door"), "order.delivery"),
    "delivery a list": (pickup(delivery=[]), "order.delivery"),
    "dropoff a string": (pickup(delivery={"dropoff": "desk"}), "order.delivery.dropoff"),
    "phone a number": (pickup(delivery={"dropoff": {"phoneNumber": 447946095812}}), PHONE_FIELD),
    "phone an object": (
        pickup(delivery={"dropoff": {"phoneNumber": {"e164": PHONE}}}),
        PHONE_FIELD,
    ),
    "phone letters": (pickup(delivery={"dropoff": {"phoneNumber": "call me"}}), PHONE_FIELD),
    "phone a tab": (pickup(delivery={"dropoff": {"phoneNumber": "\t"}}), PHONE_FIELD),
    "customer a string": (
        {**pickup(), "order": {**pickup()["order"], "customer": "pat"}},
        "order.customer",
    ),  # fmt: skip
    "account a number": (pickup(account_phone=447946095812), ACCOUNT_PHONE_FIELD),
    "account letters": (pickup(account_phone="n/a"), ACCOUNT_PHONE_FIELD),
    "account too short": (pickup(account_phone="12"), ACCOUNT_PHONE_FIELD),
    "account NUL": (pickup(account_phone="07946\x00095812"), ACCOUNT_PHONE_FIELD),
}


@pytest.mark.parametrize(("event", "field"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_phone_field_is_still_rejected_naming_it(table, event, field):
    with pytest.raises(InvalidField) as caught:
        order_event_ingest(event=event)

    assert caught.value.field == field
    assert table.client.scan(TableName=table.name)["Count"] == 0


def test_the_account_phone_is_linked_normalized_with_the_orders_country(table):
    result = order_event_ingest(event=pickup(account_phone="07946 095812"))

    assert result.outcome is LinkOutcome.CREATED
    assert result.order.phone == PHONE
    assert result.order.phone_field == ACCOUNT_PHONE_FIELD
    assert [match.customer_id for match in search(PHONE).matches] == ["cust-pat"]


def test_the_account_phone_is_stored_by_its_current_form_like_a_dropoff_phone(table):
    event = pickup(customer="cust-br", account_phone="(11) 8765-4321")
    event["order"]["country"] = "BR"

    order_event_ingest(event=event)

    assert [link.phone for link in links_of("cust-br")] == ["+5511987654321"]


def test_a_delivery_and_a_pickup_to_the_same_number_are_one_ordinary_order_link(table):
    order_event_ingest(event=order_event(customer="cust-pat", phone="07946 095812"))
    order_event_ingest(event=pickup(account_phone="+44 7946 095812"))

    link = stored_link("cust-pat", PHONE)
    assert link.order_count == 2
    assert search(PHONE).total == 1


def test_a_dropoff_phone_wins_and_the_account_phone_is_not_even_read(table):
    event = order_event(customer="cust-pat", phone="07946 095812")
    event["order"]["customer"] = {"phoneNumber": "n/a"}  # unused: no reason to refuse the order

    result = order_event_ingest(event=event)

    assert result.outcome is LinkOutcome.CREATED
    assert result.order.phone_field == PHONE_FIELD
    assert [link.phone for link in links_of("cust-pat")] == [PHONE]


# --- the worker --------------------------------------------------------------------------------


def test_a_batch_of_pickups_account_phones_and_one_malformed_event(table, queues, caplog):
    skipped = [
        pickup(customer="cust-pick-1"),
        pickup(customer="cust-pick-2", delivery=None),
        pickup(customer="cust-pick-3", delivery={"dropoff": {"phoneNumber": ""}}),
        pickup(customer="cust-pick-4", account_phone=None),
    ]
    queues.publish(*skipped)
    queues.publish(pickup(customer="cust-acct-1", account_phone="07946 095812"))
    queues.send(sns_envelope(pickup(customer="cust-acct-2", account_phone="+44 7946 095812")))
    queues.publish(order_event(customer="cust-delivery", phone="07946 095812"))
    malformed = json.dumps(pickup(customer="cust-bad", delivery={"dropoff": {"phoneNumber": 7946}}))
    bad_id = queues.client.send_message(QueueUrl=queues.url, MessageBody=malformed)["MessageId"]

    out = StringIO()
    with caplog.at_level(logging.INFO, logger="lookup.worker"):
        call_command("consume_order_events", "--once", "--wait-seconds", "0", stdout=out)

    # Pickups acknowledged: the queue is empty and the dead-letter queue holds the bad one only.
    assert queues.depth() == 0
    assert queues.dead_letters() == [malformed]
    # The account phone linked its customers, as a drop-off phone would have.
    found = sorted(match.customer_id for match in search(PHONE).matches)
    assert found == ["cust-acct-1", "cust-acct-2", "cust-delivery"]
    stored = table.client.scan(TableName=table.name)["Items"]
    assert not [item for item in stored if "cust-pick" in json.dumps(item)]
    # One INFO line per batch with the counts; the totals add up to this stream.
    batches = [r for r in caplog.records if r.getMessage().startswith("Batch: ")]
    assert batches and all(r.levelno == logging.INFO for r in batches)
    assert sum(r.skipped for r in batches) == 4
    assert sum(r.recorded for r in batches) == 3
    assert sum(r.rejected for r in batches) == MAX_RECEIVES
    assert all("skipped (no phone)" in r.getMessage() for r in batches)
    assert (
        f"{8 + MAX_RECEIVES - 1} received: 3 recorded (3 created; 2 with the account phone), "
        f"4 skipped (no phone), {MAX_RECEIVES} rejected" in out.getvalue()
    )
    # Nothing louder than INFO but the malformed event's rejections.
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == MAX_RECEIVES
    assert all(f"Rejected order event in message {bad_id}" in message for message in loud)
