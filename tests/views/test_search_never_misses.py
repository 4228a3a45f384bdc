"""Every way a caller's number can be given finds the customer, or the page says where to look.

The country box always holds a deliberate choice; a number read in the wrong country offers the
readings that do find customers; a number stored in an older form (a renumbering's) is found
and labelled; pasted and linked numbers are read as agents get them.
"""

import pytest
from django.urls import reverse

from lookup.models import AuditEntry
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import store

SEARCH = reverse("lookup:search")
DESK = "+442079460018"  # the reception desk of the demo: +44 20 7946 0018
BR_NEW = "+5511987654321"  # +55 11 98765-4321, with the ninth digit
BR_OLD = "+551187654321"  # +55 11 8765-4321, before it


@pytest.fixture
def desk(moto_table):
    """Three customers typed the London reception desk on their orders."""
    people = [f.profile(name=name) for name in ("Sam Carter", "Kim Wu", "Lou Reed")]
    store(moto_table, profiles=people, links=[f.order_link(p.customer_id, DESK) for p in people])
    return people


@pytest.fixture
def ninth_digit(moto_table):
    """Ana has the current form on her profile; Bruno's old record has the form before it."""
    ana, bruno = f.profile(name="Ana Souza", country="BR"), f.profile(name="Bruno Lima")
    store(
        moto_table,
        profiles=[ana, bruno],
        links=[f.profile_link(ana.customer_id, BR_NEW), f.legacy_link(bruno.customer_id, BR_OLD)],
    )
    return ana, bruno


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response


def selected_country(html: str) -> str:
    start = html.index('<select name="country"')
    end = html.index("</select>", start)
    chosen = [part for part in html[start:end].split("<option") if " selected>" in part]
    assert len(chosen) == 1, chosen
    return chosen[0].split('value="')[1].split('"')[0]


# --- the country box ------------------------------------------------------------------------


def test_a_link_without_a_country_uses_the_default_and_shows_it(agent_client, desk, settings):
    settings.DEFAULT_PHONE_REGION = "GB"
    response = search(agent_client, phone="020 7946 0018")
    assert response.context["results"].total == 3
    assert selected_country(response.content.decode()) == "GB"


def test_the_last_searchs_country_is_kept_for_a_link_without_one(agent_client, desk, settings):
    settings.DEFAULT_PHONE_REGION = "US"
    search(agent_client, phone="(11) 91234-5678", country="br")
    response = search(agent_client, phone="+44 20 7946 0018")
    assert selected_country(response.content.decode()) == "BR"
    assert selected_country(agent_client.get(SEARCH).content.decode()) == "BR"


def test_country_codes_are_read_in_any_case(agent_client, desk):
    response = search(agent_client, phone="020 7946 0018", country="gb")
    assert response.context["results"].total == 3


def test_the_business_countries_are_listed_first(agent_client, settings, db):
    settings.PHONE_REGIONS = ["GB", "BR", "MX"]
    html = agent_client.get(SEARCH).content.decode()
    served = html[html.index('<optgroup label="Countries we serve">') : html.index("</optgroup>")]
    assert [part.split('"')[0] for part in served.split('value="')[1:]] == ["GB", "BR", "MX"]
    assert '<optgroup label="All countries">' in html


# --- as softphones, chat and mail give numbers ------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "tel:+442079460018",
        "sip:+442079460018@pbx.example;user=phone",
        "callto:+44 20 7946 0018",
        "+44 20 7946 0018 ext. 12",
        "020 7946 0018;ext=12",
        "Office: 020 7946 0018",
        "\u200b020\u200e 7946\ufeff 0018",
    ],
)
def test_pasted_numbers_are_read(agent_client, desk, given):
    response = search(agent_client, phone=given, country="GB")
    assert response.context["results"].total == 3


def test_the_extension_is_shown_not_searched(agent_client, desk):
    html = search(agent_client, phone="020 7946 0018 x12", country="GB").content.decode()
    assert "Extension 12 (shown, not searched)." in html


def test_two_numbers_pasted_together_are_a_clear_error(agent_client, moto_table):
    html = search(agent_client, phone="07946 095812, 020 7946 0018", country="GB").content.decode()
    assert "Two numbers were pasted" in html


def test_a_screen_pop_link_with_an_unescaped_plus_is_read_as_international(agent_client, desk):
    # What a softphone opens: `+` in a query string is a space unless escaped.
    response = agent_client.get(f"{SEARCH}?phone=+442079460018")
    assert response.context["results"].total == 3


# --- another reading, never a silent miss ------------------------------------------------------


def test_a_national_number_in_the_wrong_country_offers_the_reading_that_finds(
    agent_client, desk, settings
):
    settings.PHONE_REGIONS = ["GB", "BR", "MX", "DE", "IN", "US", "AR"]
    html = search(agent_client, phone="020 7946 0018", country="BR").content.decode()

    assert "No customer for +55 2079460018 (Brazil, not a valid number). Did you mean:" in html
    link = f'href="{SEARCH}?phone=%2B442079460018&amp;country=GB"'
    assert link in html
    assert "+44 20 7946 0018</span>, United Kingdom: 3 customers" in html
    # +91 20 7946 0018 (Delhi) is a valid reading too, but nobody has it: not offered.
    assert "+91 20 7946 0018" not in html


