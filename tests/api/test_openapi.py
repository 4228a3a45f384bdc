"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document that matches what the API answers."""

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests import factories as f
from tests.api.conftest import UK_MOBILE, order_event
from tests.lookups import store

URL = reverse("api:openapi")


@pytest.fixture
def document(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def conforms(document: dict, schema_name: str, body: dict) -> list[str]:
    """Errors of `body` against a component schema (the refs resolve inside the document)."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    return [error.message for error in Draft202012Validator(schema).iter_errors(body)]


def test_the_document_is_valid_openapi_3_1_without_a_key(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_the_document_lists_both_endpoints_and_both_ways_to_send_the_key(document):
    assert set(document["paths"]["/api/v1/phone-links"]) == {"post"}
    assert set(document["paths"]["/api/v1/customers"]) == {"get"}
    assert reverse("api:phone-links") in document["paths"]
    assert reverse("api:customers") in document["paths"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerKey"]["scheme"] == "bearer"
    assert schemes["apiKeyHeader"]["name"] == "X-Api-Key"


def test_real_responses_match_the_documented_schemas(
    client, document, moto_table, order_service, helpdesk
):
    store(
        moto_table,
        profiles=[customer := f.profile()],
        links=[f.profile_link(customer.customer_id, UK_MOBILE), f.order_link("nobody", UK_MOBILE)],
    )
    created = client.post(
        reverse("api:phone-links"),
        order_event(),
        content_type="application/json",
        headers=order_service.headers,
    )
    page = client.get(
        reverse("api:customers"), {"phone": UK_MOBILE, "limit": 1}, headers=helpdesk.headers
    )
    refused = client.get(reverse("api:customers"), {"phone": "hello"}, headers=helpdesk.headers)

    assert conforms(document, "OrderCommittedEvent", order_event()) == []
    assert conforms(document, "LinkResult", created.json()) == []
    assert conforms(document, "CustomerPage", page.json()) == []
    assert page.json()["nextCursor"]
    assert conforms(document, "Error", refused.json()) == []
    # And the check can fail: a customer without its id does not conform.
    broken = {**page.json(), "customers": [{"name": "x"}]}
    assert conforms(document, "CustomerPage", broken) != []
