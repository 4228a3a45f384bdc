"""GET /api/v1/customers: other services find customers by phone."""

from datetime import timedelta

import pytest
from django.urls import reverse

from lookup.domain import LinkChange
from lookup.domain.times import format_timestamp
from lookup.models import ApiClient, AuditEntry
from tests import factories as f
from tests.api.conftest import UK_MOBILE, Caller
from tests.conftest import count_requests
from tests.lookups import store, tombstone

URL = reverse("api:customers")
UK_PHONE = {
    "e164": UK_MOBILE,
    "international": "+44 7946 095812",
    "region": "GB",
    "countryName": "United Kingdom",
    "valid": True,
}


@pytest.fixture
def busy_desk(moto_table):
    """A reception desk number that 23 customers typed on their orders, on different days."""
    customers = [f.profile() for _ in range(23)]
    store(
        moto_table,
        profiles=customers,
        links=[
            f.order_link(customer.customer_id, UK_MOBILE, last_seen=f.NOW - timedelta(days=day))
            for day, customer in enumerate(customers, start=1)
        ],
    )
    return customers


def find(client, caller, **params):
    return client.get(URL, params, headers=caller.headers)


def test_matches_come_with_profile_details_sources_and_last_seen(client, shared_number, helpdesk):
    owner, orderer = shared_number

    response = find(client, helpdesk, phone="07946 095812", region="GB")

    assert response.status_code == 200
    assert response.json() == {
        "phone": UK_PHONE,
        "extension": None,
        "alsoSearched": [],
        "alternatives": [],
        "total": 2,
        "customers": [
            {
                "customerId": owner.customer_id,
                "name": "Harry Evans",
                "email": "harry@example.com",
                "country": "GB",
                "sources": ["profile"],
                "lastSeen": None,
                "possiblyStale": False,
                "supersededSince": None,
                "matchedAs": None,
            },
            {
                "customerId": orderer.customer_id,
                "name": "Lucia Pérez",
                "email": "lucia@example.com",
                "country": "MX",
                "sources": ["order"],
                "lastSeen": "2026-11-10T12:00:00Z",
                "possiblyStale": False,
                "supersededSince": None,
                "matchedAs": None,
            },
        ],
        "nextCursor": None,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"phone": "+44 7946 095812"},
        {"phone": "+44 7946 095812", "region": "BR"},
        {"phone": "0044 7946 095812", "region": "us"},
        {"phone": "011 44 7946 095812", "region": "DE"},
        {"phone": "tel:+44-7946-095812"},
        {"phone": "07946 095812 ext. 3", "region": "gb"},
    ],
)
def test_international_formats_find_the_same_customers(client, shared_number, helpdesk, params):
    body = find(client, helpdesk, **params).json()
    assert body["phone"]["e164"] == UK_MOBILE
    assert body["total"] == 2


def test_a_customer_without_a_profile_is_listed_with_unknown_details(client, moto_table, helpdesk):
    store(moto_table, links=[f.order_link("cust-ghost", UK_MOBILE)])

    [customer] = find(client, helpdesk, phone=UK_MOBILE).json()["customers"]

    assert customer["customerId"] == "cust-ghost"
    assert customer["name"] is customer["email"] is customer["country"] is None


def test_an_unknown_number_is_an_empty_page(client, moto_table, helpdesk):
    response = find(client, helpdesk, phone="+44 20 7946 0018")

    assert response.status_code == 200
    assert response.json()["total"] == 0
    assert response.json()["customers"] == []
    assert response.json()["nextCursor"] is None


def test_pages_follow_the_cursor_to_the_end_in_two_dynamodb_requests_each(
    client, moto_table, busy_desk, helpdesk
):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"phone": UK_MOBILE, "limit": "10"}
        if cursor:
            params["cursor"] = cursor
        with count_requests(moto_table) as log:
            body = find(client, helpdesk, **params).json()
        assert log.counts == {"Query": 1, "BatchGetItem": 1}
        pages += 1
        seen += [customer["customerId"] for customer in body["customers"]]
        assert body["total"] == 23
        cursor = body["nextCursor"]
        if cursor is None:
            break

    assert pages == 3
    # Most recently seen first, every customer exactly once.
    assert seen == [customer.customer_id for customer in busy_desk]


def test_the_page_size_defaults_to_the_search_page_size(client, busy_desk, helpdesk, settings):
    settings.SEARCH_PAGE_SIZE = 20
    body = find(client, helpdesk, phone=UK_MOBILE).json()
    assert len(body["customers"]) == 20
    assert body["nextCursor"]


def test_a_tampered_cursor_is_400(client, busy_desk, helpdesk):
    cursor = find(client, helpdesk, phone=UK_MOBILE, limit="10").json()["nextCursor"]
    tampered = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")

    response = find(client, helpdesk, phone=UK_MOBILE, cursor=tampered)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


