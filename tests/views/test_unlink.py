"""Unlinking and restoring order-derived links, as a support lead does it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from lookup.domain.evidence import OrderSeen
from lookup.domain.times import format_timestamp
from lookup.models import AuditEntry
from lookup.services.ingestion import order_link_record
from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"
SEARCH = reverse("lookup:search")


def unlink_url(customer_id: str, phone: str = DESK) -> str:
    return reverse("lookup:unlink", args=[customer_id, phone])


def restore_url(customer_id: str, phone: str = DESK) -> str:
    return reverse("lookup:restore", args=[customer_id, phone])


def search_ids(client: Client, phone: str = DESK) -> list[str]:
    response = client.get(SEARCH, {"phone": phone, "country": "GB"})
    return [m.customer_id for m in response.context["results"].matches]


@pytest.fixture
def linked(moto_table):
    """Sam's orders went to an office desk number; Kim's too."""
    sam = f.profile(name="Sam Carter")
    kim = f.profile(name="Kim Wu")
    store(
        moto_table,
        profiles=[sam, kim],
        links=[
            f.order_link(sam.customer_id, DESK),
            f.order_link(kim.customer_id, DESK),
            f.profile_link(sam.customer_id, "+447946095812"),
        ],
    )
    return sam, kim


def test_lead_sees_a_confirmation_naming_customer_and_number(lead_client, linked):
    sam, _ = linked
    html = lead_client.get(unlink_url(sam.customer_id)).content.decode()
    # The number is kept on one line (a span that never wraps).
    assert 'Unlink <span class="phone">+44 20 7946 0018</span> from <bdi>Sam Carter</bdi>?' in html
    for label in (
        "Number reassigned to someone else",
        "Customer asked for it to be removed",
        "Linked to the wrong customer",
        "Other (explain below)",
    ):
        assert label in html


def test_unlink_removes_the_customer_from_search_and_restore_brings_them_back(
    lead_client, linked, lead
):
    sam, kim = linked
    assert sorted(search_ids(lead_client)) == sorted([sam.customer_id, kim.customer_id])

    response = lead_client.post(
        unlink_url(sam.customer_id),
        {"reason": "number_reassigned", "details": "Ticket 4411", "version": 0},
        follow=True,
    )
    html = response.content.decode()
    assert "+44 20 7946 0018 is no longer linked to <bdi>Sam Carter</bdi>" in html
    assert search_ids(lead_client) == [kim.customer_id]
    # Leads still see it on the customer page, with who, when and why.
    assert "unlinked</span>" in html and "by <bdi>leo.lead</bdi>" in html
    assert "Number reassigned to someone else: Ticket 4411" in html

    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLINK)
    assert (entry.user, entry.phone, entry.customer_id) == (lead, DESK, sam.customer_id)
    assert entry.reason == "Number reassigned to someone else: Ticket 4411"
    assert entry.request_id and entry.client_address == "127.0.0.1"

    response = lead_client.post(
        restore_url(sam.customer_id),
        {"reason": "Customer confirmed it is theirs", "version": 1},
        follow=True,
    )
    assert "linked to <bdi>Sam Carter</bdi> again" in response.content.decode()
    assert sorted(search_ids(lead_client)) == sorted([sam.customer_id, kim.customer_id])
    restore = AuditEntry.objects.get(action=AuditEntry.Action.RESTORE)
    assert restore.reason == "Customer confirmed it is theirs"
    assert (
        "Restored"
        in lead_client.get(reverse("lookup:customer", args=[sam.customer_id])).content.decode()
    )


def test_agents_do_not_see_unlinked_numbers_or_actions(agent_client, lead_client, linked):
    sam, _ = linked
    lead_client.post(unlink_url(sam.customer_id), {"reason": "wrong_customer", "version": 0})
    html = agent_client.get(reverse("lookup:customer", args=[sam.customer_id])).content.decode()
    assert "+44 20 7946 0018" not in html
    assert "Unlink" not in html


def test_reason_is_required_and_other_needs_details(lead_client, linked, moto_table):
    sam, _ = linked
    html = lead_client.post(unlink_url(sam.customer_id), {"version": 0}).content.decode()
    assert "Choose a reason." in html
    # Screen readers announce the error with the group of reasons it belongs to.
    assert 'aria-describedby="id_reason_error"' in html and 'id="id_reason_error"' in html
    html = lead_client.post(
        unlink_url(sam.customer_id), {"reason": "other", "details": " ", "version": 0}
    ).content.decode()
    assert "Explain the reason" in html
    assert sam.customer_id in search_ids(lead_client)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).exists()


def test_a_second_unlink_of_the_same_link_says_so_without_a_second_entry(lead_client, linked):
    sam, _ = linked
    form = {"reason": "customer_request", "version": 0}
    lead_client.post(unlink_url(sam.customer_id), form)
    response = lead_client.post(unlink_url(sam.customer_id), form, follow=True)  # double submit
    assert response.status_code == 200
    assert "was already unlinked by <bdi>leo.lead</bdi>" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).count() == 1


def test_a_confirmation_page_left_open_while_an_order_arrived_asks_again(
    lead_client, linked, moto_table
):
    sam, _ = linked
    version_shown = 0
    order_link_record(
        order=OrderSeen(
            order_id="ord_new",
            customer_id=sam.customer_id,
            phone=DESK,
            country="GB",
            created_at=f.NOW,
        )
    )
    response = lead_client.post(
        unlink_url(sam.customer_id), {"reason": "customer_request", "version": version_shown}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This link changed while you were looking at it" in html
    assert 'name="version" value="1"' in html
    assert sam.customer_id in search_ids(lead_client)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).exists()


def test_restoring_a_live_link_changes_nothing(lead_client, linked):
    sam, _ = linked
    response = lead_client.post(
        restore_url(sam.customer_id), {"reason": "x", "version": 0}, follow=True
    )
    assert "already active" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESTORE).exists()


def test_profile_phones_cannot_be_unlinked_here(lead_client, linked):
    sam, _ = linked
    url = unlink_url(sam.customer_id, "+447946095812")
    assert lead_client.get(url).status_code == 404
    assert lead_client.post(url, {"reason": "wrong_customer", "version": 0}).status_code == 404
    html = lead_client.get(reverse("lookup:customer", args=[sam.customer_id])).content.decode()
    assert "on the account" in html


def test_legacy_records_are_unlinked_one_by_one(lead_client, moto_table):
    old = f.profile(name="Old Timer")
    created = f.NOW - timedelta(days=1200)
    store(moto_table, profiles=[old], links=[f.legacy_link(old.customer_id, DESK, created)])
    legacy_id = format_timestamp(created)
    page = lead_client.get(reverse("lookup:customer", args=[old.customer_id])).content.decode()
    assert f"?legacy={legacy_id.replace(':', '%3A')}" in page

    response = lead_client.post(
        unlink_url(old.customer_id),
        {"reason": "number_reassigned", "version": 0, "legacy": legacy_id},
    )
    assert response.status_code == 302
    assert search_ids(lead_client) == []


def test_unlink_without_csrf_token_is_refused(lead, linked):
    sam, _ = linked
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lead)
    response = browser.post(unlink_url(sam.customer_id), {"reason": "wrong_customer", "version": 0})
    assert response.status_code == 403
    assert sam.customer_id in search_ids(browser)


def test_an_agents_unlink_is_refused_and_the_trail_says_which_permission_was_missing(
    agent_client, linked
):
    sam, _ = linked
    response = agent_client.post(unlink_url(sam.customer_id), {"reason": "wrong_customer"})
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMISSION_DENIED)
    assert entry.reason == "missing lookup.unlink_phone"
    assert sam.customer_id in search_ids(agent_client)


def test_links_not_seen_for_a_year_are_flagged_and_listed_last(lead_client, moto_table, settings):
    settings.STALE_LINK_AFTER_DAYS = 365
    quiet, busy = f.profile(name="Quiet Quinn"), f.profile(name="Busy Bea")
    long_ago = f.NOW - timedelta(days=3000)
    store(
        moto_table,
        profiles=[quiet, busy],
        links=[
            f.order_link(
                quiet.customer_id,
                DESK,
                first_seen=long_ago - timedelta(days=5),
                last_seen=long_ago,
                recent_orders=f.recent("ord_q", last_seen=long_ago),
            ),
            # Ordering to the desk since before Quinn's last order: the number did not pass on.
            f.order_link(
                busy.customer_id, DESK, first_seen=long_ago - timedelta(days=1), last_seen=f.NOW
            ),
        ],
    )
    response = lead_client.get(SEARCH, {"phone": DESK, "country": "GB"})
    html = response.content.decode()
    assert [m.customer_id for m in response.context["results"].matches] == [
        busy.customer_id,
        quiet.customer_id,
    ]
    assert html.count("possibly stale</span>") == 1
    assert html.index("Busy Bea") < html.index("possibly stale")
    customer = lead_client.get(reverse("lookup:customer", args=[quiet.customer_id]))
    assert "possibly stale</span>" in customer.content.decode()