def test_the_recent_countries_are_tried_too(agent_client, desk, settings):
    settings.PHONE_REGIONS = ["BR"]
    search(agent_client, phone="07946 095812", country="GB")  # the agent worked a UK call
    html = search(agent_client, phone="020 7946 0018", country="BR").content.decode()
    assert "United Kingdom: 3 customers" in html


def test_a_valid_number_nobody_has_offers_nothing(agent_client, desk, settings):
    settings.PHONE_REGIONS = ["GB", "BR"]
    html = search(agent_client, phone="020 7946 0019", country="GB").content.decode()
    assert "Did you mean" not in html
    assert "No customer linked to +44 20 7946 0019." in html


def test_an_international_number_that_finds_someone_is_never_reread(
    agent_client, desk, moto_table, settings
):
    settings.PHONE_REGIONS = ["GB", "BR"]
    with count_requests(moto_table) as log:
        html = search(agent_client, phone="+44 20 7946 0018", country="BR").content.decode()
    assert "Did you mean" not in html
    assert log.operations == ["Query", "BatchGetItem"]


def test_an_international_number_nobody_has_is_tried_under_each_business_code(
    agent_client, desk, moto_table, settings
):
    # The ordering apps add their market's code to a number typed without one: the caller
    # gives +55 20 7946 0018, the British app stored +44 20 7946 0018.
    settings.PHONE_REGIONS = ["GB", "BR"]
    with count_requests(moto_table) as log:
        html = search(agent_client, phone="+55 20 7946 0018", country="GB").content.decode()
    assert "Did you mean:" in html
    assert "+44 20 7946 0018</span>, United Kingdom: 3 customers" in html
    # The number itself, then +44 2079460018 (GB's code; BR's is the number itself).
    assert log.numbers_queried == ["+552079460018", "+442079460018"]


def test_a_miss_costs_one_query_per_plausible_reading(agent_client, desk, moto_table, settings):
    settings.PHONE_REGIONS = ["GB", "BR", "IN"]
    with count_requests(moto_table) as log:
        search(agent_client, phone="020 7946 0018", country="BR")
    # The Brazilian reading, then the other valid readings (+44, +91) at once: no profiles to
    # fetch for an empty result.
    assert log.counts == {"Query": 3}


# --- other forms of the same number (renumberings) ---------------------------------------------


def test_a_number_finds_the_customers_of_its_old_form_and_says_so(agent_client, ninth_digit):
    ana, bruno = ninth_digit
    response = search(agent_client, phone="(11) 98765-4321", country="BR")
    results = response.context["results"]
    assert {match.customer_id for match in results.matches} == {ana.customer_id, bruno.customer_id}
    html = response.content.decode()
    assert 'matched as <span class="phone">+55 11 8765-4321</span>, the number before' in html
    assert "Also searched, the same number in another form" in html


def test_the_old_form_finds_the_current_one_both_ways(agent_client, ninth_digit):
    ana, _ = ninth_digit
    html = search(agent_client, phone="(11) 8765-4321", country="BR").content.decode()
    assert "Ana Souza" in html and "the number with the ninth digit" in html


def test_a_search_with_another_form_is_one_query_more_and_one_batch(
    agent_client, ninth_digit, moto_table
):
    with count_requests(moto_table) as log:
        search(agent_client, phone="(11) 98765-4321", country="BR")
    assert log.counts == {"Query": 2, "BatchGetItem": 1}


def test_a_number_without_other_forms_is_still_two_requests(agent_client, desk, moto_table):
    with count_requests(moto_table) as log:
        search(agent_client, phone="020 7946 0018", country="GB")
    assert log.operations == ["Query", "BatchGetItem"]


def test_the_audit_entry_names_the_other_forms_searched(agent_client, ninth_digit):
    search(agent_client, phone="(11) 98765-4321", country="BR")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SEARCH)
    assert (entry.phone, entry.result_count) == (BR_NEW, 2)
    assert entry.reason == f"also searched as {BR_OLD}"


def test_a_brazilian_landline_has_no_other_form(agent_client, moto_table):
    with count_requests(moto_table) as log:
        html = search(agent_client, phone="(11) 3333-4444", country="BR").content.decode()
    assert "Also searched" not in html
    assert "+5511933334444" not in log.numbers_queried  # no ninth digit for a landline
    assert log.numbers_queried[0] == "+551133334444"


def test_the_customer_page_lists_a_number_with_its_other_form(agent_client, moto_table):
    carla = f.profile(name="Carla Dias", country="BR")
    store(
        moto_table,
        profiles=[carla],
        links=[
            f.order_link(carla.customer_id, "+447700900123"),
            f.legacy_link(carla.customer_id, BR_OLD),
            f.profile_link(carla.customer_id, BR_NEW),
        ],
    )
    response = agent_client.get(reverse("lookup:customer", args=[carla.customer_id]))
    rows = [row.link.phone for row in response.context["details"].links]
    assert rows.index(BR_OLD) == rows.index(BR_NEW) + 1  # grouped, the current form first
    assert "same number as above: the number before the ninth digit" in response.content.decode()
