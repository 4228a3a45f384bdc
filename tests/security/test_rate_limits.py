"""Rate limits: a person's lookups, an API client's calls, wrong API keys from one address.

In process; tests/security/test_shared_state.py shows the same limits hold across two gunicorn
workers.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lookup.access import rates
from lookup.models import AuditEntry, RateCounter
from tests import factories as f
from tests.api.conftest import UK_MOBILE
from tests.lookups import store

SEARCH = reverse("lookup:search")
CUSTOMERS_API = "/api/v1/customers"
DESK = "+442079460018"


@pytest.fixture
def sam(moto_table):
    person = f.profile(name="Sam", email="sam@example.com")
    store(moto_table, profiles=[person], links=[f.order_link(person.customer_id, DESK)])
    return person


@pytest.fixture
def clock(monkeypatch):
    """The rate counters' clock, to move to the next minute."""
    now = [timezone.now().replace(second=5, microsecond=0)]
    monkeypatch.setattr(rates.timezone, "now", lambda: now[0])
    return now


def test_counts_are_per_identity_and_minute(db, clock):
    decisions = [rates.rate_hit(scope="s", identity="alice", limit=3) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.first_refusal for d in decisions] == [False, False, False, True, False]
    assert decisions[-1].retry_after() == 55  # the minute ends 55 s after hh:mm:05
    assert rates.rate_hit(scope="s", identity="bob", limit=3).allowed
    assert rates.rate_hit(scope="other", identity="alice", limit=3).allowed

    clock[0] += timedelta(minutes=1)
    assert rates.rate_hit(scope="s", identity="alice", limit=3).count == 1
    # The old minute's rows are cleared as new ones open: the table holds active windows only.
    assert RateCounter.objects.count() == 1


def test_retry_after_rounds_up_to_whole_seconds_and_is_never_zero(clock):
    def retry_after(**left) -> int:
        decision = rates.RateDecision(count=4, limit=3, resets_at=clock[0] + timedelta(**left))
        return decision.retry_after(now=clock[0])

    assert retry_after(milliseconds=300) == 1
    assert retry_after(seconds=0) == 1  # the window just ended: retry at once, not "in 0 s"
    assert retry_after(seconds=1, milliseconds=1) == 2


def test_a_limit_of_zero_counts_nothing(db):
    assert all(rates.rate_hit(scope="s", identity="a", limit=0).allowed for _ in range(50))
    assert not RateCounter.objects.exists()


def test_an_agent_past_the_limit_gets_a_429_page_saying_when_to_retry(
    agent_client, sam, settings, clock
):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 3
    customer = reverse("lookup:customer", args=[sam.customer_id])
    for url, params in [(SEARCH, {"phone": DESK, "country": "GB"}), (customer, {})] * 2:
        last = agent_client.get(url, params)
    assert last.status_code == 429
    assert last["Retry-After"] == "55"
    page = last.content.decode()
    assert "more than 3 searches and customer pages in a minute" in page
    assert "in 55 seconds" in page
    assert agent_client.get(SEARCH, {"phone": DESK, "country": "GB"}).status_code == 429

    # The empty search form reads no customer data and is never refused.
    assert agent_client.get(SEARCH).status_code == 200
    clock[0] += timedelta(minutes=1)
    assert agent_client.get(customer).status_code == 200


def test_a_refusal_is_audited_once_per_minute(agent_client, agent, sam, settings, clock):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 2
    for _ in range(6):
        agent_client.get(SEARCH, {"phone": DESK, "country": "GB"})
    refusals = AuditEntry.objects.filter(action=AuditEntry.Action.RATE_LIMITED)
    assert refusals.count() == 1
    assert refusals.get().user == agent
    # Refused searches read nothing, so they are not recorded as searches either.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).count() == 2


def test_one_agents_limit_does_not_slow_another(agent_client, lead_client, sam, settings, clock):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 1
    agent_client.get(SEARCH, {"phone": DESK, "country": "GB"})
    assert agent_client.get(SEARCH, {"phone": DESK, "country": "GB"}).status_code == 429
    assert lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).status_code == 200


def test_the_default_allows_a_busy_agent(settings):
    assert settings.RATE_LIMIT_LOOKUPS_PER_MINUTE == 30


# --- API -----------------------------------------------------------------------------------------


def test_an_api_client_past_its_limit_gets_429_json_with_retry_after(
    helpdesk, moto_table, settings, clock
):
    settings.RATE_LIMIT_API_CALLS_PER_MINUTE = 2
    client = Client()
    params = {"phone": UK_MOBILE, "region": "GB"}
    statuses = [
        client.get(CUSTOMERS_API, params, headers=helpdesk.headers).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 429, 429]
    response = client.get(CUSTOMERS_API, params, headers=helpdesk.headers)
    assert response["Retry-After"] == "55"
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.json()["error"]["message"] == (
        "This API key made more than 2 calls in a minute; retry after 55 s."
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RATE_LIMITED)
    assert entry.api_client == helpdesk.client
    assert entry.reason == "more than 2 API calls in a minute"


