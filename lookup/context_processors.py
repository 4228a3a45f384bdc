"""What every page's top bar needs: the country the search box reads national numbers with."""

from django.conf import settings
from django.http import HttpRequest

from lookup.desk_session import COUNTRY_SESSION_KEY
from lookup.languages.countries import country_name


def desk(request: HttpRequest) -> dict:
    """The agent's search country (their last search's, else DEFAULT_PHONE_REGION), so the top
    bar's search box says how it reads a number typed without +."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    country = (
        session.get(COUNTRY_SESSION_KEY, settings.DEFAULT_PHONE_REGION)
        if session is not None
        else settings.DEFAULT_PHONE_REGION
    )
    return {
        "desk_country": country,
        "desk_country_name": country_name(region=country) if country else "",
    }
