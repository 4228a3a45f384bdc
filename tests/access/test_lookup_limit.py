"""The lookup limit (`rate_limits.LOOKUPS`) counts every way of looking at a customer."""

from django.urls import reverse

from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"


def test_a_head_request_for_a_customer_page_is_a_lookup(agent_client, moto_table, settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 1
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    page = reverse("lookup:customer", args=[sam.customer_id])

    # HEAD runs the whole view (it answers whether the customer exists): one look like GET.
    assert agent_client.head(page).status_code == 200
    refused = agent_client.get(page)

    assert refused.status_code == 429
    assert refused["Retry-After"]
    html = refused.content.decode()
    assert "<h1>Too many lookups</h1>" in html
    assert "more than 1 searches and customer pages in a minute" in html
    # The refusal page gives the reference an agent quotes to their lead.
    assert f"Reference <code>{refused['X-Request-ID']}</code>" in html
