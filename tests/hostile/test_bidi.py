"""Bidirectional controls in stored text: isolated where shown, never in what is copied.

A right-to-left override (U+202E) in one customer's name, written by another service, must not
reorder the rest of the row (the email, the id, the next cell), and a copy button must copy the
id the agent sees, not one with an invisible override in it. Every page a lead opens over such
records is parsed: each text holding a bidi control must sit inside `<bdi>` or an element with
`dir`, and no copy value, tooltip or title may hold one.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from lookup.domain.text import BIDI_CONTROLS, text_copyable
from tests.hostile.test_hostile_records import _hostile_world

DESK = "+442079460077"
UNLINKED = "+447700900461"  # _hostile_world's unlinked order link
IDENT = "cust-\u202eyub"  # shows as "cust-buy"; the id without the control is "cust-yub"
NAME = "\u202eAli Hassan"  # an override never closed: the rest of the line would flip
EMAIL = "\u2067ali@example.com"  # a right-to-left isolate never closed
REASON = "\u202bwrong number\u202c \u200f"
PHONE = "030\u202e/1234567"  # a stored number no parser reads, shown as stored
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class BidiAudit(HTMLParser):
    """Bidi controls a page shows outside an isolate, and the copy values and tooltips."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, isolates its content)
        self.leaks: list[tuple[str, str]] = []
        self.copies: list[str] = []
        self.attributes: list[tuple[str, str]] = []  # (name, value) people read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "data-copy" in attributes:
            self.copies.append(attributes["data-copy"])
        for name in ("title", "aria-label", "alt", "placeholder", "data-copy"):
            if name in attributes:
                self.attributes.append((name, attributes[name]))
        if tag not in VOID:
            self.open.append((tag, tag == "bdi" or "dir" in attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not any(character in BIDI_CONTROLS for character in data):
            return
        tags = [tag for tag, _ in self.open]
        # A <title> or a form field cannot hold markup: nothing there can be isolated.
        if "title" in tags or "textarea" in tags or not any(iso for _, iso in self.open):
            self.leaks.append(("/".join(tags[-3:]), data))


def audit(response) -> BidiAudit:
    assert response.status_code == 200, response.status_code
    parser = BidiAudit()
    parser.feed(response.content.decode())
    parser.close()
    assert parser.leaks == [], parser.leaks
    for name, value in parser.attributes:
        assert not set(value) & BIDI_CONTROLS, (name, value)
    return parser


def _bidi_in(html: str) -> bool:
    return any(character in BIDI_CONTROLS for character in html)


@pytest.fixture
def hostile(moto_table):
    customer = _hostile_world(moto_table, IDENT, NAME, EMAIL, REASON, PHONE, DESK)
    return customer


def test_every_stored_text_is_isolated_and_copies_without_controls(hostile, lead_client, settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0
    results = lead_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    page = audit(results)
    html = results.content.decode()
    assert _bidi_in(html)  # the hostile name is there, inside its isolate
    assert f'dir="auto">{NAME}</a>' in html
    # The email is masked from its first visible letter, not from an invisible control.
    assert '<span class="email" dir="auto">a•••i@example.com</span>' in html
    # The row's copy button copies the id as shown, without the override.
    assert page.copies == ["cust-yub"]
    assert '<code class="customer-id" dir="auto" title="cust-yub">cust-yub</code>' in html

    customer_url = reverse("lookup:customer", args=[IDENT])  # the stored id finds its page
    customer = lead_client.get(customer_url)
    page = audit(customer)
    html = customer.content.decode()
    assert f"<h1><bdi>{NAME}</bdi></h1>" in html
    assert f"<bdi>{text_copyable(EMAIL)}</bdi>" in html
    assert f"because “<bdi>{REASON}</bdi>”" in html and f"by <bdi>{NAME}</bdi>" in html
    # Customer id, email and the order ids (the name and reason, as _hostile_world stores
    # them) copy as shown; the stored number is shown without its override too.
    assert page.copies[:2] == ["cust-yub", "ali@example.com"]
    assert {text_copyable(NAME), text_copyable(REASON)} <= set(page.copies[2:])
    assert all(copy == text_copyable(copy) for copy in page.copies)
    assert "030/1234567" in html
    assert "<title>Ali Hassan · Support tool</title>" in html

    unlink_url = reverse("lookup:unlink", args=[IDENT, DESK])
    confirm = lead_client.get(unlink_url)
    audit(confirm)
    assert f"from <bdi>{NAME}</bdi>?" in confirm.content.decode()
    done = lead_client.post(
        unlink_url,
        {
            "reason": "other",
            "details": "\u202eticket 4411",  # a lead's own text, shown back to others
            "version": confirm.context["link"].version,
        },
        follow=True,
    )
    html = done.content.decode()
    audit(done)
    assert f"is no longer linked to <bdi>{NAME}</bdi>" in html  # the message after it

    hint = lead_client.get(reverse("lookup:search"), {"phone": DESK, "country": "GB"})
    audit(hint)
    assert "because “<bdi>Other: \u202eticket 4411</bdi>”" in hint.content.decode()

    audit(lead_client.get(reverse("lookup:restore", args=[IDENT, UNLINKED])))


def test_the_checker_finds_a_leak():
    """The audit above must fail if a stored text is shown bare, titled or copied."""
    parser = BidiAudit()
    parser.feed(f"<td><a href='/x'>{NAME}</a> <span class='email' dir='auto'>{EMAIL}</span></td>")
    assert [data for _, data in parser.leaks] == [NAME]
    parser = BidiAudit()
    parser.feed(f"<title>{NAME}</title><button data-copy='{IDENT}'>Copy</button>")
    assert parser.leaks and parser.copies == [IDENT]
