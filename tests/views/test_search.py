"""The search page through Django's test client, on moto."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import store

UK_MOBILE = f.UK_MOBILE
SEARCH = reverse("lookup:search")


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(SEARCH, {"phone": "07946095812", "country": "GB"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_search_page_offers_a_labelled_phone_field_and_country(agent_client, settings):
    settings.DEFAULT_PHONE_REGION = "BR"
    html = agent_client.get(SEARCH).content.decode()
    assert '<label for="id_phone">Phone number</label>' in html
    assert '<label for="id_country">Country</label>' in html
    assert '<option value="BR" selected>Brazil (+55)</option>' in html


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("07946 095812", "GB"),
        ("+44 7946 095812", "BR"),
        ("0044 7946 095812", "US"),
        ("011 44 7946 095812", "DE"),
    ],
)
def test_national_international_and_prefixed_formats_find_the_same_customers(
    agent_client, shared_number, typed, country
):
    response = agent_client.get(SEARCH, {"phone": typed, "country": country})
    html = response.content.decode()
    assert response.status_code == 200
    assert "+44 7946 095812" in html and "United Kingdom" in html
    assert "2 customers linked to this number" in html
    for customer in shared_number:
        assert customer.name in html
        local, _, domain = customer.email.partition("@")
        assert f"{local[0]}•••{local[-1]}@{domain}" in html  # masked in results
        assert reverse("lookup:customer", args=[customer.customer_id]) in html


def test_results_show_country_source_badges_and_last_seen(agent_client, shared_number):
    html = agent_client.get(SEARCH, {"phone": UK_MOBILE, "country": "GB"}).content.decode()
    assert "Mexico" in html
    assert 'class="badge badge-profile">Profile<' in html
    assert 'class="badge badge-order">Order<' in html
    assert "10 Nov 2026" in html  # the order link's last seen date
    # The profile owner is listed first.
    assert html.index("Harry Evans") < html.index("Lucia Pérez")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("hello", "cannot contain letters"),
        ("12", "too short"),
        ("+44 7946 095812 99999", "too long"),
        ("", "Enter a phone number."),
    ],
)
def test_unusable_input_is_a_form_error_and_queries_nothing(
    agent_client, moto_table, typed, message
):
    with count_requests(moto_table) as log:
        response = agent_client.get(SEARCH, {"phone": typed, "country": "GB"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_phone_error"' in html and message in html
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in html
    if typed:
        assert f'value="{typed}"' in html  # what the agent typed is kept for correcting
    assert log.operations == []


def test_unknown_country_is_a_form_error(agent_client, moto_table):
    html = agent_client.get(SEARCH, {"phone": "07946095812", "country": "XX"}).content.decode()
    assert "XX is not a country code: use ISO codes such as GB or BR." in html


def test_number_with_no_customer_says_so(agent_client, moto_table):
    html = agent_client.get(SEARCH, {"phone": "+5511912345678", "country": "GB"}).content.decode()
    assert "No customer linked to +55 11 91234-5678." in html


def test_many_customers_are_paginated(agent_client, moto_table, settings):
    settings.SEARCH_PAGE_SIZE = 10
    customers = [f.profile(name=f"Desk user {n:02d}") for n in range(23)]
    store(
        moto_table,
        profiles=customers,
        links=[f.order_link(c.customer_id, UK_MOBILE) for c in customers],
    )
    first = agent_client.get(SEARCH, {"phone": "07946095812", "country": "GB"}).content.decode()
    assert "23 customers linked to this number — showing 1–10." in first
    assert "Page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = agent_client.get(
        SEARCH, {"phone": UK_MOBILE, "country": "GB", "page": "3"}
    ).content.decode()
    assert "showing 21–23" in last and 'rel="next"' not in last
    assert last.count("Desk user") == 3


def test_chosen_country_is_remembered_for_the_next_search(agent_client, shared_number):
    agent_client.get(SEARCH, {"phone": "(11) 91234-5678", "country": "BR"})
    html = agent_client.get(SEARCH).content.decode()
    assert '<option value="BR" selected>' in html


def test_dynamodb_outage_is_a_friendly_503(agent_client, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    response = agent_client.get(SEARCH, {"phone": UK_MOBILE, "country": "GB"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "Customer data is temporarily unavailable" in html
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html
