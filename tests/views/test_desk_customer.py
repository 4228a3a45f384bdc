"""The customer page, the lead's unlinked hint, times in the desk's zone, the 403 and 404 pages."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lookup.domain import LinkChange
from lookup.models import AuditEntry
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import store, tombstone

SEARCH = reverse("lookup:search")
DESK = "+442079460018"
BR_NEW = "+5511987654321"
BR_OLD = "+551187654321"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


def customer_url(customer_id: str) -> str:
    return reverse("lookup:customer", args=[customer_id])


def number_rows(html: str) -> dict[str, str]:
    """The numbers table's rows by number (data-phone)."""
    return dict(re.findall(r'<tr class="[^"]*" data-phone="([^"]+)"(.*?)</tr>', html, re.S))


@pytest.fixture
def carla(moto_table):
    """Carla has her mobile on her profile and on her orders, an old Brazilian record of it,
    and a London office number on older orders."""
    carla = f.profile(name="Carla Dias", email="carla.dias@example.com", country="BR")
    store(
        moto_table,
        profiles=[carla],
        links=[
            f.profile_link(carla.customer_id, BR_NEW),
            f.order_link(
                carla.customer_id,
                BR_NEW,
                order_count=5,
                last_seen=f.NOW - timedelta(days=1),
                recent_orders=f.recent("ord_55", "ord_54", last_seen=f.NOW - timedelta(days=1)),
            ),
            f.legacy_link(carla.customer_id, BR_OLD),
            f.order_link(carla.customer_id, DESK, order_count=2, recent_orders=f.recent("ord_12")),
        ],
    )
    return carla


def test_a_number_on_profile_and_orders_is_one_row_with_both_sources(agent_client, carla):
    html = agent_client.get(customer_url(carla.customer_id)).content.decode()
    numbers = number_rows(html)
    assert list(numbers) == [BR_NEW, BR_OLD, DESK]
    assert html.count(f'data-phone="{BR_NEW}"') == 1
    row = numbers[BR_NEW]
    assert ' data-source="profile order">' in row
    assert ">Profile</span>" in row and ">Order</span>" in row
    assert "5 orders" in row and "19 Nov 2026" in row  # its last order
    assert "same number as above: the number before the ninth digit" in numbers[BR_OLD]


def test_the_last_order_is_at_the_top_with_its_number(agent_client, carla):
    html = agent_client.get(customer_url(carla.customer_id)).content.decode()
    top = html[html.index('<dl class="profile">') : html.index("</dl>")]
    assert "<dt>Last order</dt>" in top
    assert "19 Nov 2026, 12:00 UTC" in top and "ord_55" in top
    assert 'to <span class="phone">+55 11 98765-4321</span>' in top


def test_the_searched_number_and_its_other_forms_are_highlighted(agent_client, carla):
    page = agent_client.get(customer_url(carla.customer_id), {"from": BR_NEW})
    html = page.content.decode()
    highlighted = re.findall(r'<tr class="[^"]*\bsearched\b[^"]*" data-phone="([^"]+)"', html)
    assert highlighted == [BR_NEW, BR_OLD]
    assert html.count("the number you searched") == 2
    plain = agent_client.get(customer_url(carla.customer_id)).content.decode()
    assert "the number you searched" not in plain


def test_order_ids_have_copy_buttons_and_no_links_by_default(agent_client, carla, settings):
    settings.ORDER_URL_TEMPLATE = ""
    html = agent_client.get(customer_url(carla.customer_id)).content.decode()
    assert (
        '<code>ord_55</code><button type="button" class="copy copy-small" data-copy="ord_55"'
        in (html)
    )
    assert "orders.example" not in html


def test_order_ids_link_to_the_order_tool_when_configured(agent_client, moto_table, settings):
    settings.ORDER_URL_TEMPLATE = "https://orders.example/o/{order_id}"
    odd = f.profile(name="Odd Orders")
    store(
        moto_table,
        profiles=[odd],
        links=[f.order_link(odd.customer_id, DESK, recent_orders=f.recent("ord_1", "a/b?c"))],
    )
    html = agent_client.get(customer_url(odd.customer_id)).content.decode()
    assert '<a href="https://orders.example/o/ord_1" target="_blank"' in html
    # An order id is one path segment of the order tool's URL, whatever it holds.
    assert 'href="https://orders.example/o/a%2Fb%3Fc"' in html


def test_agents_never_see_the_unlinked_hint(agent_client, lead_client, moto_table):
    sam, kim = f.profile(name="Sam Carter"), f.profile(name="Kim Wu")
    store(
        moto_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    unlink = reverse("lookup:unlink", args=[sam.customer_id, DESK])
    lead_client.post(unlink, {"reason": "number_reassigned", "details": "T-4411", "version": 0})

    html = lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    hint = html[html.index('<details class="unlinked-hint">') : html.index("</details>")]
    assert "<summary>1 unlinked link to this number — show</summary>" in hint
    assert f'href="{customer_url(sam.customer_id)}?from=%2B442079460018">Sam Carter</a>' in hint
    assert "by <bdi>leo.lead</bdi>" in hint and "Number reassigned to someone else: T-4411" in hint
    assert "<time datetime=" in hint

    with count_requests(moto_table) as log:
        agent_html = agent_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    assert "unlinked" not in agent_html and "Sam Carter" not in agent_html
    assert log.operations == ["Query", "BatchGetItem"]  # nothing read for a hint not shown

    restore = reverse("lookup:restore", args=[sam.customer_id, DESK])
    lead_client.post(restore, {"reason": "customer confirmed", "version": 1})
    html = lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    assert "unlinked-hint" not in html  # restored: nothing to hint at


@pytest.mark.parametrize(
    ("number", "country", "forms"),
    [(DESK, "GB", [DESK]), (BR_NEW, "BR", [BR_NEW, BR_OLD])],
)
def test_a_leads_search_reads_the_tombstones_with_one_query_more_per_form(
    agent_client, lead_client, moto_table, number, country, forms
):
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, number)])
    with count_requests(moto_table) as agent:
        agent_client.get(SEARCH, {"phone": number, "country": country})
    with count_requests(moto_table) as lead:
        html = lead_client.get(SEARCH, {"phone": number, "country": country}).content.decode()
    assert "unlinked-hint" not in html
    # Agents never read a tombstone; a lead reads each form's `unlinked#` partition too, at
    # the same time as the live ones, and the names come with the page's profiles.
    assert agent.counts == {"Query": len(forms), "BatchGetItem": 1}
    assert sorted(agent.numbers_queried) == sorted(forms)
    assert lead.counts == {"Query": 2 * len(forms), "BatchGetItem": 1}
    assert sorted(lead.numbers_queried) == sorted(
        [*forms, *(f"unlinked#phone#{form}" for form in forms)]
    )


