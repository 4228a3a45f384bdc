from django import template
from django.utils.translation import pgettext

from lookup.languages.countries import country_name as country_name_local
from lookup.phones import phone_from_e164

register = template.Library()


@register.filter
def country_name(code: str | None) -> str:
    """`{{ profile.country|country_name }}`: "BR" -> "Brazil" ("Brasilien" on a German page);
    "Unknown" when missing."""
    return country_name_local(region=code.upper()) if code else pgettext("missing value", "Unknown")


@register.filter
def international(e164: str) -> str:
    """`{{ equivalent.e164|international }}`: "+551187654321" -> "+55 11 8765-4321"."""
    return phone_from_e164(e164).international
