"""POST /api/v1/phone-links: the order service links drop-off phones synchronously."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from lookup.domain import CustomerNotFound, LinkSource
from lookup.events import ACCOUNT_PHONE_FIELD as ACCOUNT_FIELD
from lookup.events import PHONE_FIELD
from lookup.models import ApiClient, AuditEntry
from tests.api.conftest import order_event
from tests.conftest import count_requests
from tests.lookups import details, links_of, search

URL = reverse("api:phone-links")
BRAZIL_MOBILE = "+5511912345678"


def post(client: Client, body, headers: dict[str, str] | None = None):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers or {})


def order_links(table, customer_id: str = "cust-buyer"):
    return [link for link in links_of(customer_id) if link.source is LinkSource.ORDER]


def test_a_new_link_is_created_and_searchable(client, moto_table, order_service):
    response = post(client, order_event(), order_service.headers)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "outcome": "created",
        "created": True,
        "customerId": "cust-buyer",
        "orderId": "ord_1001",
        "phone": {
            "e164": BRAZIL_MOBILE,
            "international": "+55 11 91234-5678",
            "region": "BR",
            "countryName": "Brazil",
            "valid": True,
        },
    }
    page = search(BRAZIL_MOBILE)
    assert [match.customer_id for match in page.matches] == ["cust-buyer"]


def test_the_same_event_twice_is_201_then_200_with_one_record(client, moto_table, order_service):
    first = post(client, order_event(), order_service.headers)
    second = post(client, order_event(), order_service.headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["outcome"] == "already_recorded"
    assert second.json()["created"] is False
    [link] = order_links(moto_table)
    assert link.order_count == 1
    assert link.recent_order_ids == ("ord_1001",)


def test_another_order_with_the_same_number_is_200_updated(client, moto_table, order_service):
    post(client, order_event(), order_service.headers)
    response = post(
        client,
        order_event(id="ord_1002", createdAt="2026-11-21T08:00:00Z"),
        order_service.headers,
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "updated"
    [link] = order_links(moto_table)
    assert link.order_count == 2


def test_calls_are_audited_under_the_client_and_mark_the_key_used(
    client, moto_table, order_service
):
    assert order_service.client.last_used_at is None

    post(client, order_event(), order_service.headers)

    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.API_LINK
    assert entry.api_client == order_service.client
    assert entry.actor == "api:order-service"
    assert (entry.phone, entry.customer_id) == (BRAZIL_MOBILE, "cust-buyer")
    assert "ord_1001" in entry.reason
    assert order_service.refreshed().last_used_at is not None


def test_the_key_is_marked_used_at_most_once_a_minute(client, moto_table, order_service):
    post(client, order_event(id="ord_1"), order_service.headers)
    first = order_service.refreshed().last_used_at

    post(client, order_event(id="ord_2"), order_service.headers)
    assert order_service.refreshed().last_used_at == first  # no write for every call

    ApiClient.objects.filter(pk=order_service.client.pk).update(
        last_used_at=first - timedelta(minutes=2)
    )
    post(client, order_event(id="ord_3"), order_service.headers)
    assert order_service.refreshed().last_used_at > first - timedelta(minutes=2)


def test_a_refused_key_is_logged_with_its_prefix_and_address_never_its_secret(
    client, moto_table, retired_service, caplog
):
    post(client, order_event(), retired_service.headers)

    prefix = retired_service.client.key_prefix
    secret = retired_service.key.split("_", 2)[2]
    [line] = [r.getMessage() for r in caplog.records if "Refused API call" in r.getMessage()]
    assert f"plk_{prefix}_" in line and "127.0.0.1" in line
    assert secret not in caplog.text


def test_a_malformed_key_is_logged_without_repeating_it(client, db, moto_table, caplog):
    post(client, order_event(), {"X-Api-Key": "plk_<script>_secret"})
    [line] = [r.getMessage() for r in caplog.records if "Refused API call" in r.getMessage()]
    assert line.endswith(": a malformed API key") and "<script>" not in line


def test_a_key_whose_secret_has_underscores_is_logged_by_its_id_alone(client, db, caplog):
    # Secrets are URL-safe base64, which has underscores: only the first two split the key.
    post(client, order_event(), {"X-Api-Key": "plk_0123456789ab_not_the_secret"})
    [record] = [r for r in caplog.records if "Refused API call" in r.getMessage()]
    assert record.getMessage() == (
        "Refused API call POST /api/v1/phone-links from 127.0.0.1: "
        "unknown or revoked key plk_0123456789ab_…"
    )
    assert record.levelname == "WARNING"  # a wrong key is worth a look
    assert "not_the_secret" not in caplog.text


def test_a_call_without_a_key_is_logged_as_such_not_as_a_warning(client, db, caplog):
    post(client, order_event(), {})
    [record] = [r for r in caplog.records if "Refused API call" in r.getMessage()]
    assert record.getMessage().endswith(": no API key") and record.levelname == "INFO"


def test_an_unusable_event_is_logged_with_the_client_and_reason_not_the_body(
    client, moto_table, order_service, caplog
):
    bad = order_event(delivery={"dropoff": {"phoneNumber": "call Maria"}})
    post(client, bad, order_service.headers)
    [line] = [r.getMessage() for r in caplog.records if "unusable event" in r.getMessage()]
    assert "order-service" in line and PHONE_FIELD in line
    assert "Maria" not in caplog.text


def test_the_key_is_also_accepted_in_x_api_key(client, moto_table, order_service):
    response = post(client, order_event(), {"X-Api-Key": order_service.key})
    assert response.status_code == 201


def test_a_call_without_a_key_is_told_how_to_send_one(client, db, moto_table):
    error = post(client, order_event()).json()["error"]
    assert error == {
        "code": "missing_api_key",
        "message": "Send your API key as 'Authorization: Bearer <key>' (or 'X-Api-Key').",
    }


def test_each_refusal_says_why_and_carries_its_challenge(client, moto_table, helpdesk):
    wrong = post(client, order_event(), {"X-Api-Key": "plk_0123456789ab_nope"})
    assert wrong.json()["error"]["message"] == "This API key is not valid or has been revoked."
    assert wrong["WWW-Authenticate"] == 'Bearer realm="phone-lookup", error="invalid_token"'
    assert post(client, order_event())["WWW-Authenticate"] == 'Bearer realm="phone-lookup"'
    forbidden = post(client, order_event(), helpdesk.headers)
    assert forbidden.json()["error"]["message"] == (
        "This API key does not have the 'links:write' scope."
    )
    assert forbidden["WWW-Authenticate"] == (
        'Bearer realm="phone-lookup", error="insufficient_scope"'
    )


def test_the_key_may_follow_bearer_after_several_spaces(client, moto_table, order_service):
    # HTTP allows one or more spaces between the scheme and the credentials.
    response = post(client, order_event(), {"Authorization": f"Bearer   {order_service.key}"})
    assert response.status_code == 201


def test_no_csrf_token_is_needed(moto_table, order_service):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, order_event(), order_service.headers).status_code == 201


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Bearer plk_0123456789ab_not-the-secret"}, "invalid_api_key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_api_key"),
        ({"X-Api-Key": "hunter2"}, "invalid_api_key"),
    ],
    ids=["no key", "wrong key", "not a bearer key", "garbage in X-Api-Key"],
)
def test_missing_or_wrong_key_is_401_and_writes_nothing(
    client, moto_table, order_service, headers, code
):
    with count_requests(moto_table) as log:
        response = post(client, order_event(), headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert log.operations == []
    with pytest.raises(CustomerNotFound):
        details("cust-buyer")


def test_the_order_services_key_id_with_another_secret_is_401_and_writes_nothing(
    client, moto_table, order_service
):
    kind, key_id, _ = order_service.key.split("_", 2)
    stranger_secret = ApiClient(name="stranger").issue_key().split("_", 2)[2]

    with count_requests(moto_table) as log:
        response = post(client, order_event(), {"X-Api-Key": f"{kind}_{key_id}_{stranger_secret}"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert log.operations == []
    with pytest.raises(CustomerNotFound):
        details("cust-buyer")
    assert order_service.refreshed().last_used_at is None


def test_a_revoked_key_is_401(client, moto_table, retired_service):
    response = post(client, order_event(), retired_service.headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    with pytest.raises(CustomerNotFound):
        details("cust-buyer")
    assert retired_service.refreshed().last_used_at is None


def test_a_key_without_links_write_is_403_audited_and_writes_nothing(client, moto_table, helpdesk):
    with count_requests(moto_table) as log:
        response = post(client, order_event(), helpdesk.headers)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert "links:write" in response.json()["error"]["message"]
    assert log.operations == []
    with pytest.raises(CustomerNotFound):
        details("cust-buyer")
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.PERMISSION_DENIED
    assert entry.api_client == helpdesk.client
    assert "links:write" in entry.reason


def _without(event: dict, *path: str) -> dict:
    target = event
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return event


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("this is not json", "(body)", "JSON"),
        (b"\xff\xfe{", "(body)", "JSON"),
        ("", "(body)", "JSON"),
        ([order_event()], "(event)", "object"),
        ({**order_event(), "type": "order.cancelled"}, "type", "order.committed"),
        (_without(order_event(), "order"), "order", "required"),
        (order_event(id=""), "order.id", "non-empty"),
        (order_event(customerId=None), "order.customerId", "required"),
        (order_event(customerId="a#b"), "order.customerId", "'#'"),
        (order_event(country="XX"), "order.country", "ISO 3166"),
        (order_event(createdAt="last tuesday"), "order.createdAt", "ISO 8601"),
        (order_event(createdAt="0001-01-01T00:00:00+01:00"), "order.createdAt", "between"),
        (order_event(createdAt="1999-12-31T23:59:59Z"), "order.createdAt", "between"),
        (order_event(createdAt="2999-01-01T00:00:00Z"), "order.createdAt", "clock skew"),
        (order_event(delivery="to the door"), "order.delivery", "object"),
        (order_event(delivery={"dropoff": "desk"}), "order.delivery.dropoff", "object"),
        (order_event(delivery={"dropoff": {"phoneNumber": 11912345678}}), PHONE_FIELD, "string"),
        (order_event(delivery=None, customer=["+55"]), "order.customer", "object"),
        (order_event(delivery=None, customer={"phoneNumber": "n/a"}), ACCOUNT_FIELD, "letters"),
        (order_event(delivery={"dropoff": {"phoneNumber": "call me"}}), PHONE_FIELD, "letters"),
        (order_event(delivery={"dropoff": {"phoneNumber": "12"}}), PHONE_FIELD, "too short"),
    ],
)
def test_a_bad_event_is_400_naming_the_field(client, moto_table, order_service, body, field, words):
    with count_requests(moto_table) as log:
        response = post(client, body, order_service.headers)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_event"
    assert error["field"] == field
    assert words in error["message"]
    assert log.operations == []


def test_wrong_method_is_405_json(client, order_service):
    response = client.get(URL, headers=order_service.headers)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"] == {
        "code": "method_not_allowed",
        "message": "Use POST on this endpoint.",
    }


def test_dynamodb_outage_is_503_json_with_retry_after(client, order_service, monkeypatch, caplog):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")

    response = post(client, order_event(), order_service.headers)

    assert response.status_code == 503
    [line] = [r.getMessage() for r in caplog.records if "directory unavailable" in r.getMessage()]
    prefix = f"Phone directory unavailable (API request {response['X-Request-ID']}): "
    assert line.startswith(prefix) and "127.0.0.1:9" in line  # and what failed
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "directory_unavailable"
    assert not AuditEntry.objects.exists()


def test_an_oversized_body_is_413_json(client, moto_table, order_service, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = post(client, order_event(), order_service.headers)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
