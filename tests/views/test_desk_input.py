"""What agents really type and paste on a call: no dead end on a number, spaces that are not a
'+', customer ids in the number box.

The examples are the issue's: a number left on the wrong country, a stored number phonenumbers
calls invalid, a leading space from a spreadsheet, a customer id from the admin tool.
"""

import uuid

import pytest
from django.db.models import Sum
from django.urls import reverse

from lookup.models import AuditEntry, RateCounter
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import store

SEARCH = reverse("lookup:search")
DEMO_REGIONS = ["GB", "BR", "MX", "DE", "IN", "US", "AR"]
DESK = "+442079460018"  # +44 20 7946 0018, the reception desk: 3 customers here
FAMILY = "+5511912345678"  # +55 11 91234-5678, a family phone: 2 customers
DRAMA = "+447700900461"  # +44 7700 900461: Ofcom's drama range, invalid for phonenumbers


@pytest.fixture
def numbers(moto_table, settings):
    """The README's numbers, each with its customers, and the demo's business countries."""
    settings.PHONE_REGIONS = DEMO_REGIONS
    desk = [f.profile(name=name) for name in ("Sam Carter", "Kim Wu", "Lou Reed")]
    family = [f.profile(name=name, country="BR") for name in ("Ana Souza", "Rui Souza")]
    owner = f.profile(name="Olive Owner")
    store(
        moto_table,
        profiles=[*desk, *family, owner],
        links=[
            *(f.order_link(person.customer_id, DESK) for person in desk),
            f.profile_link(family[0].customer_id, FAMILY),
            f.order_link(family[1].customer_id, FAMILY),
            f.profile_link(owner.customer_id, DRAMA),
        ],
    )
    return {"desk": desk, "family": family, "owner": owner}


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response


def offer_link(e164: str, region: str) -> str:
    return f'href="{SEARCH}?phone=%2B{e164[1:]}&amp;country={region}"'


# --- 1. no dead end on a number ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "country", "error", "offered", "region", "shown"),
    [
        (
            "(11) 91234-5678",
            "GB",
            "That is too long to be a phone number in United Kingdom.",
            FAMILY,
            "BR",
            "+55 11 91234-5678</span>, Brazil: 2 customers",
        ),
        (
            "020 7946 0018",
            "US",
            "That is too long to be a phone number in United States.",
            DESK,
            "GB",
            "+44 20 7946 0018</span>, United Kingdom: 3 customers",
        ),
        (
            "5511912345678",
            "GB",
            "That is too long to be a phone number in United Kingdom.",
            FAMILY,
            "BR",
            "+55 11 91234-5678</span>, Brazil: 2 customers",
        ),
    ],
)
def test_a_number_the_chosen_country_cannot_read_offers_the_readings_that_find(
    agent_client, numbers, typed, country, error, offered, region, shown
):
    html = search(agent_client, phone=typed, country=country, open="1").content.decode()
    assert error in html  # still said: the agent learns why
    assert "Did you mean:" in html
    assert offer_link(offered, region) in html
    assert shown in html


def test_a_stored_number_phonenumbers_calls_invalid_is_offered_flagged(agent_client, numbers):
    html = search(agent_client, phone="07700 900461", country="BR").content.decode()
    assert "No customer for +55 7700900461 (Brazil, not a valid number)" in html
    assert offer_link(DRAMA, "GB") in html
    assert "+44 7700 900461</span>, United Kingdom (not a valid number): 1 customer<" in html
    assert "no other reading of what you typed finds one" not in html


def test_a_number_nobody_has_under_any_reading_says_so(agent_client, numbers):
    html = search(agent_client, phone="020 7946 0019", country="GB").content.decode()
    assert "Did you mean" not in html
    assert "No customer linked to +44 20 7946 0019." in html


def test_what_no_reading_can_use_is_an_error_without_a_request(agent_client, numbers, moto_table):
    with count_requests(moto_table) as log:
        html = search(agent_client, phone="call me maybe", country="GB").content.decode()
    assert "A phone number cannot contain letters" in html
    assert "Did you mean" not in html
    assert log.operations == []


