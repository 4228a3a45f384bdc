"""Showing personal data no more than the page needs."""

from django import template
from django.conf import settings

register = template.Library()

MASK = "•••"


@register.filter
def email_in_results(email: str | None) -> str | None:
    """An email as a list of search results shows it: `j•••n@example.com`.

    Enough for an agent to confirm with a caller ("is it j-something-n at example.com?"), not
    enough to copy a list of addresses out of a busy number's results. The customer page, each
    view of which is audited, shows it whole. MASK_EMAILS_IN_RESULTS=false turns this off.
    """
    if not email or not settings.MASK_EMAILS_IN_RESULTS:
        return email
    local, at, domain = str(email).rpartition("@")
    if not at:  # not an address: mask it all but the first character
        local, domain = str(email), ""
    # Two characters or fewer: the last one would give the whole local part away.
    masked = f"{local[:1]}{MASK}" if len(local) <= 2 else f"{local[0]}{MASK}{local[-1]}"
    return f"{masked}@{domain}" if at else masked
