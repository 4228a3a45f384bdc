"""The features that read the audit trail as data keep working as it is pruned: they show what
the trail still holds."""

import io
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lookup.models import AuditEntry
from lookup.selectors.audit_trail import searches_recent
from tests import factories as f
from tests.lookups import store

SEARCH = reverse("lookup:search")
DESK, MOBILE, OTHER = "+442079460018", "+447946095812", "+447700900461"


def _recent_listed(client) -> str:
    html = client.get(SEARCH).content.decode()
    if "recent-searches" not in html:
        return ""
    listed = html[html.index('<ul class="recent-searches">') :]
    return listed[: listed.index("</ul>")]


def test_recent_searches_outlive_the_pruning_of_older_ones(moto_table, agent, agent_client):
    store(
        moto_table,
        profiles=[sam := f.profile(name="Sam")],
        links=[f.order_link(sam.customer_id, DESK)],
    )
    for phone in (OTHER, MOBILE, DESK):
        agent_client.get(SEARCH, {"phone": phone, "country": "GB"})
    # The first search was made before the retention period began.
    AuditEntry.objects.filter(phone=OTHER).update(
        at=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 1)
    )
    assert "+44 7700 900461" in _recent_listed(agent_client)

    call_command("prune_audit", stdout=io.StringIO())

    listed = _recent_listed(agent_client)
    assert "+44 7700 900461" not in listed
    assert listed.index("+44 20 7946 0018") < listed.index("+44 7946 095812")
    assert [search.number.e164 for search in searches_recent(user=agent)] == [DESK, MOBILE]
    assert [search.customers for search in searches_recent(user=agent)] == [1, 0]


def test_once_every_search_is_pruned_none_is_listed(moto_table, agent, agent_client):
    agent_client.get(SEARCH, {"phone": DESK, "country": "GB"})
    AuditEntry.objects.update(at=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 1))
    call_command("prune_audit", stdout=io.StringIO())
    assert _recent_listed(agent_client) == ""
    assert searches_recent(user=agent) == ()