def test_a_cursor_for_another_number_is_400(client, busy_desk, helpdesk):
    cursor = find(client, helpdesk, phone=UK_MOBILE, limit="10").json()["nextCursor"]

    response = find(client, helpdesk, phone="+44 20 7946 0018", cursor=cursor)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"
    assert "another phone number" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({}, "phone", "Enter a phone number"),
        ({"phone": "hello", "region": "GB"}, "phone", "cannot contain letters"),
        ({"phone": "12", "region": "GB"}, "phone", "too short"),
        ({"phone": "07946 095812"}, "phone", "international prefix"),
        ({"phone": "+44 7946 095812 99999"}, "phone", "too long"),
        ({"phone": UK_MOBILE, "region": "XX"}, "region", "ISO 3166"),
        ({"phone": UK_MOBILE, "limit": "0"}, "limit", "1 to 100"),
        ({"phone": UK_MOBILE, "limit": "101"}, "limit", "1 to 100"),
        ({"phone": UK_MOBILE, "limit": "ten"}, "limit", "1 to 100"),
        ({"phone": UK_MOBILE, "cursor": "not-a-cursor"}, "cursor", "nextCursor"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    client, moto_table, helpdesk, params, field, words
):
    with count_requests(moto_table) as log:
        response = find(client, helpdesk, **params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_request", field)
    assert words in error["message"]
    assert log.operations == []


def test_searches_are_audited_under_the_client(client, shared_number, helpdesk):
    find(client, helpdesk, phone=UK_MOBILE)

    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.API_SEARCH
    assert entry.api_client == helpdesk.client
    assert (entry.phone, entry.result_count) == (UK_MOBILE, 2)
    assert helpdesk.refreshed().last_used_at is not None


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer plk_0123456789ab_not-the-secret"}, 401),
        ({"X-Api-Key": "plk_0123456789ab_not-the-secret"}, 401),
    ],
    ids=["no key", "wrong bearer key", "wrong X-Api-Key"],
)
def test_missing_or_wrong_key_is_401_and_reads_nothing(
    client, db, moto_table, shared_number, headers, status
):
    with count_requests(moto_table) as log:
        response = client.get(URL, {"phone": UK_MOBILE}, headers=headers)

    assert response.status_code == status
    assert "customers" not in response.json()
    assert log.operations == []
    assert not AuditEntry.objects.exists()


def forged_key(how: str, *, victim: Caller, other: Caller) -> str:
    """A key made of a real client's parts: what someone who read a key id in a log, or holds
    one client's key, could try."""
    kind, key_id, secret = victim.key.split("_", 2)
    if how == "wrong secret":
        return f"{kind}_{key_id}_{ApiClient(name='stranger').issue_key().split('_', 2)[2]}"
    if how == "secret cut short":
        return f"{kind}_{key_id}_{secret[:-1]}"
    return f"{kind}_{other.client.key_prefix}_{secret}"  # another client's key id


@pytest.mark.parametrize("how", ["wrong secret", "secret cut short", "another client's key id"])
@pytest.mark.parametrize("header", ["Authorization", "X-Api-Key"])
def test_a_real_key_id_is_refused_without_its_own_secret(
    client, moto_table, shared_number, helpdesk, dashboard, how, header
):
    key = forged_key(how, victim=helpdesk, other=dashboard)
    headers = {header: f"Bearer {key}" if header == "Authorization" else key}

    with count_requests(moto_table) as log:
        response = client.get(URL, {"phone": UK_MOBILE}, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert "customers" not in response.json()
    assert log.operations == []
    assert not AuditEntry.objects.exists()
    assert helpdesk.refreshed().last_used_at is None
    assert dashboard.refreshed().last_used_at is None


@pytest.mark.parametrize("how", ["no secret", "prefix alone", "another prefix"])
def test_a_key_not_in_the_plk_id_secret_form_is_401(client, moto_table, helpdesk, how):
    kind, key_id, secret = helpdesk.key.split("_", 2)
    key = {
        "no secret": f"{kind}_{key_id}",
        "prefix alone": kind,
        "another prefix": f"sk_{key_id}_{secret}",
    }[how]
    response = client.get(URL, {"phone": UK_MOBILE}, headers={"X-Api-Key": key})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_a_revoked_key_is_401(client, shared_number, retired_service):
    response = find(client, retired_service, phone=UK_MOBILE)
    assert response.status_code == 401
    assert "customers" not in response.json()


def test_the_order_service_cannot_read_customers(client, moto_table, shared_number, order_service):
    with count_requests(moto_table) as log:
        response = find(client, order_service, phone=UK_MOBILE)

    assert response.status_code == 403
    assert "customers:read" in response.json()["error"]["message"]
    assert log.operations == []
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.api_client) == (
        AuditEntry.Action.PERMISSION_DENIED,
        order_service.client,
    )
    # A refusal read nothing: the entry names no number, customer or account.
    assert (entry.phone, entry.customer_id, entry.subject) == ("", "", "")


