"""A page names its permission once (`requires_permission`); a refusal says on the audit trail
which customer and number the refused person asked for."""

from django.test import Client
from django.urls import reverse

from lookup.models import AuditEntry

SAM = "cust-sam-0001"
DESK = "+442079460018"


def test_an_agents_refused_unlink_names_the_customer_and_the_number(agent_client):
    response = agent_client.get(reverse("lookup:unlink", args=[SAM, DESK]))

    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMISSION_DENIED)
    assert (entry.actor, entry.customer_id, entry.phone) == ("alice.agent", SAM, DESK)
    assert entry.reason == "missing lookup.unlink_phone"


def test_a_refused_customer_page_names_the_customer_and_no_number(newcomer):
    browser = Client()
    browser.force_login(newcomer)

    response = browser.get(reverse("lookup:customer", args=[SAM]))

    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMISSION_DENIED)
    assert (entry.customer_id, entry.phone) == (SAM, "")
    assert entry.reason == "missing lookup.view_customer"