def test_the_hint_shows_a_number_whose_only_customer_was_unlinked(lead_client, moto_table):
    ana = f.profile(name="Ana Souza")
    store(moto_table, profiles=[ana], links=[f.order_link(ana.customer_id, BR_OLD)])
    unlink = reverse("lookup:unlink", args=[ana.customer_id, BR_OLD])
    lead_client.post(unlink, {"reason": "wrong_customer", "version": 0})
    # Searched in its current form: the old form's unlink is listed too.
    html = lead_client.get(SEARCH, {"phone": BR_NEW, "country": "BR"}).content.decode()
    assert "No customer linked to +55 11 98765-4321" in html
    assert "1 unlinked link to this number" in html and "Ana Souza" in html


def test_unlinks_made_outside_this_tool_are_hinted_at_too(lead_client, moto_table):
    # The hint reads the tombstones, not the audit trail: an unlink with no entry (the older
    # tool's, another service's) is listed with who, when and why as the link stores them.
    old = f.profile(name="Old Tool")
    store(moto_table, profiles=[old], links=[f.order_link(old.customer_id, DESK)])
    change = LinkChange(at=f.NOW, by="old-tool", reason="legacy cleanup")
    tombstone(customer_id=old.customer_id, phone=DESK, change=change)
    html = lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    hint = html[html.index('<details class="unlinked-hint">') : html.index("</details>")]
    assert "1 unlinked link to this number" in hint and "Old Tool" in hint
    assert "by <bdi>old-tool</bdi>" in hint and "legacy cleanup" in hint


def test_the_hint_survives_pruning_the_whole_audit_trail(lead_client, moto_table):
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    unlink = reverse("lookup:unlink", args=[sam.customer_id, DESK])
    lead_client.post(unlink, {"reason": "number_reassigned", "details": "T-4411", "version": 0})
    # As if past the retention (a day, the least `prune_audit` keeps): the whole trail goes,
    # the unlink's entry included.
    AuditEntry.objects.update(at=timezone.now() - timedelta(days=2))
    call_command("prune_audit", days=1, stdout=io.StringIO())
    assert not AuditEntry.objects.exists()
    html = lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    hint = html[html.index('<details class="unlinked-hint">') : html.index("</details>")]
    assert "1 unlinked link to this number" in hint and "Sam Carter" in hint
    assert "by <bdi>leo.lead</bdi>" in hint and "Number reassigned to someone else: T-4411" in hint


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("UTC", "20 Nov 2026, 12:00 UTC"),
        ("Europe/Berlin", "20 Nov 2026, 13:00 CET"),
        ("America/Sao_Paulo", "20 Nov 2026, 09:00 UTC−03"),
        ("Pacific/Auckland", "21 Nov 2026, 01:00 NZDT"),
    ],
)
def test_times_are_shown_in_the_desks_time_zone_with_the_zone(
    lead_client, moto_table, settings, zone, shown
):
    settings.TIME_ZONE = zone
    sam = f.profile(name="Sam Carter", created_at=f.NOW - timedelta(days=1, hours=12))
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    tombstone(
        customer_id=sam.customer_id,
        phone=DESK,
        change=LinkChange(at=f.NOW, by="leo.lead", reason="wrong customer"),
    )
    html = lead_client.get(customer_url(sam.customer_id)).content.decode()
    assert "unlinked</span> on <time datetime=" in html
    assert f">{shown}</time> by <bdi>leo.lead</bdi>" in html
    # A day is the day where the desk is: 19 Nov 00:00 UTC is still 18 Nov in São Paulo.
    since = "18 Nov 2026" if zone == "America/Sao_Paulo" else "19 Nov 2026"
    assert "<dt>Customer since</dt><dd><time datetime=" in html and f">{since}</time>" in html


def test_the_403_page_names_the_role_and_the_reference(agent_client, moto_table):
    sam = f.profile(name="Sam Carter")
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    response = agent_client.get(reverse("lookup:unlink", args=[sam.customer_id, DESK]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "It needs the <strong>Support lead</strong> role." in html
    assert f"quoting reference <code>{response['X-Request-ID']}</code>" in html


def test_the_403_page_of_a_search_names_every_role_that_may_search(client, newcomer):
    client.force_login(newcomer)
    html = client.get(SEARCH).content.decode()
    assert "It needs the <strong>Support agent, Support lead or Admin</strong> role." in html


def test_the_404_page_gives_its_reference(agent_client, moto_table):
    response = agent_client.get(customer_url("nobody-here"))
    assert response.status_code == 404
    assert f"Reference <code>{response['X-Request-ID']}</code>" in response.content.decode()