def test_a_mobile_typed_in_another_markets_app_is_found_under_that_code(
    agent_client, moto_table, settings
):
    # The Spanish app added +34 to a Portuguese mobile typed without its code.
    settings.PHONE_REGIONS = ["ES", "PT"]
    rita = f.profile(name="Rita Alves", country="PT")
    store(moto_table, profiles=[rita], links=[f.order_link(rita.customer_id, "+34912345678")])
    html = search(agent_client, phone="+351 912 345 678", country="PT").content.decode()
    assert "No customer for +351 912 345 678" in html
    assert offer_link("+34912345678", "ES") in html


# --- what it costs --------------------------------------------------------------------------------


def test_a_first_reading_that_finds_someone_costs_nothing_more(agent_client, numbers, moto_table):
    with count_requests(moto_table) as log:
        search(agent_client, phone="020 7946 0018", country="GB")
        search(agent_client, phone="07700 900461", country="GB")  # invalid, but found: enough
    assert log.operations == ["Query", "BatchGetItem"] * 2


def test_a_miss_costs_one_concurrent_query_per_possible_reading(agent_client, numbers, moto_table):
    with count_requests(moto_table) as log:
        search(agent_client, phone="020 7946 0018", country="BR")
    # The Brazilian reading, then every other possible one at once (valid or not): no
    # profiles are fetched for an empty result.
    # The other readings are queried at once: the order they reach DynamoDB in is the threads'.
    assert log.numbers_queried[0] == "+552079460018"
    assert sorted(log.numbers_queried[1:]) == sorted(
        [
            "+442079460018",  # the national reading in each business country that can read it
            "+492079460018",
            "+912079460018",
            "+542079460018",
            "+522079460018",  # the national number under Mexico's code and the United States'
            "+12079460018",
        ]
    )
    assert log.counts == {"Query": 7}


def test_unreadable_input_costs_only_the_other_readings(agent_client, numbers, moto_table):
    with count_requests(moto_table) as log:
        search(agent_client, phone="(11) 91234-5678", country="GB")
    # Nothing to search in the United Kingdom; the possible readings elsewhere, at once.
    assert sorted(log.numbers_queried) == sorted(
        ["+11912345678", FAMILY, "+4911912345678", "+9111912345678", "+5411912345678"]
    )
    assert log.counts == {"Query": 5}


def test_the_readings_offered_are_on_the_audit_trail(agent_client, numbers):
    search(agent_client, phone="(11) 91234-5678", country="GB")
    search(agent_client, phone="020 7946 0018", country="BR")
    unread, missed = AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).order_by("id")
    assert (unread.phone, unread.result_count) == ("", 0)
    assert unread.reason == (
        f"not a number in GB as typed; other readings finding customers: {FAMILY} (2)"
    )
    assert (missed.phone, missed.result_count) == ("+552079460018", 0)
    assert missed.reason == f"other readings finding customers: {DESK} (3)"


# --- 2. input as agents paste it ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        # A search box sends a typed space as '+', and says it was typed.
        "phone=+020+7946+0018&country=GB&typed=1",
        "phone=020+7946+0018+&country=GB&typed=1",
        "phone=%C2%A0020+7946+0018%C2%A0&country=GB&typed=1",
        "phone=+07700+900461&country=GB&typed=1",
        # A link's '+' is ambiguous: only the reading as a space is a number here.
        "phone=+020+7946+0018&country=GB",
    ],
)
def test_spaces_around_a_number_never_become_a_plus(agent_client, numbers, query):
    response = agent_client.get(f"{SEARCH}?{query}")
    html = response.content.decode()
    assert "country calling code does not exist" not in html
    assert response.context["results"].total_unfiltered >= 1
    assert 'value="+0' not in html  # the box shows what was typed, no '+' added


