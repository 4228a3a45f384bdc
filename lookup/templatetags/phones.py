from django import template

from lookup.phones import region_name

register = template.Library()


@register.filter
def country_name(code: str | None) -> str:
    """`{{ profile.country|country_name }}`: "BR" -> "Brazil"; "Unknown" when missing."""
    return region_name(code.upper()) if code else "Unknown"
