"""The strings built in Python reach people in their language (issue 22), the API's do not.

No language menu or `LocaleMiddleware` yet: a request speaks LANGUAGE_CODE, so these tests set
it. English stays as it was (the rest of the suite asserts the English texts).
"""

import pytest
from django.urls import reverse
from django.utils import translation

from lookup.decision_pages import refusal_message
from lookup.domain import LinkAlreadyUnlinked, LinkChange, LinkNotUnlinked
from tests import factories as f
from tests.api.conftest import helpdesk  # noqa: F401 - the API client fixture

SEARCH = reverse("lookup:search")
UK_MOBILE = f.UK_MOBILE


@pytest.fixture(autouse=True)
def _catalogues(compiled) -> None:
    """Every test here reads the compiled catalogues."""


def test_results_rows_speak_german(agent_client, shared_number, settings):
    settings.LANGUAGE_CODE = "de"
    html = agent_client.get(SEARCH, {"phone": UK_MOBILE, "country": "GB"}).content.decode()
    # The card layout's column names, the source badges and the copy button.
    assert '<td data-label="Land">' in html
    assert '<td data-label="Verknüpft über">' in html
    assert 'class="badge badge-profile">Profil<' in html
    assert 'class="badge badge-order">Bestellung<' in html
    assert 'Kopieren<span class="visually-hidden"> Kunden-ID</span>' in html
    assert 'data-label="Country"' not in html and ">Order<" not in html


def test_search_form_and_its_phone_error_speak_spanish(agent_client, moto_table, settings):
    settings.LANGUAGE_CODE = "es"
    html = agent_client.get(SEARCH, {"phone": "12+34", "country": "GB"}).content.decode()
    assert '<label for="id_phone">Número de teléfono</label>' in html
    assert "&#x27;+&#x27; solo puede ir al principio de un número de teléfono." in html
    assert "can only appear" not in html


def test_a_too_short_number_names_its_country_in_the_sentence_of_the_language(
    agent_client, moto_table, settings
):
    settings.LANGUAGE_CODE = "pt-br"
    html = agent_client.get(SEARCH, {"phone": "+44 12", "country": "GB"}).content.decode()
    assert "É curto demais para ser um número de telefone" in html


def test_the_desk_script_carries_its_words_in_the_language(agent_client, moto_table, settings):
    settings.LANGUAGE_CODE = "fr"
    html = agent_client.get(SEARCH).content.decode()
    assert 'data-copied="Copié"' in html
    assert 'data-copy-failed="Impossible de copier\u00a0; sélectionnez le texte."' in html


@pytest.mark.parametrize(
    ("language", "already_active"),
    [
        ("fr", "Ce lien est déjà actif\u00a0; rien à rétablir."),
        ("de", "Diese Verknüpfung ist bereits aktiv; nichts wiederherzustellen."),
    ],
)
def test_a_refused_decision_says_why_in_the_language(language, already_active):
    link = f.order_link("cust-1", UK_MOBILE)
    with translation.override(language):
        assert refusal_message(LinkNotUnlinked(link), before=True) == already_active


def test_an_unlink_refusal_keeps_who_and_when_in_the_sentence_of_the_language():
    link = f.order_link("cust-1", UK_MOBILE, unlink=LinkChange(at=f.NOW, by="ana", reason="x"))
    with translation.override("es"):
        text = refusal_message(LinkAlreadyUnlinked(link), before=True)
    assert text.startswith("<bdi>ana</bdi> ya había desvinculado +44 7946 095812 el ")


def test_the_admin_speaks_brazilian_portuguese(admin_client_, settings):
    settings.LANGUAGE_CODE = "pt-br"
    html = admin_client_.get(reverse("admin:index")).content.decode()
    assert "Administração da Busca por telefone" in html
    assert "Phone lookup administration" not in html


def test_the_api_keeps_its_messages_in_english(client, moto_table, helpdesk, settings):  # noqa: F811
    settings.LANGUAGE_CODE = "de"
    response = client.get(
        reverse("api:customers"), {"phone": "hello", "region": "GB"}, headers=helpdesk.headers
    )
    assert response.status_code == 400
    assert "A phone number cannot contain letters" in response.json()["error"]["message"]
