"""Text from outside: refused when it is input, made harmless when it is already stored.

Input (order events, API parameters) is refused when it holds characters no identifier or phone
number has: unpaired surrogates (not text at all: they cannot be encoded, so a page showing one
fails), NUL and other control characters (PostgreSQL refuses NUL; the rest hide in logs and
terminals); identifiers also refuse bidirectional controls (`identifier_problem`). What another
service already wrote is read whatever it holds, and made displayable (`text_displayable`) or
storable in the relational database (`text_storable`) instead; pages isolate every stored text
(`<bdi>`, `dir="auto"`) and copy ids without bidi and other invisible controls (`text_copyable`).
"""

import unicodedata

REPLACEMENT = "\ufffd"
DISPLAY_LIMIT = 2000  # characters of one stored value a page shows; the rest is elided


def text_problem(value: str) -> str | None:
    """Why `value` cannot be an identifier or a phone field, for a person; None when it can."""
    for character in value:
        category = unicodedata.category(character)
        if category == "Cs":
            return f"contains an unpaired surrogate (U+{ord(character):04X}), which is not text"
        if category == "Cc":
            return f"contains a control character (U+{ord(character):04X})"
    return None


# Characters that reorder the text around them: embeddings and overrides (U+202A-U+202E),
# isolates (U+2066-U+2069) and the marks (LRM, RLM, ALM). An id holding one reads, and copies,
# as something else: "abc\u202edcba" shows as "abcabcd".
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def identifier_problem(value: str) -> str | None:
    """Why `value` cannot be an identifier (an order or customer id), for a person; None when it
    can. An id is copied, pasted and compared by people: no character may reorder it."""
    if (problem := text_problem(value)) is not None:
        return problem
    for character in value:
        if character in BIDI_CONTROLS:
            return (
                f"contains a bidirectional control character (U+{ord(character):04X}), "
                "which changes how the id reads"
            )
    return None


def text_copyable(value: str) -> str:
    """`value` as a copy button copies it: what the page shows, without the invisible format
    and control characters (bidi controls, zero-width spaces, BOMs, NUL) a stored id may hold,
    which would make the pasted id differ from the one the agent read."""
    if value.isascii() and value.isprintable():  # nearly every id: no per-character work
        return value
    return "".join(
        character
        for character in value
        if character not in BIDI_CONTROLS and unicodedata.category(character) not in ("Cf", "Cc")
    )


def text_displayable(value: str, *, limit: int = DISPLAY_LIMIT) -> str:
    """`value` as a page can show it: unpaired surrogates replaced, at most `limit` characters."""
    if not _encodable(value):
        value = "".join(
            REPLACEMENT if unicodedata.category(character) == "Cs" else character
            for character in value
        )
    return value if len(value) <= limit else f"{value[: limit - 1]}…"


def _encodable(value: str) -> bool:
    # Every read of every stored string passes here: the codec (C) says at once what a loop
    # over characters would, as only unpaired surrogates cannot be encoded.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_storable(value: str) -> str:
    """`value` as every supported database can store it: surrogates and NUL replaced."""
    return text_displayable(value, limit=len(value) + 1).replace("\x00", REPLACEMENT)
