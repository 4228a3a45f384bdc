"""Small pages that must not mislead: a heading of an old form of a number, the 403 of someone
without a role, HEAD on pages."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.lookups import store

SEARCH = reverse("lookup:search")
MX_CURRENT = "+525512345678"


@pytest.fixture
def mexico(moto_table):
    """Two customers on a Mexican mobile, stored in today's form."""
    ana, luis = f.profile(name="Ana Ruiz"), f.profile(name="Luis Mora")
    store(
        moto_table,
        profiles=[ana, luis],
        links=[
            f.order_link(ana.customer_id, MX_CURRENT),
            f.order_link(luis.customer_id, MX_CURRENT),
        ],
    )
    return ana, luis


def heading(html: str) -> str:
    start = html.index('<h2 id="results-heading">')
    return html[start : html.index("</h2>", start)]


def test_an_old_form_found_through_its_current_form_says_so(agent_client, mexico):
    response = agent_client.get(SEARCH, {"phone": "+52 1 55 1234 5678", "country": "GB"})
    assert response.context["results"].total == 2
    title = heading(response.content.decode())
    assert "not a valid number" not in title
    assert "found through its current form" in title
    assert "as written today (the current form without the mobile 1)" in title  # its tooltip


def test_an_invalid_number_that_nothing_found_is_still_flagged(agent_client, moto_table):
    response = agent_client.get(SEARCH, {"phone": "+52 1 55 1234 5678", "country": "GB"})
    assert "not a valid number" in heading(response.content.decode())


def test_someone_without_a_role_is_told_who_grants_one_and_can_sign_out(client, newcomer):
    client.force_login(newcomer)
    response = client.get(SEARCH)
    html = response.content.decode()
    assert response.status_code == 403
    assert "has no role in this tool yet" in html
    assert "An admin of this tool (someone with the Admin role) gives roles" in html
    assert f"quoting reference <code>{response['X-Request-ID']}</code>" in html
    # No way back into the same 403; a way out instead.
    assert "Search by phone</a>" not in html
    assert f'action="{reverse("logout")}"' in html and ">Sign out</button>" in html
    client.post(reverse("logout"))
    assert client.get(SEARCH).status_code == 302  # signed out: to the sign-in page


def test_someone_with_a_role_keeps_the_way_back_to_search(agent_client, moto_table):
    page = reverse("lookup:unlink", args=["cust-x", MX_CURRENT])
    html = agent_client.get(page).content.decode()
    assert "Search by phone</a>" in html and "has no role" not in html


@pytest.mark.parametrize("url", ["/", "/?phone=%2B525512345678&country=MX", "/login/", "/healthz"])
def test_head_answers_like_get_without_a_body(agent_client, mexico, url):
    get = agent_client.get(url)
    head = agent_client.head(url)
    assert head.status_code == get.status_code != 405
    assert head.content == b""


def test_head_of_a_customer_page_and_a_confirmation(lead_client, mexico):
    ana, _ = mexico
    assert lead_client.head(reverse("lookup:customer", args=[ana.customer_id])).status_code == 200
    unlink = reverse("lookup:unlink", args=[ana.customer_id, MX_CURRENT])
    assert lead_client.head(unlink).status_code == 200


def test_head_of_a_page_needs_a_sign_in_like_get(db):
    assert Client().head("/").status_code == 302
    assert Client().head("/login/").status_code == 200
