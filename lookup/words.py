"""Translating the `lookup.wording.Words` the Django-free packages hand over, where a page
shows them."""

from django.utils.translation import gettext

from lookup.wording import Words


def words_translate(*, words: Words | str) -> str:
    """`words` in the active language; a plain string is already what the page shows."""
    if not isinstance(words, Words):
        return gettext(words) if words else words
    values = {
        name: words_translate(words=value) if isinstance(value, Words) else str(value)
        for name, value in words.values.items()
    }
    return gettext(words.text).format(**values)
