"""Every look at a customer is a lookup: counted against the same limit and audited.

The unlink and restore confirmations show a customer's name, id and orders, as the customer page
does; a search that opens its one match by itself is one lookup, not two.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from lookup.domain.decisions import LinkDecision
from lookup.models import AuditEntry
from tests import factories as f
from tests.lookups import decide, store

DESK = "+442079460018"
SEARCH = reverse("lookup:search")


@pytest.fixture
def sam(moto_table):
    person = f.profile(name="Sam Carter")
    store(moto_table, profiles=[person], links=[f.order_link(person.customer_id, DESK)])
    return person


def confirmation(kind: str, customer_id: str) -> str:
    return reverse(f"lookup:{kind}", args=[customer_id, DESK])


@pytest.fixture
def unlinked(sam, lead):
    decide(LinkDecision.UNLINK, customer_id=sam.customer_id, phone=DESK, by=lead, reason="x")
    return sam


@pytest.mark.parametrize(("kind", "customer"), [("unlink", "sam"), ("restore", "unlinked")])
def test_a_confirmation_page_is_audited_as_a_view_of_the_customer(
    lead_client, lead, request, kind, customer
):
    person = request.getfixturevalue(customer)
    assert lead_client.get(confirmation(kind, person.customer_id)).status_code == 200

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CUSTOMER_VIEW)
    assert (entry.user, entry.customer_id, entry.phone) == (lead, person.customer_id, DESK)
    assert entry.reason == f"the {kind} confirmation"


@pytest.mark.parametrize("kind", ["unlink", "restore"])
def test_confirmation_pages_share_the_lookup_limit(lead_client, lead, sam, settings, kind):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 3
    if kind == "restore":
        decide(LinkDecision.UNLINK, customer_id=sam.customer_id, phone=DESK, by=lead, reason="x")
    customer = reverse("lookup:customer", args=[sam.customer_id])
    assert lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).status_code == 200
    assert lead_client.get(customer).status_code == 200
    assert lead_client.get(confirmation(kind, sam.customer_id)).status_code == 200

    refused = lead_client.get(confirmation(kind, sam.customer_id))
    assert refused.status_code == 429
    assert "Sam Carter" not in refused.content.decode()
    assert lead_client.get(customer).status_code == 429
    # Refused looks read nothing, so they are not recorded as views.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_VIEW).count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RATE_LIMITED).count() == 1


def test_sending_the_form_is_not_a_second_look(lead_client, sam, settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 1
    url = confirmation("unlink", sam.customer_id)
    assert lead_client.get(url).status_code == 200
    response = lead_client.post(url, {"reason": "number_reassigned", "version": 0})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).count() == 1


def test_a_search_that_opens_its_one_match_counts_once(agent_client, agent, sam, settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 2
    settings.AUTO_OPEN_SINGLE_MATCH = True
    for _ in range(2):
        response = agent_client.get(
            SEARCH, {"phone": DESK, "country": "GB", "open": "1"}, follow=True
        )
        assert response.status_code == 200
        assert response.redirect_chain  # opened the customer directly
        assert "Sam Carter" in response.content.decode()

    # Two searches, each with the customer page it opened: the limit of 2 is reached, not passed.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_VIEW).count() == 2
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RATE_LIMITED).exists()
    # The next look of any kind is the third.
    customer = reverse("lookup:customer", args=[sam.customer_id])
    assert agent_client.get(customer).status_code == 429


def test_only_the_page_the_search_opened_is_free_and_only_once(
    agent_client, sam, settings, monkeypatch
):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 2
    # Every request in one minute of the limit's window, whenever the test runs.
    pinned = timezone.now().replace(second=5, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: pinned)
    customer = reverse("lookup:customer", args=[sam.customer_id])
    opened = agent_client.get(SEARCH, {"phone": DESK, "country": "GB", "open": "1"})
    assert opened.status_code == 302
    assert agent_client.get(opened["Location"]).status_code == 200  # counted with the search
    assert agent_client.get(customer).status_code == 200  # the second lookup
    assert agent_client.get(customer).status_code == 429  # the third
