"""Data written in the page's language: dates and times (the zone named), counts with the
language's separators, country names from CLDR in the country box in the language's order with
the business's countries first. Phone numbers stay international."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from babel import Locale
from babel.dates import format_skeleton
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from lookup.forms import PhoneSearchForm
from lookup.templatetags.desk import day, moment
from tests import factories as f
from tests.lookups import store

AT = datetime(2026, 12, 6, 17, 51, tzinfo=UTC)
CLDR = {"es": "es", "pt-br": "pt_BR", "pt": "pt_PT", "fr": "fr", "de": "de"}


def shown(html: str) -> str:
    return html[html.index(">") + 1 : html.index("</time>")]


def test_english_keeps_the_desks_own_way_of_writing_a_time():
    with translation.override("en"):
        assert shown(moment(AT)) == "6 Dec 2026, 17:51 UTC"
        assert shown(day(AT)) == "6 Dec 2026"


@pytest.mark.parametrize("language", CLDR)
def test_a_time_is_written_in_the_language_with_its_zone(language):
    cldr_day = format_skeleton("yMMMd", AT, locale=CLDR[language])
    with translation.override(language):
        written, day_only = shown(moment(AT)), shown(day(AT))

    assert day_only == cldr_day
    assert written.startswith(cldr_day) and written.endswith(" 17:51 UTC")
    assert "Dec " not in written


def test_a_time_in_another_zone_names_that_zone():
    with translation.override("de"), timezone.override("Europe/Berlin"):
        assert shown(moment(AT)).endswith(" 18:51 CET")


@pytest.mark.parametrize("language", ["en", *CLDR])
def test_counts_have_the_languages_thousands_separator(language):
    results = SimpleNamespace(page=1, num_pages=1234, has_previous=False, has_next=True)
    with translation.override(language):
        html = render_to_string(
            "lookup/_result_pages.html",
            {"results": results, "where": "top", "next_page": SimpleNamespace(results_query="")},
        )
        separator = formats.get_format("THOUSAND_SEPARATOR")
    assert f"1{separator}234" in html


def country_box(language: str) -> list[tuple[str, str]]:
    with translation.override(language):
        groups = PhoneSearchForm(default_country="GB").fields["country"].choices
    return [choice for _, choices in groups for choice in choices]


@pytest.mark.parametrize("language", CLDR)
def test_the_country_box_names_countries_from_cldr_in_the_language(language, settings):
    settings.PHONE_REGIONS = ["BR", "DE"]
    names = Locale.parse(CLDR[language]).territories
    box = country_box(language)

    assert [code for code, _ in box[:2]] == ["BR", "DE"]
    assert box[0][1] == f"{names['BR']} (+55)"
    assert dict(box)["JP"] == f"{names['JP']} (+81)"
    assert [code for code, _ in box].count("DE") == 1


def test_the_country_box_sorts_accented_names_with_their_letter(settings):
    settings.PHONE_REGIONS = ["GB"]
    german = [code for code, _ in country_box("de")]
    french = [code for code, _ in country_box("fr")]

    # "Oman" < "Österreich" < "Pakistan"; code-point order would put Österreich after "Zypern".
    assert german.index("OM") < german.index("AT") < german.index("PK")
    # "Danemark" < "Égypte" < "Espagne".
    assert french.index("DK") < french.index("EG") < french.index("ES")


@pytest.mark.django_db
def test_the_customer_page_names_the_country_in_the_language(agent_client, moto_table, word):
    person = f.profile(name="Lea Braun", country="DE")
    store(
        moto_table, profiles=[person], links=[f.profile_link(person.customer_id, "+4915112345678")]
    )
    agent_client.post(reverse("lookup:language"), {"language": "fr", "next": "/"})

    page = agent_client.get(reverse("lookup:customer", args=[person.customer_id])).content.decode()

    assert f"{Locale.parse('fr').territories['DE']} (DE)" in page
    assert "+49 1511 2345678" in page  # the number as written internationally, in every language
