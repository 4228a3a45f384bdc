"""The staleness policy as the selectors apply it: as of now, with the configured threshold."""

from django.conf import settings

from lookup.domain.ranking import Freshness
from lookup.domain.times import utc_now


def freshness() -> Freshness:
    """The staleness policy as of now (`STALE_LINK_AFTER_DAYS`)."""
    return Freshness.at(utc_now(), stale_after_days=settings.STALE_LINK_AFTER_DAYS)
