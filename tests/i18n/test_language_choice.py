"""Which language a page speaks: the person's choice from the top bar's menu (kept on their
account and applied at each sign-in, by password or single sign-on), else the browser's
Accept-Language, else LANGUAGE_CODE; the identity provider's `locale` sets the first default."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import escape

from lookup.error_pages import server_error
from lookup.models import LanguagePreference
from tests.sso.conftest import sso_sign_in
from tests.sso.provider import AGENT_GROUP

pytestmark = pytest.mark.django_db

SEARCH = reverse("lookup:search")
LANGUAGE = reverse("lookup:language")
COOKIE = settings.LANGUAGE_COOKIE_NAME


def password_sign_in(browser: Client, user) -> None:
    response = browser.post(
        reverse("login"), {"username": user.username, "password": f"{user.username}-password-1"}
    )
    assert response.status_code == 302, response


def sign_out(browser: Client) -> None:
    assert browser.post(reverse("logout")).status_code == 302


def html_lang(response) -> str:
    page = response.content.decode()
    start = page.index("<html lang=") + len('<html lang="')
    return page[start : page.index('"', start)]


def speaks(response, language: str, word) -> bool:
    """The page says it is in `language` and shows the catalogue's words for it."""
    page = response.content.decode()
    return html_lang(response) == language and word(language, "Sign out") in page


def choose(browser: Client, language: str, *, back: str = SEARCH):
    return browser.post(LANGUAGE, {"language": language, "next": back})


# --- the menu --------------------------------------------------------------------------------


def test_the_menu_offers_every_language_named_in_itself_with_the_current_one_selected(
    agent_client,
):
    page = agent_client.get(SEARCH).content.decode()

    assert f'action="{LANGUAGE}"' in page
    for code, name in settings.LANGUAGES:
        selected = " selected" if code == "en" else ""
        assert f'<option value="{code}" lang="{code}"{selected}>{escape(name)}</option>' in page


def test_a_choice_from_the_menu_speaks_at_once_and_is_kept_on_the_account(
    agent_client, agent, word
):
    response = choose(agent_client, "de", back=f"{SEARCH}?phone=123")

    assert response.status_code == 302 and response["Location"] == f"{SEARCH}?phone=123"
    assert LanguagePreference.objects.get(user=agent).language == "de"
    page = agent_client.get(SEARCH)
    assert speaks(page, "de", word)
    assert '<option value="de" lang="de" selected>' in page.content.decode()


def test_the_menu_returns_only_to_this_site(agent_client):
    response = choose(agent_client, "fr", back="https://evil.example/")
    assert response["Location"] == SEARCH


def test_a_language_not_offered_is_refused_with_a_message_and_changes_nothing(agent_client, agent):
    choose(agent_client, "de")
    response = choose(agent_client, "xx")

    assert LanguagePreference.objects.get(user=agent).language == "de"
    page = agent_client.get(response["Location"])
    assert html_lang(page) == "de"
    with translation.override("de"):
        message = translation.gettext("Choose one of the languages in the menu.")
    assert escape(message) in page.content.decode()


