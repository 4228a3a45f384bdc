from django import template
from django.utils.translation import pgettext

from lookup.phones import phone_from_e164, region_name

register = template.Library()


@register.filter
def country_name(code: str | None) -> str:
    """`{{ profile.country|country_name }}`: "BR" -> "Brazil"; "Unknown" when missing."""
    return region_name(code.upper()) if code else pgettext("missing value", "Unknown")


@register.filter
def international(e164: str) -> str:
    """`{{ equivalent.e164|international }}`: "+551187654321" -> "+55 11 8765-4321"."""
    return phone_from_e164(e164).international