def test_each_api_client_has_its_own_budget(helpdesk, order_service, moto_table, settings, clock):
    from tests.api.conftest import order_event

    settings.RATE_LIMIT_API_CALLS_PER_MINUTE = 1
    client = Client()
    client.get(CUSTOMERS_API, {"phone": UK_MOBILE, "region": "GB"}, headers=helpdesk.headers)
    created = client.post(
        "/api/v1/phone-links",
        order_event(),
        content_type="application/json",
        headers=order_service.headers,
    )
    assert created.status_code == 201  # and without a CSRF token, as before


def test_an_address_sending_wrong_keys_is_refused_its_wrong_keys_only(
    helpdesk, order_service, retired_service, moto_table, settings, clock
):
    from tests.api.conftest import order_event

    settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = 3
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    params = {"phone": UK_MOBILE, "region": "GB"}
    wrong = {"Authorization": "Bearer plk_000000000000_guess"}
    statuses = [guesser.get(CUSTOMERS_API, params, headers=wrong).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = guesser.get(CUSTOMERS_API, params, headers=wrong)
    assert refused.status_code == 429 and refused["Retry-After"] == "55"
    assert refused.json()["error"]["code"] == "rate_limited"

    # Valid keys from the same address (an office, a NAT) are served as usual, reads and writes.
    served = guesser.get(CUSTOMERS_API, params, headers=helpdesk.headers)
    assert served.status_code == 200 and served.json()["phone"]["e164"] == UK_MOBILE
    created = guesser.post(
        "/api/v1/phone-links",
        order_event(),
        content_type="application/json",
        headers=order_service.headers,
    )
    assert created.status_code == 201

    # The secret is still checked in full: a real client's prefix with a wrong secret, a
    # revoked key and no key at all stay refused, and a wrong key after a good one too.
    prefix_only = {"Authorization": f"Bearer {helpdesk.key.rsplit('_', 1)[0]}_not-the-secret"}
    for headers in (prefix_only, retired_service.headers, {}, wrong):
        assert guesser.get(CUSTOMERS_API, params, headers=headers).status_code == 429, headers

    # Another address, and the same one a minute later, get the plain 401 again.
    assert Client(REMOTE_ADDR="198.51.100.8").get(CUSTOMERS_API, headers=wrong).status_code == 401
    clock[0] += timedelta(minutes=1)
    assert guesser.get(CUSTOMERS_API, params, headers=wrong).status_code == 401

    entry = AuditEntry.objects.get(action=AuditEntry.Action.RATE_LIMITED)
    assert (entry.client_address, entry.actor) == ("198.51.100.7", "anonymous")


def test_a_wrong_key_limit_of_one_refuses_from_the_second_call(
    helpdesk, moto_table, settings, clock
):
    settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = 1
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    wrong = {"Authorization": "Bearer plk_000000000000_guess"}
    assert guesser.get(CUSTOMERS_API, {"phone": UK_MOBILE}, headers=wrong).status_code == 401
    refused = guesser.get(CUSTOMERS_API, {"phone": UK_MOBILE}, headers=wrong)
    assert refused.status_code == 429
    assert refused.json()["error"]["message"] == (
        "Too many invalid API keys from this address; retry after 55 s."
    )
    # A valid key from the same address is still served: only guesses are refused.
    served = guesser.get(CUSTOMERS_API, {"phone": UK_MOBILE}, headers=helpdesk.headers)
    assert served.status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RATE_LIMITED)
    assert entry.reason == (
        "1 invalid API keys in a minute from this address: its API calls are refused until the "
        "minute is over"
    )


def test_a_wrong_key_limit_of_zero_counts_and_refuses_nothing(helpdesk, moto_table, settings):
    settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = 0
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    wrong = {"Authorization": "Bearer plk_000000000000_guess"}
    statuses = [guesser.get(CUSTOMERS_API, headers=wrong).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    assert (
        guesser.get(CUSTOMERS_API, {"phone": UK_MOBILE}, headers=helpdesk.headers).status_code
        == 200
    )
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RATE_LIMITED).exists()
    assert not RateCounter.objects.filter(key__startswith="api-key-failures:").exists()


def test_calls_with_a_right_key_are_not_key_guesses(helpdesk, moto_table, settings, clock):
    settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = 2
    caller = Client(REMOTE_ADDR="198.51.100.9")
    params = {"phone": UK_MOBILE}
    statuses = {
        caller.get(CUSTOMERS_API, params, headers=helpdesk.headers).status_code for _ in range(4)
    }
    assert statuses == {200}


def test_calls_without_a_key_are_not_key_guesses(db, settings, clock):
    settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = 2
    statuses = {Client().get(CUSTOMERS_API).status_code for _ in range(5)}
    assert statuses == {401}


def test_behind_a_trusted_proxy_the_callers_address_is_counted(
    helpdesk, moto_table, settings, clock
):
    settings.TRUST_PROXY_HEADERS = True
    settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE = 2
    proxy = Client()  # every call arrives from the balancer's address
    wrong = {"Authorization": "Bearer plk_000000000000_guess"}
    for _ in range(3):
        proxy.get(CUSTOMERS_API, headers={**wrong, "X-Forwarded-For": "203.0.113.50"})
    honest = proxy.get(
        CUSTOMERS_API,
        {"phone": UK_MOBILE, "region": "GB"},
        headers={**helpdesk.headers, "X-Forwarded-For": "203.0.113.51"},
    )
    assert honest.status_code == 200
