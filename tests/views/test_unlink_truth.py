"""What the unlink pages say is what the next search shows.

A customer found through another link to the same number (the phone on their account, another
order or legacy record, another form of the number) stays in the results after an unlink: the
confirmation and the success message say so, and say why.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"
MX_CURRENT, MX_OLD = "+525512345678", "+5215512345678"
SEARCH = reverse("lookup:search")


def unlink_url(customer_id: str, phone: str) -> str:
    return reverse("lookup:unlink", args=[customer_id, phone])


def _stored_only_on_orders(customer_id: str, phone: str):
    return [f.order_link(customer_id, phone)]


def _also_on_the_account(customer_id: str, phone: str):
    return [f.order_link(customer_id, phone), f.profile_link(customer_id, phone)]


def _also_a_legacy_record(customer_id: str, phone: str):
    return [
        f.order_link(customer_id, phone),
        f.legacy_link(customer_id, phone, f.NOW - timedelta(days=900)),
    ]


def _also_another_form(customer_id: str, phone: str):
    # Mexico's pre-2019 mobile form of the same number, on older orders.
    return [f.order_link(customer_id, phone), f.order_link(customer_id, MX_OLD)]


SCENARIOS = {
    "only on orders": (DESK, "GB", _stored_only_on_orders),
    "also on the account": (DESK, "GB", _also_on_the_account),
    "also a legacy record": (DESK, "GB", _also_a_legacy_record),
    "also another form of the number": (MX_CURRENT, "MX", _also_another_form),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_unlink_message_claims_what_the_next_search_contradicts(
    lead_client, moto_table, scenario
):
    phone, country, links = SCENARIOS[scenario]
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=links(sam.customer_id, phone))

    confirmation = lead_client.get(unlink_url(sam.customer_id, phone)).content.decode()
    response = lead_client.post(
        unlink_url(sam.customer_id, phone),
        {"reason": "number_reassigned", "version": 0},
        follow=True,
    )
    message = " ".join(str(m) for m in response.context["messages"])
    results = lead_client.get(SEARCH, {"phone": phone, "country": country}).context["results"]
    listed = sam.customer_id in [match.customer_id for match in results.matches]

    says_stop = "searches stop finding them" in message
    says_still = "Searches still find <bdi>Sam Carter</bdi>" in message
    assert says_stop != says_still, message
    assert listed == says_still, (scenario, message)
    assert ("will still find Sam Carter" in confirmation) == listed
    assert ("stops finding this customer in every search" in confirmation) == (not listed)


def test_an_account_phone_is_named_with_whose_it_is(lead_client, moto_table):
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=_also_on_the_account(sam.customer_id, DESK))

    confirmation = lead_client.get(unlink_url(sam.customer_id, DESK)).content.decode()
    assert "also the phone on their account" in confirmation
    assert "belongs to the users service" in confirmation
    assert "Unlinking removes only this order link." in confirmation

    response = lead_client.post(
        unlink_url(sam.customer_id, DESK),
        {"reason": "number_reassigned", "version": 0},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == (
        "The order link of +44 20 7946 0018 to <bdi>Sam Carter</bdi> is unlinked. Searches still "
        "find <bdi>Sam Carter</bdi>: the number is also the phone on their account, which belongs "
        "to the users service and cannot be unlinked here."
    )
    assert "Profile" in lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()


def test_the_other_record_still_finding_them_is_named(lead_client, moto_table):
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=_also_a_legacy_record(sam.customer_id, DESK))

    confirmation = lead_client.get(unlink_url(sam.customer_id, DESK)).content.decode()
    assert "It is also linked through another record: legacy order" in confirmation
    response = lead_client.post(
        unlink_url(sam.customer_id, DESK),
        {"reason": "number_reassigned", "version": 0},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert "through their other link to this number (legacy order +44 20 7946 0018)" in message