def test_the_menu_needs_the_csrf_token(agent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    assert choose(browser, "de").status_code == 403
    assert not LanguagePreference.objects.filter(user=agent).exists()


def test_the_menu_is_a_post_for_signed_in_people():
    assert Client().get(LANGUAGE).status_code == 405
    assert Client().post(LANGUAGE, {"language": "de"}).status_code == 302  # to the login page


# --- the browser's language, then LANGUAGE_CODE --------------------------------------------------


def test_without_a_choice_the_browsers_language_is_spoken(agent, word):
    browser = Client(headers={"accept-language": "es-ES,es;q=0.9,en;q=0.5"})
    password_sign_in(browser, agent)
    assert speaks(browser.get(SEARCH), "es", word)


def test_a_regional_portuguese_gets_its_own_portuguese(agent, word):
    for asked, spoken in (("pt-BR", "pt-br"), ("pt-PT", "pt"), ("pt", "pt")):
        browser = Client(headers={"accept-language": asked})
        browser.force_login(agent)
        assert speaks(browser.get(SEARCH), spoken, word), asked


def test_without_a_choice_or_a_language_the_desk_speaks_language_code(agent, settings, word):
    browser = Client()
    browser.force_login(agent)
    assert html_lang(browser.get(SEARCH)) == "en"
    settings.LANGUAGE_CODE = "fr"
    assert speaks(browser.get(SEARCH), "fr", word)


def test_a_choice_wins_over_the_browsers_language(agent, word):
    browser = Client(headers={"accept-language": "es"})
    password_sign_in(browser, agent)
    choose(browser, "fr")
    assert speaks(browser.get(SEARCH), "fr", word)


# --- sign-in --------------------------------------------------------------------------------


def test_the_choice_survives_signing_out_and_in_and_follows_the_person_to_another_browser(
    agent, word
):
    first = Client()
    password_sign_in(first, agent)
    choose(first, "pt-br")
    sign_out(first)

    # The sign-in page after signing out is still in their language.
    assert html_lang(first.get(reverse("login"))) == "pt-br"
    password_sign_in(first, agent)
    assert speaks(first.get(SEARCH), "pt-br", word)

    elsewhere = Client(headers={"accept-language": "de"})
    password_sign_in(elsewhere, agent)
    assert speaks(elsewhere.get(SEARCH), "pt-br", word)


def test_someone_without_a_choice_does_not_inherit_the_last_persons(agent, lead, word):
    shared_desk = Client(headers={"accept-language": "es"})
    password_sign_in(shared_desk, agent)
    choose(shared_desk, "de")
    sign_out(shared_desk)

    password_sign_in(shared_desk, lead)
    assert speaks(shared_desk.get(SEARCH), "es", word)


# --- single sign-on: the provider's locale ------------------------------------------------------


def test_the_providers_locale_is_the_first_default_and_never_overrides_a_choice(sso, word):
    sso.person_put("lena.locale", groups=[AGENT_GROUP], locale="pt-BR")
    browser = Client(headers={"accept-language": "es"})
    sso_sign_in(browser, sso, login="lena.locale")
    assert speaks(browser.get(SEARCH), "pt-br", word)

    choose(browser, "de")
    sign_out(browser)
    sso.person_put("lena.locale", groups=[AGENT_GROUP], locale="fr-FR")
    sso_sign_in(browser, sso, login="lena.locale")

    assert speaks(browser.get(SEARCH), "de", word)
    user = get_user_model().objects.get(username="lena.locale")
    assert LanguagePreference.objects.get(user=user).language == "de"


def test_the_providers_locale_applies_at_the_first_sign_in_only(sso, word):
    sso.person_put("omar.once", groups=[AGENT_GROUP], locale="fr")
    browser = Client()
    sso_sign_in(browser, sso, login="omar.once")
    sign_out(browser)
    sso.person_put("omar.once", groups=[AGENT_GROUP], locale="de")

    sso_sign_in(browser, sso, login="omar.once")
    assert speaks(browser.get(SEARCH), "fr", word)


def test_a_locale_the_desk_does_not_speak_leaves_the_browsers_language(sso, word):
    sso.person_put("jun.ja", groups=[AGENT_GROUP], locale="ja-JP")
    browser = Client(headers={"accept-language": "de"})
    sso_sign_in(browser, sso, login="jun.ja")

    assert speaks(browser.get(SEARCH), "de", word)
    assert not LanguagePreference.objects.filter(user__username="jun.ja").exists()


# --- the error page renders without context processors --------------------------------------


def explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("explode", explode)]
handler500 = server_error


@override_settings(ROOT_URLCONF="tests.i18n.test_language_choice")
def test_the_500_page_is_in_the_browsers_language(word):
    browser = Client(raise_request_exception=False, headers={"accept-language": "de"})
    response = browser.get("/explode")

    assert response.status_code == 500
    assert html_lang(response) == "de"
    assert word("de", "Something went wrong") in response.content.decode()


# --- the API: machine clients get English whatever their library asks for ------------------


def test_the_api_answers_in_english_whatever_the_accept_language(db):
    english = Client(headers={"accept-language": "en"}).get("/api/v1/no-such-endpoint")
    german = Client(headers={"accept-language": "de"}).get("/api/v1/no-such-endpoint")

    assert german.status_code == 404
    assert german.json() == english.json()
    assert german.get("Content-Language") in (None, "en")
    assert "Accept-Language" not in german.get("Vary", "")
