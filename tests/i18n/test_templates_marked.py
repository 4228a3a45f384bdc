"""Every word a person reads in templates/ is marked for translation (issue 22).

Each template goes through Django's own Lexer. Text outside {% translate %} and
{% blocktranslate %} is put back together with every other tag and variable replaced by a
letterless placeholder, then read as HTML: a text node, or a human-read attribute, that still
has a letter in it was never marked. A literal fallback (`|default:"this customer"`) is text too.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# A private-use character: no letter, so marked text and {{ values }} never count as unmarked.
PLACEHOLDER = "\ue000"
LETTER = re.compile(r"[^\W\d_]")

# Attributes people read (tooltips, screen readers, empty boxes, images); `data-label` is the
# column name the narrow card layout shows before each cell (static/lookup/app.css).
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label"}
BUTTON_INPUTS = {"submit", "button", "reset"}
LITERAL_FALLBACK = re.compile(r"""\|default(?:_if_none)?:(["'])(.*?)\1""")


def template_paths() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def skeleton(source: str) -> tuple[str, list[str]]:
    """The template's HTML with every tag and variable replaced, and its literal fallbacks."""
    parts: list[str] = []
    fallbacks: list[str] = []
    closing: str | None = None  # the tag that ends the block being skipped
    for token in Lexer(source).tokenize():
        if token.token_type in (TokenType.VAR, TokenType.BLOCK):
            fallbacks += [text for _, text in LITERAL_FALLBACK.findall(token.contents)]
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type == TokenType.VAR:
            parts.append(PLACEHOLDER)
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in ("blocktranslate", "blocktrans"):
                closing = "end" + name
                parts.append(PLACEHOLDER)
            elif name == "comment":
                closing = "endcomment"
            elif name in ("translate", "trans"):
                parts.append(PLACEHOLDER)
    return "".join(parts), fallbacks


class UnmarkedText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.raw_text_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.raw_text_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            read = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            )
            if read and value:
                self.note(f'{name}="{value}"', value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.raw_text_depth:
            self.raw_text_depth -= 1

    def handle_data(self, data):
        if not self.raw_text_depth:
            self.note(data, data)

    def note(self, shown: str, text: str) -> None:
        if LETTER.search(text.replace(PLACEHOLDER, "")):
            self.found.append(" ".join(shown.replace(PLACEHOLDER, "{…}").split()))


def unmarked(source: str) -> list[str]:
    html, fallbacks = skeleton(source)
    parser = UnmarkedText()
    parser.feed(html)
    parser.close()
    return parser.found + [f'|default:"{text}"' for text in fallbacks if LETTER.search(text)]


def test_every_template_is_checked():
    names = {path.relative_to(TEMPLATES).as_posix() for path in template_paths()}
    assert {"base.html", "lookup/search.html", "registration/login.html", "500.html"} <= names


@pytest.mark.parametrize(
    "path", template_paths(), ids=lambda path: path.relative_to(TEMPLATES).as_posix()
)
def test_template_text_is_marked_for_translation(path):
    assert unmarked(path.read_text()) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("<p>Not found</p>", ["Not found"]),
        ('<img src="x.svg" alt="Search">', ['alt="Search"']),
        ('<input type="submit" value="Go">', ['value="Go"']),
        ('<td data-label="Country">{{ x }}</td>', ['data-label="Country"']),
        ('{{ name|default:"this customer" }}', ['|default:"this customer"']),
        ("<p>{% if a %}Unknown{% endif %}</p>", ["Unknown"]),
    ],
)
def test_unmarked_text_is_found(source, expected):
    assert unmarked(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{% load i18n %}<p>{% translate 'Not found' %}</p>",
        '<a title="{% translate "Open" %}" href="/x?a=1&amp;b=2">{{ label }}</a>',
        "<p>{% blocktranslate trimmed %}Page {{ n }} of <b>all</b>{% endblocktranslate %}</p>",
        "<p>{{ a }} · {{ b }} — ({{ c }}): 3</p>",
        '<html lang="en"><input type="hidden" value="1" name="open"></html>',
        "<script>var text = 'words';</script><style>p::before { content: 'words'; }</style>",
        "{# A comment #}{% comment %}more words{% endcomment %}",
        '{% include "x.html" with where="top" %}{{ n|floatformat:"g" }}',
        "{{ message|default:_('Nothing here') }}",
    ],
)
def test_marked_or_unread_text_passes(source):
    assert unmarked(source) == []
