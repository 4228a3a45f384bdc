"""What the desk keeps in the agent's session: the country of their last search and the few
countries they searched with lately. The top bar's search box reads national numbers with the
same country as the search page (`lookup.context_processors`)."""

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

COUNTRY_SESSION_KEY = "lookup.country"
RECENT_COUNTRIES_SESSION_KEY = "lookup.recent_countries"
_RECENT_COUNTRIES = 5


def country_last(*, session: SessionBase) -> str:
    """The country of the agent's last search, else DEFAULT_PHONE_REGION."""
    return session.get(COUNTRY_SESSION_KEY, settings.DEFAULT_PHONE_REGION)


def countries_recent(*, session: SessionBase) -> list[str]:
    """The countries the agent searched with lately, the latest first."""
    return session.get(RECENT_COUNTRIES_SESSION_KEY, [])


def countries_remember(*, session: SessionBase, country: str) -> list[str]:
    """Keep the country for the agent's next search, and their recent countries (the last few
    they searched with, tried when a national number finds nobody)."""
    known = session.get(RECENT_COUNTRIES_SESSION_KEY, [])
    recent = list(dict.fromkeys([country, *known]))[:_RECENT_COUNTRIES]
    # Only a change is written: a session saved on every search is a database write each time.
    if session.get(COUNTRY_SESSION_KEY) != country:
        session[COUNTRY_SESSION_KEY] = country
    if recent != known:
        session[RECENT_COUNTRIES_SESSION_KEY] = recent
    return recent
