"""The CLDR locale (Babel) each of the desk's languages writes its data with."""

from functools import cache

from babel import Locale
from django.utils import translation

# CLDR's plain "pt" is Brazilian Portuguese; the desk's "pt" is Portugal's (docs/languages.md).
_CLDR = {"pt": "pt_PT", "pt-br": "pt_BR"}


def language_is_english(*, language: str | None) -> bool:
    """English pages keep the desk's own spelling of dates and country names (the source)."""
    return not language or language.split("-")[0] == "en"


@cache
def language_locale(*, language: str) -> Locale:
    """The Babel locale of a Django language code ("pt-br" -> pt_BR, "pt" -> pt_PT)."""
    return Locale.parse(_CLDR.get(language, translation.to_locale(language)))
