"""`{{ link.source.label|translated }}`: a label the Django-free domain wrote in English (marked
for the catalogues with `lookup.wording.gettext_noop`), in the page's language."""

from django import template

from lookup.wording import Words
from lookup.words import words_translate

register = template.Library()


@register.filter
def translated(value: Words | str | None) -> str:
    return words_translate(words=value) if value else ""
