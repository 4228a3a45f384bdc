"""Words the Django-free packages (lookup/domain, lookup/phones) hand to the pages.

Those packages import no Django, so they cannot translate. They write their English text through
`gettext_noop`, the name `makemessages` extracts (so the text is in every catalogue), and hand
over a `Words`: the English text and its values. `str()` of it is the English sentence (the API,
logs and the audit trail keep English); a page translates it with `lookup.words.words_translate`.
This module imports nothing, so any package may use it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    """`message` unchanged; the call marks it for the catalogues."""
    return message


@dataclass(frozen=True, slots=True)
class Words:
    """A sentence for a person: English `text` with `{name}` placeholders, and their values
    (themselves `Words` where a value is a phrase to translate too)."""

    text: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text.format(**{name: str(value) for name, value in self.values.items()})
