"""Country names in the page's language (CLDR, through Babel) and the country box's choices in
that language's order, the business's countries first."""

import unicodedata
from functools import cache

from django.utils import translation

from lookup.languages.locales import language_is_english, language_locale
from lookup.phones import region_choices, region_name
from lookup.phones.regions import regions_ordered


def country_name(*, region: str, language: str | None = None) -> str:
    """The country's name in `language` (default: the page's), "BR" -> "Brasilien" in German;
    the English name where CLDR has none (the "International" +800 numbers, a bad code)."""
    language = language or translation.get_language()
    if language_is_english(language=language):
        return region_name(region)
    return language_locale(language=language).territories.get(region) or region_name(region)


def name_sort_key(name: str) -> tuple[str, str]:
    """A sort key that orders names as a dictionary of the language does at its first level,
    accents and case aside: "Écosse" between "Danemark" and "Égypte", "Österreich" with the O's.

    Python's own order puts every accented capital after "Z". This is not a full collator (PyICU
    is not installed): a letter a language sorts on its own is read as its base letter (Spanish
    "ñ" as "n", where CLDR puts it after "n"); no country name in the desk's languages tells
    the two apart. The name itself breaks ties.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    base = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return base, name.casefold()


@cache
def country_choices_local(*, first: tuple[str, ...], language: str) -> list[tuple[str, str]]:
    """Every region phonenumbers parses, as ("DE", "Alemania (+49)") in `language`, sorted in
    its order; `first` (PHONE_REGIONS) first, in the order given, and not repeated below."""
    if language_is_english(language=language):
        return region_choices(first=first)
    return regions_ordered(
        name=lambda code: country_name(region=code, language=language),
        first=first,
        sort_key=name_sort_key,
    )
