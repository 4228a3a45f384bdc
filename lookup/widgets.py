"""The country box, rendered from prebuilt HTML.

Django's Select renders each of its ~245 options through a template of its own, which made the
country box most of a search page's rendering time. Its options are the same on every page
(only which one is selected changes), so they are built once per process and joined.
"""

from functools import cache

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class CountrySelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attributes = {"name": name, **self.build_attrs(self.attrs, attrs)}
        rendered_attributes = "".join(
            str(format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value))
            for key, value in attributes.items()
            if value is not False and value is not None
        )
        options = _options(_frozen(self.choices))
        chosen = options.index.get(str(value or ""))
        parts = list(options.parts)
        if chosen is not None:
            parts[chosen] = parts[chosen].replace('">', '" selected>', 1)
        return mark_safe(f"<select{rendered_attributes}>{''.join(parts)}</select>")  # noqa: S308


class _Options:
    def __init__(self, parts: list[str], index: dict[str, int]) -> None:
        self.parts = parts  # HTML pieces: group openings, options, group closings
        self.index = index  # option value -> its piece


def _frozen(choices) -> tuple:
    return tuple(
        (group, tuple(options) if isinstance(options, list | tuple) else options)
        for group, options in choices
    )


@cache
def _options(choices: tuple) -> _Options:
    parts: list[str] = []
    index: dict[str, int] = {}

    def option(value, label) -> None:
        index[str(value)] = len(parts)
        parts.append(str(format_html('<option value="{}">{}</option>', value, label)))

    for group, options in choices:
        if isinstance(options, tuple):
            parts.append(str(format_html('<optgroup label="{}">', group)))
            for value, label in options:
                option(value, label)
            parts.append("</optgroup>")
        else:
            option(group, options)
    return _Options(parts, index)
