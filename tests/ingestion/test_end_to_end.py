"""The proof of concept, end to end: an order is committed, and an agent finds its customer.

order service -> SQS (publish_order_event) -> worker (consume_order_events --once) -> DynamoDB
-> search page -> customer page, on both DynamoDB backends.
"""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from tests import factories as f
from tests.lookups import store


def test_a_committed_orders_dropoff_phone_finds_its_customer_in_the_ui(table, queues, agent_client):
    customer = f.profile(name="Beatriz Costa", email="beatriz@example.com", country="BR")
    store(table, profiles=[customer])

    # The order service commits an order whose drop-off phone is a Brazilian mobile.
    published = StringIO()
    call_command(
        "publish_order_event",
        "--customer",
        customer.customer_id,
        "--phone",
        "(11) 98765-4321",
        "--country",
        "BR",
        "--order-id",
        "ord_poc_1",
        stdout=published,
    )
    assert "with drop-off phone +5511987654321" in published.getvalue()

    out = StringIO()
    call_command("consume_order_events", "--once", "--wait-seconds", "0", stdout=out)
    assert "1 created" in out.getvalue()
    assert queues.depth() == 0

    # The record in DynamoDB, in the shared key schema (DESIGN.md section 3).
    item = table.client.get_item(
        TableName=table.name,
        Key={
            "pk": {"S": f"phone_user#{customer.customer_id}"},
            "sk": {"S": "phone#+5511987654321"},
        },
        ConsistentRead=True,
    )["Item"]
    assert item["pk2"] == {"S": "phone#+5511987654321"}
    assert item["sk2"] == {"S": f"phone_user#{customer.customer_id}"}
    assert item["recentOrders"]["L"][0]["M"]["orderId"] == {"S": "ord_poc_1"}

    # An agent searches the number as the caller says it, and opens the customer.
    results = agent_client.get(
        reverse("lookup:search"), {"phone": "11 98765 4321", "country": "BR"}
    )
    html = results.content.decode()
    assert results.status_code == 200
    assert "1 customer linked to this number" in html
    customer_url = reverse("lookup:customer", args=[customer.customer_id])
    assert f'href="{customer_url}?from=%2B5511987654321" dir="auto">Beatriz Costa</a>' in html

    details = agent_client.get(customer_url, {"from": "+5511987654321"})
    page = details.content.decode()
    assert details.status_code == 200
    assert "Beatriz Costa" in page and "beatriz@example.com" in page
    assert 'data-phone="+5511987654321" data-source="order"' in page
    assert "+55 11 98765-4321" in page and "ord_poc_1" in page and "1 order" in page
