"""Emails in search results are masked; the audited customer page shows them whole."""

import pytest
from django.urls import reverse

from lookup.templatetags.privacy import email_in_results
from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("john@example.com", "j•••n@example.com"),
        ("jo@example.com", "j•••@example.com"),
        ("j@example.com", "j•••@example.com"),
        ("first.last+tag@mail.example.co.uk", "f•••g@mail.example.co.uk"),
        ('"odd@local"@example.com', '"•••"@example.com'),
        ("not-an-address", "n•••s"),
        ("", ""),
        (None, None),
    ],
)
def test_masking_keeps_enough_to_confirm_with_a_caller(email, shown, settings):
    assert email_in_results(email) == shown


def test_masking_can_be_turned_off(settings):
    settings.MASK_EMAILS_IN_RESULTS = False
    assert email_in_results("john@example.com") == "john@example.com"


@pytest.fixture
def harry(moto_table):
    person = f.profile(name="Harry Evans", email="harry.evans@example.com")
    store(moto_table, profiles=[person], links=[f.order_link(person.customer_id, DESK)])
    return person


@pytest.mark.parametrize("who", ["agent_client", "lead_client", "admin_client_"])
def test_results_mask_the_email_and_the_customer_page_shows_it(request, who, harry):
    browser = request.getfixturevalue(who)
    results = browser.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    html = results.content.decode()
    assert "h•••s@example.com" in html
    assert "harry.evans@example.com" not in html
    page = browser.get(reverse("lookup:customer", args=[harry.customer_id])).content.decode()
    assert "harry.evans@example.com" in page


def test_with_masking_off_results_show_the_whole_email(agent_client, harry, settings):
    settings.MASK_EMAILS_IN_RESULTS = False
    html = agent_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    assert "harry.evans@example.com" in html.content.decode()
