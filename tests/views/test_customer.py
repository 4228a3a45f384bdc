"""The customer page through Django's test client, on moto."""

from django.urls import reverse

from tests import factories as f
from tests.lookups import store

FAMILY = "+5511912345678"
DESK = "+442079460018"


def customer_url(customer_id: str) -> str:
    return reverse("lookup:customer", args=[customer_id])


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(customer_url("someone"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_customer_page_shows_profile_and_every_source(agent_client, moto_table):
    customer = f.profile(name="Helena Alves", email="helena@example.com", country="BR")
    store(
        moto_table,
        profiles=[customer],
        links=[
            f.profile_link(customer.customer_id, FAMILY),
            f.order_link(customer.customer_id, DESK, recent_orders=f.recent("ord_77", "ord_78")),
            f.legacy_link(customer.customer_id, "+4930123456"),
        ],
    )
    response = agent_client.get(customer_url(customer.customer_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Helena Alves" in html and "helena@example.com" in html and "Brazil (BR)" in html
    for label in ("Profile", "Order", "Legacy order"):
        assert f">{label}</span>" in html
    assert "+55 11 91234-5678" in html and "+44 20 7946 0018" in html
    assert "ord_77" in html and "ord_78" in html and "3 orders" in html
    # Each number links to a search for it, read in its own country.
    assert f"{reverse('lookup:search')}?phone=%2B442079460018&amp;country=GB" in html


def test_coming_from_a_search_offers_the_way_back(agent_client, moto_table):
    customer = f.profile()
    store(moto_table, profiles=[customer], links=[f.order_link(customer.customer_id, DESK)])
    html = agent_client.get(customer_url(customer.customer_id), {"from": DESK}).content.decode()
    assert "Back to customers linked to +44 20 7946 0018" in html


def test_missing_profile_fields_are_shown_as_unknown(agent_client, moto_table):
    store(moto_table, links=[f.order_link("ghost-1", DESK)])
    html = agent_client.get(customer_url("ghost-1")).content.decode()
    assert "Unknown name" in html
    assert "no profile for this customer id" in html


def test_unknown_customer_is_a_friendly_404(agent_client, moto_table):
    response = agent_client.get(customer_url("does-not-exist"))
    assert response.status_code == 404
    assert "No customer with this id." in response.content.decode()


def test_odd_customer_ids_from_other_services_still_work(agent_client, moto_table):
    odd_ids = ["eu-west-1:7c1e-42", "a/b", "x#y?z%", "=HYPERLINK(1)"]
    store(
        moto_table,
        profiles=[f.profile(customer_id, name=f"Odd {n}") for n, customer_id in enumerate(odd_ids)],
        links=[f.order_link(customer_id, DESK) for customer_id in odd_ids],
    )
    results = agent_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    assert results.status_code == 200
    for n, customer_id in enumerate(odd_ids):
        page = agent_client.get(customer_url(customer_id))
        assert page.status_code == 200, customer_id
        assert f"Odd {n}" in page.content.decode()


def test_non_geographic_numbers_link_to_a_search_that_works(agent_client, moto_table):
    store(moto_table, links=[f.order_link("freephone-fan", "+80012345678")])
    html = agent_client.get(customer_url("freephone-fan")).content.decode()
    assert "?phone=%2B80012345678&amp;country=" in html
    results = agent_client.get(reverse("lookup:search"), {"phone": "+80012345678", "country": ""})
    assert [m.customer_id for m in results.context["results"].matches] == ["freephone-fan"]


def test_unknown_addresses_get_a_plain_404(agent_client, db):
    response = agent_client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing at this address." in html and "Resolver404" not in html


def test_login_form_says_what_is_missing(client, db):
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert 'id="id_username_error"' in html and "This field is required." in html
