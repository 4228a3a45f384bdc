"""A day and a time written in the page's language with CLDR's patterns (Babel): "6. Dez. 2026,
17:51 UTC" in German, "6 de dez. de 2026 17:51 UTC" in Brazilian Portuguese. Always 24-hour
with the zone named, as the desk writes times in English (lookup/templatetags/desk.py)."""

from datetime import datetime
from functools import cache

from babel.dates import format_datetime

from lookup.languages.locales import language_locale


@cache
def _patterns(language: str) -> tuple[str, str]:
    locale = language_locale(language=language)
    # A day with the month abbreviated, as the locale orders it, and how it joins a day and a
    # time ("{1}, {0}"); both cached: a results page writes dozens of times.
    return str(locale.datetime_skeletons["yMMMd"]), str(locale.datetime_formats["medium"])


def day_local(*, local: datetime, language: str) -> str:
    return format_datetime(local, _patterns(language)[0], locale=language_locale(language=language))


def moment_local(*, local: datetime, zone: str, language: str) -> str:
    joined = _patterns(language)[1]
    day = day_local(local=local, language=language)
    return joined.replace("{1}", day).replace("{0}", f"{local:%H:%M}") + f" {zone}"
