"""Text from outside: refused when it is input, made harmless when it is already stored.

Input (order events, API parameters) is refused when it holds characters no identifier or phone
number has: unpaired surrogates (not text at all: they cannot be encoded, so a page showing one
fails), NUL and other control characters (PostgreSQL refuses NUL; the rest hide in logs and
terminals). What another service already wrote is read whatever it holds, and made displayable
(`text_displayable`) or storable in the relational database (`text_storable`) instead.
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
