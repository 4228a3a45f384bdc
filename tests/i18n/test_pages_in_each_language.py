"""The pages an agent works with, in each language, with the language chosen each way: from the
menu, by the browser's Accept-Language, by the identity provider's `locale` at a first sign-in.
Each asserts `<html lang>` and words taken from the compiled catalogue, never written out here."""

import pytest
from babel.dates import format_skeleton
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from lookup.languages.countries import country_name
from lookup.languages.locales import language_locale
from tests import factories as f
from tests.lookups import store
from tests.sso.conftest import sso_sign_in
from tests.sso.provider import LEAD_GROUP

pytestmark = pytest.mark.django_db

SEARCH = reverse("lookup:search")
DESK = "+442079460018"  # +44 20 7946 0018
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
# The identity provider's spelling of each language (BCP 47, region and all).
CLAIM = {"es": "es-MX", "pt-br": "pt-BR", "pt": "pt-PT", "fr": "fr-FR", "de": "de-DE"}


@pytest.fixture
def desk(moto_table):
    """Three customers typed the London reception desk on their orders."""
    people = [f.profile(name=name) for name in ("Sam Carter", "Kim Wu", "Lou Reed")]
    store(moto_table, profiles=people, links=[f.order_link(p.customer_id, DESK) for p in people])
    return people


@pytest.fixture(params=["menu", "header"])
def agent_in(request, lead, word):
    """A lead's browser speaking `language` in the way the test is parametrized with."""

    def speaking(language: str) -> Client:
        if request.param == "header":
            client = Client(headers={"accept-language": f"{CLAIM[language]},en;q=0.5"})
            client.force_login(lead)
        else:
            client = Client(headers={"accept-language": "en"})
            client.force_login(lead)
            client.post(reverse("lookup:language"), {"language": language, "next": SEARCH})
        return client

    return speaking


def html_lang(page: str) -> str:
    start = page.index('<html lang="') + len('<html lang="')
    return page[start : page.index('"', start)]


def in_language(language: str, text: str, **values) -> str:
    with translation.override(language):
        found = translation.gettext(text)
    assert found != text, f"{text!r} has no {language} translation"
    return found % values if values else found


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_search_page(agent_in, language):
    page = agent_in(language).get(SEARCH).content.decode()

    assert html_lang(page) == language
    assert in_language(language, "Find a customer by phone") in page
    # The country box: the business's country first, named in the language.
    first = page.index("<option", page.index('name="country"'))
    assert (
        escape(country_name(region=settings.PHONE_REGIONS[0], language=language))
        in page[first : page.index("</option>", first)]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_results_page(agent_in, language, desk):
    page = agent_in(language).get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()

    assert html_lang(page) == language
    assert in_language(language, "Customers with a current link come first.") in page
    assert escape(country_name(region="GB", language=language)) in page
    assert "Sam Carter" in page and "+44 20 7946 0018" in page  # data stays as it is


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_did_you_mean(agent_in, language, desk, settings):
    settings.PHONE_REGIONS = ["GB", "BR"]
    response = agent_in(language).get(SEARCH, {"phone": "020 7946 0018", "country": "BR"})
    page = response.content.decode()

    assert html_lang(page) == language
    question = in_language(
        language,
        "No customer for %(phone)s (%(country)s, not a valid number). Did you mean:",
        phone="+55 2079460018",
        country=country_name(region="BR", language=language),
    )
    assert escape(question) in page
    assert f"{escape(country_name(region='GB', language=language))}:" in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unlink_confirmation(agent_in, language, desk):
    sam = desk[0]
    url = reverse("lookup:unlink", args=[sam.customer_id, DESK])
    page = agent_in(language).get(url).content.decode()

    assert html_lang(page) == language
    assert in_language(language, "Customer id") in page
    assert escape(in_language(language, "Unlink %(phone)s", phone=DESK)) in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_429(agent_in, language, desk, settings, monkeypatch):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 1
    # Both requests in one minute of the limit's window, whenever the test runs.
    pinned = timezone.now().replace(second=5, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: pinned)
    client = agent_in(language)
    assert client.get(SEARCH, {"phone": DESK, "country": "GB"}).status_code == 200
    response = client.get(SEARCH, {"phone": DESK, "country": "GB"})
    page = response.content.decode()

    assert response.status_code == 429
    assert html_lang(page) == language
    assert in_language(language, "Sign out") in page
    # The time to come back, in the language: the day as CLDR writes it there, the zone named.
    at = page[page.index("<time datetime=") :]
    at = at[at.index(">") + 1 : at.index("</time>")]
    today = format_skeleton("yMMMd", timezone.now(), locale=language_locale(language=language))
    assert at.startswith(today) and at.endswith(" UTC"), at


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_providers_locale_at_a_first_sign_in(sso, language, desk):
    login = f"lee.{language}"
    sso.person_put(login, groups=[LEAD_GROUP], locale=CLAIM[language])
    client = Client(headers={"accept-language": "en"})
    sso_sign_in(client, sso, login=login)

    page = client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    assert html_lang(page) == language
    assert in_language(language, "Customers with a current link come first.") in page