def test_a_typed_space_is_never_a_plus_even_where_the_plus_would_read(agent_client, numbers):
    # " 4930123456": typed in a search box with the UK chosen it is the British reading (not a
    # valid number); a link's unescaped '+' makes it the valid Berlin number.
    typed = agent_client.get(f"{SEARCH}?phone=+4930123456&country=GB&typed=1")
    linked = agent_client.get(f"{SEARCH}?phone=+4930123456&country=GB")
    assert typed.context["results"].number.e164 == "+444930123456"
    assert typed.context["form"]["phone"].value() == " 4930123456"
    assert linked.context["results"].number.e164 == "+4930123456"


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("phone=+442079460018", 3),  # a softphone's E.164, '+' unescaped
        ("phone=+447700900461&country=BR", 1),  # invalid, yet still the number meant
        ("phone=+5511912345678&country=GB", 2),
    ],
)
def test_a_screen_pop_links_unescaped_plus_still_works(agent_client, numbers, query, total):
    response = agent_client.get(f"{SEARCH}?{query}")
    assert response.context["results"].total_unfiltered == total


def test_a_number_spelled_with_letters_says_which_digits_it_searched(
    agent_client, moto_table, settings
):
    florist = f.profile(name="Fleur Florist", country="US")
    store(
        moto_table, profiles=[florist], links=[f.profile_link(florist.customer_id, "+18003569377")]
    )
    response = search(agent_client, phone="1-800-FLOWERS", country="US")
    assert response.context["results"].total_unfiltered == 1
    assert "Letters read as on a phone keypad: searched 1 800-356-9377." in (
        response.content.decode()
    )


def test_a_signature_gets_the_same_answer_on_one_line_or_several(agent_client, numbers):
    one_line = "Jane Doe – Operations – T: +44 20 7946 0018 – M: +44 7946 095812"
    several = "Jane Doe\nOperations\nT: +44 20 7946 0018\nM: +44 7946 095812"
    answers = [
        search(agent_client, phone=text, country="GB").context["form"].errors["phone"]
        for text in (one_line, several)
    ]
    assert (
        answers[0]
        == answers[1]
        == [
            "Two numbers were pasted (+44 20 7946 0018 and +44 7946 095812): search them one at a "
            "time."
        ]
    )


# --- 6. a customer id in the number box -------------------------------------------------------


@pytest.fixture
def cognito_customer(moto_table):
    customer = f.profile(
        customer_id=f"eu-west-1:{uuid.UUID(int=7, version=4)}", name="Ida Identity"
    )
    store(moto_table, profiles=[customer], links=[f.profile_link(customer.customer_id, DESK)])
    return customer


@pytest.mark.parametrize("pasted", ["{id}", "  {id}\u200b ", "{id}\n"])
def test_a_customer_id_opens_that_customer(agent_client, cognito_customer, moto_table, pasted):
    with count_requests(moto_table) as log:
        response = agent_client.get(
            SEARCH, {"phone": pasted.format(id=cognito_customer.customer_id), "typed": "1"}
        )
    assert log.operations == ["GetItem"]
    assert response.status_code == 302
    assert response["Location"] == reverse("lookup:customer", args=[cognito_customer.customer_id])


def test_an_opened_id_is_one_audited_view_and_one_lookup(
    agent_client, cognito_customer, settings, db
):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 30
    response = agent_client.get(
        SEARCH, {"phone": cognito_customer.customer_id, "open": "1"}, follow=True
    )
    assert "Ida Identity" in response.content.decode()
    views = AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_VIEW)
    assert [entry.customer_id for entry in views] == [cognito_customer.customer_id]
    assert RateCounter.objects.aggregate(total=Sum("count"))["total"] == 1
    # The hand-over is used once: the next view of the page counts again.
    agent_client.get(reverse("lookup:customer", args=[cognito_customer.customer_id]))
    assert RateCounter.objects.aggregate(total=Sum("count"))["total"] == 2


def test_an_unknown_customer_id_is_a_plain_form_error(agent_client, moto_table):
    unknown = str(uuid.UUID(int=8, version=4))
    with count_requests(moto_table) as log:
        response = search(agent_client, phone=unknown)
    assert log.operations == ["GetItem"]
    assert response.context["form"].errors["phone"] == [
        f"No customer has the id {unknown}. This tool searches phone numbers and customer ids: "
        "check the id, or search the caller's number."
    ]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_VIEW).exists()


def test_an_id_needs_the_right_to_view_customers(client, moto_table, newcomer):
    client.force_login(newcomer)
    response = client.get(SEARCH, {"phone": str(uuid.UUID(int=9, version=4))})
    assert response.status_code == 403
