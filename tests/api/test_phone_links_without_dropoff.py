"""POST /api/v1/phone-links with orders that have no drop-off phone (pickup, dine-in): the
account phone is linked when given, otherwise the order is answered 200 `skipped`, never 400."""

import json

from django.urls import reverse

from lookup.models import AuditEntry
from tests.api.conftest import order_event
from tests.api.test_openapi import conforms
from tests.conftest import count_requests
from tests.lookups import search

URL = reverse("api:phone-links")
BRAZIL_MOBILE = "+5511912345678"
ACCOUNT_PHONE_FIELD = "order.customer.phoneNumber"  # the documented name


def post(client, body: dict, caller):
    return client.post(
        URL, data=json.dumps(body), content_type="application/json", headers=caller.headers
    )


def pickup(**order_fields) -> dict:
    event = order_event(**order_fields)
    del event["order"]["delivery"]
    return event


def test_an_order_without_any_phone_is_200_skipped_with_the_reason(
    client, moto_table, order_service
):
    with count_requests(moto_table) as log:
        response = post(client, pickup(), order_service)

    assert response.status_code == 200
    assert response.json() == {
        "outcome": "skipped",
        "created": False,
        "customerId": "cust-buyer",
        "orderId": "ord_1001",
        "phone": None,
        "reason": "no drop-off or account phone",
    }
    assert log.operations == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API_LINK)
    assert entry.customer_id == "cust-buyer" and entry.phone == ""
    assert entry.reason == "order ord_1001: skipped, no drop-off or account phone"


def test_a_null_delivery_and_an_empty_account_phone_are_skipped_too(
    client, moto_table, order_service
):
    event = order_event(delivery=None, customer={"phoneNumber": ""})

    response = post(client, event, order_service)

    assert response.status_code == 200 and response.json()["outcome"] == "skipped"


def test_the_account_phone_is_linked_when_the_order_has_no_dropoff_phone(
    client, moto_table, order_service
):
    response = post(client, pickup(customer={"phoneNumber": "(11) 91234-5678"}), order_service)

    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "created" and body["phone"]["e164"] == BRAZIL_MOBILE
    assert [match.customer_id for match in search(BRAZIL_MOBILE).matches] == ["cust-buyer"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API_LINK)
    assert entry.reason == f"order ord_1001: created from {ACCOUNT_PHONE_FIELD}"


def test_a_garbage_account_phone_is_400_naming_it(client, moto_table, order_service):
    response = post(client, pickup(customer={"phoneNumber": "ask at the counter"}), order_service)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == ACCOUNT_PHONE_FIELD


def test_the_documented_schemas_describe_a_pickup_and_its_answer(client, moto_table, order_service):
    document = client.get(reverse("api:openapi")).json()
    skipped = post(client, pickup(), order_service)
    account = pickup(id="ord_2", customer={"phoneNumber": "+55 11 91234-5678"})
    linked = post(client, account, order_service)

    assert conforms(document, "OrderCommittedEvent", pickup()) == []
    assert conforms(document, "OrderCommittedEvent", order_event(delivery=None)) == []
    assert conforms(document, "LinkResult", skipped.json()) == []
    assert conforms(document, "OrderCommittedEvent", account) == []
    assert conforms(document, "LinkResult", linked.json()) == []
    # The request schema no longer demands a delivery; it still refuses a wrong type.
    assert conforms(document, "OrderCommittedEvent", order_event(delivery="door")) != []
