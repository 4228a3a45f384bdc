"""API clients in the Django admin: Ada creates, revokes and regenerates keys."""

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from lookup.models import ApiClient
from tests.api.conftest import UK_MOBILE

ADD = reverse("admin:lookup_apiclient_add")
CHANGELIST = reverse("admin:lookup_apiclient_changelist")
KEY = re.compile(r"plk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def ada(admin_user) -> Client:
    browser = Client()
    browser.force_login(admin_user)
    return browser


def create(ada: Client, name: str, *scopes: str):
    return ada.post(ADD, {"name": name, "scopes": list(scopes)}, follow=True)


def shown_keys(response) -> list[str]:
    return KEY.findall(response.content.decode())


def search_as(key: str):
    return Client().get(
        reverse("api:customers"), {"phone": UK_MOBILE}, headers={"Authorization": f"Bearer {key}"}
    )


def test_the_add_form_asks_only_for_a_name_and_scope_checkboxes(ada):
    html = ada.get(ADD).content.decode()

    assert 'name="name"' in html
    assert 'type="checkbox" name="scopes" value="links:write"' in html
    assert 'type="checkbox" name="scopes" value="customers:read"' in html
    assert "key_hash" not in html and "key_prefix" not in html


def test_creating_a_client_shows_its_key_once_and_stores_only_a_hash(ada, admin_user):
    response = create(ada, "helpdesk-widget", "customers:read")

    [key] = shown_keys(response)
    assert "cannot be shown again" in response.content.decode()
    client = ApiClient.objects.get(name="helpdesk-widget")
    assert client.scopes == ["customers:read"]
    assert client.is_active and client.created_by == admin_user
    secret = key.split("_", 2)[2]
    assert client.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in ApiClient.objects.values().get().values())
    assert secret not in stored
    assert ApiClient.authenticate(key) == client

    # Never again: not on the list, not on the client's own page.
    change = reverse("admin:lookup_apiclient_change", args=[client.pk])
    for page in (ada.get(CHANGELIST), ada.get(change)):
        html = page.content.decode()
        assert shown_keys(page) == []
        assert client.key_hash not in html
        assert client.key_prefix not in html
    assert re.search(r'value="customers:read"[^>]*checked', ada.get(change).content.decode())


def test_a_client_needs_at_least_one_scope(ada):
    response = create(ada, "nothing-allowed")

    assert response.status_code == 200
    assert not ApiClient.objects.exists()
    assert shown_keys(response) == []


def test_the_list_shows_scopes_status_and_last_use(ada, moto_table):
    [key] = shown_keys(create(ada, "helpdesk-widget", "customers:read"))
    search_as(key)

    html = ada.get(CHANGELIST).content.decode()

    assert "helpdesk-widget" in html
    assert "customers:read" in html
    assert "Last used at" in html
    assert ApiClient.objects.get().last_used_at is not None
    assert 'class="field-last_used_at nowrap">-' not in html  # a date, not the empty "-"


def test_unticking_active_revokes_the_key_at_once(ada, moto_table):
    [key] = shown_keys(create(ada, "helpdesk-widget", "customers:read"))
    client = ApiClient.objects.get()
    assert search_as(key).status_code == 200

    ada.post(
        reverse("admin:lookup_apiclient_change", args=[client.pk]),
        {"name": client.name, "scopes": ["customers:read"]},  # "is_active" unticked
    )

    assert ApiClient.objects.get().is_active is False
    assert search_as(key).status_code == 401


def test_regenerating_a_key_shows_the_new_one_once_and_retires_the_old(ada, moto_table):
    [old_key] = shown_keys(create(ada, "helpdesk-widget", "customers:read"))
    client = ApiClient.objects.get()

    response = ada.post(
        CHANGELIST,
        {"action": "regenerate_key", "_selected_action": [client.pk]},
        follow=True,
    )

    [new_key] = shown_keys(response)
    assert new_key != old_key
    assert search_as(old_key).status_code == 401
    assert search_as(new_key).status_code == 200
    assert shown_keys(ada.get(CHANGELIST)) == []


def test_support_agents_cannot_manage_api_clients(agent):
    browser = Client()
    browser.force_login(agent)
    assert browser.get(ADD).status_code == 302  # not staff: sent to the admin login
    assert not ApiClient.objects.exists()
