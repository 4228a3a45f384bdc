"""Telling a customer id from a phone number in the one search box.

Agents paste customer ids there too: the support teams' admin tool searches by id in the same
box. Customer ids are Cognito ids, written by the users service: a UUID (`7c1e0f6e-…`, the user
pool's `sub`, and the demo's ids), or an identity pool id, the AWS region and a colon before the
UUID (`eu-west-1:7c1e0f6e-…`). That shape is decided before any reading as a number: 32 hex
digits in the 8-4-4-4-12 groups never make a phone number (at most 15 digits), and its letters
are never a number spelled with keypad letters. Anything else is read as a number.
"""

import re
import unicodedata

_CUSTOMER_ID = re.compile(
    r"^(?:[a-z]{2}(?:-[a-z]+)+-\d:)?"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    re.IGNORECASE,
)


def customer_id_parse(*, text: str) -> str | None:
    """The customer id `text` is, as pasted (spaces and invisible characters around it
    dropped, case kept: ids are compared as stored), or None when it is not shaped like one."""
    visible = "".join(
        character for character in text or "" if unicodedata.category(character) != "Cf"
    ).strip()
    return visible if _CUSTOMER_ID.match(visible) else None
