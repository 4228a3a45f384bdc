"""The client address (`identity.client_address`) the audit trail records."""

from django.urls import reverse

from lookup.models import AuditEntry
from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"


def test_a_server_that_gives_no_ip_address_is_recorded_as_no_address(agent_client, moto_table):
    # A WSGI server on a socket file may put its path, not an address, in REMOTE_ADDR: the trail's
    # address column holds IP addresses only (PostgreSQL's inet refuses anything else).
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    page = reverse("lookup:customer", args=[sam.customer_id])

    assert agent_client.get(page, REMOTE_ADDR="/run/gunicorn.sock").status_code == 200

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CUSTOMER_VIEW)
    assert entry.customer_id == sam.customer_id
    assert entry.client_address is None