def test_wrong_method_is_405_json(client, helpdesk):
    response = client.post(URL, {"phone": UK_MOBILE}, headers=helpdesk.headers)

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_dynamodb_outage_is_503_json_with_retry_after(client, helpdesk, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")

    response = find(client, helpdesk, phone=UK_MOBILE)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "directory_unavailable"


def test_unknown_api_paths_are_404_json(client, db):
    response = client.get("/api/v1/customer", {"phone": UK_MOBILE})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_cursor_past_the_end_returns_no_customers_again(client, moto_table, busy_desk, helpdesk):
    """Links unlinked while a client pages must not make the last page repeat."""
    first = find(client, helpdesk, phone=UK_MOBILE, limit="10").json()
    second = find(client, helpdesk, phone=UK_MOBILE, cursor=first["nextCursor"]).json()
    for customer in busy_desk[:10]:
        tombstone(
            customer_id=customer.customer_id,
            phone=UK_MOBILE,
            change=LinkChange(at=f.NOW, by="leo.lead", reason="Reception desk"),
        )

    third = find(client, helpdesk, phone=UK_MOBILE, cursor=second["nextCursor"]).json()

    assert third["total"] == 13
    assert third["customers"] == []
    assert third["nextCursor"] is None


def test_each_match_says_which_form_of_the_number_found_it(client, moto_table, helpdesk):
    store(
        moto_table,
        profiles=[f.profile("cust-ana", name="Ana"), f.profile("cust-bruno", name="Bruno")],
        links=[
            f.profile_link("cust-ana", "+5511987654321"),
            f.legacy_link("cust-bruno", "+551187654321"),
        ],
    )

    body = find(client, helpdesk, phone="(11) 98765-4321", region="br").json()

    assert body["total"] == 2
    [also] = body["alsoSearched"]
    assert (also["e164"], also["rule"]) == ("+551187654321", "br_without_ninth_digit")
    matched = {customer["customerId"]: customer["matchedAs"] for customer in body["customers"]}
    assert matched["cust-ana"] is None
    assert matched["cust-bruno"]["e164"] == "+551187654321"
    assert matched["cust-bruno"]["label"] == "the number before the ninth digit"


def test_a_national_number_nobody_has_lists_the_readings_that_find_customers(
    client, shared_number, helpdesk, settings
):
    settings.PHONE_REGIONS = ["BR", "GB"]
    body = find(client, helpdesk, phone="07946 095812", region="BR").json()
    assert body["total"] == 0 and body["customers"] == []
    [alternative] = body["alternatives"]
    assert (alternative["e164"], alternative["customers"]) == (UK_MOBILE, 2)


def test_a_search_for_a_number_a_lead_unlinked_costs_what_an_unknown_number_costs(
    client, moto_table, helpdesk, lead_client
):
    """The hint at unlinked links is for leads on the search page: the API neither shows it
    nor reads the history it is built from."""
    ana = f.profile(name="Ana Souza")
    store(moto_table, profiles=[ana], links=[f.order_link(ana.customer_id, UK_MOBILE)])
    unlink = reverse("lookup:unlink", args=[ana.customer_id, UK_MOBILE])
    assert lead_client.post(unlink, {"reason": "wrong_customer", "version": 0}).status_code == 302

    with count_requests(moto_table) as unlinked:
        response = find(client, helpdesk, phone=UK_MOBILE)
    with count_requests(moto_table) as unknown:
        find(client, helpdesk, phone="+44 20 7946 0018")

    assert response.status_code == 200
    assert response.json()["customers"] == []
    assert unlinked.counts == unknown.counts


def test_a_customer_whose_number_passed_to_another_says_since_when_and_comes_last(
    client, moto_table, helpdesk
):
    alice, bruno = f.profile(name="Alice Old"), f.profile(name="Bruno New")
    takeover = f.NOW - timedelta(days=100)
    store(
        moto_table,
        profiles=[alice, bruno],
        links=[
            f.order_link(
                alice.customer_id,
                UK_MOBILE,
                first_seen=f.NOW - timedelta(days=400),
                last_seen=f.NOW - timedelta(days=200),
            ),
            f.order_link(bruno.customer_id, UK_MOBILE, first_seen=takeover, last_seen=f.NOW),
        ],
    )

    response = find(client, helpdesk, phone=UK_MOBILE, region="GB")

    customers = response.json()["customers"]
    assert [c["customerId"] for c in customers] == [bruno.customer_id, alice.customer_id]
    assert [c["supersededSince"] for c in customers] == [None, format_timestamp(takeover)]
