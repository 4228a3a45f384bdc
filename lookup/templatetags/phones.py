from datetime import datetime

from django import template

from lookup.phones import PhoneNumber, phone_from_e164, region_name

register = template.Library()


@register.filter
def phone_info(e164: str) -> PhoneNumber:
    """`{% with number=link.phone|phone_info %}` -> international format, country, validity."""
    return phone_from_e164(e164)


@register.filter
def country_name(code: str | None) -> str:
    return region_name(code.upper()) if code else "Unknown"


@register.filter
def stale_since(link_or_match, stale_before: datetime) -> bool:
    """`{% if link|stale_since:stale_before %}`: possibly stale (see PhoneLink.is_stale)."""
    return link_or_match.is_stale(stale_before)
