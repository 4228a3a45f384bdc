"""Other readings of a national-format number, so a miss in one country is never silent.

"020 7946 0018" left on Brazil reads as +55 2079460018, not a valid number, while 130 customers
share +44 20 7946 0018. The caller passes the countries worth trying (the business's regions and
the agent's recent countries); this module only reads, the caller queries and shows what finds
customers.
"""

from collections.abc import Iterable

import phonenumbers

from lookup.phones.normalize import INTERNATIONAL_PREFIX, text_check, text_read
from lookup.phones.number import PhoneNumber, PhoneNumberError, phone_describe
from lookup.phones.reading import paste_clean
from lookup.phones.regions import region_normalize

DEFAULT_LIMIT = 5


def phone_other_readings(
    *, raw: str, region: str, regions: Iterable[str], limit: int = DEFAULT_LIMIT
) -> tuple[PhoneNumber, ...]:
    """The plausible other valid readings of `raw`, besides the one made with `region`.

    In order: the digits as an international number (a '+' the caller left out, or a `00`/`011`
    prefix), then the national reading in each of `regions`, in the order given. Only valid
    numbers, each once, never the reading already made, at most `limit`. () when `raw` cannot be
    a number at all (letters, two numbers…): the reader's own error says why.
    """
    text = paste_clean(raw=raw).text
    try:
        compact = text_check(text=text)
    except PhoneNumberError:
        return ()
    seen: set[str] = set()
    try:
        made, _ = text_read(text=text, region=(region or "").strip().upper())
        seen.add(phone_describe(made).e164)
    except PhoneNumberError:
        pass  # the chosen country's reading failed: every other reading is worth offering

    digits = compact.lstrip("+")
    candidates = [(f"+{digits}", "")]
    if INTERNATIONAL_PREFIX.match(digits):
        candidates.append((INTERNATIONAL_PREFIX.sub("+", digits, count=1), ""))
    for code in regions:
        other = region_normalize(code=code)
        if other:
            candidates.append((text, other))

    found: list[PhoneNumber] = []
    for candidate, other in candidates:
        if len(found) >= limit:
            break
        try:
            number, _ = text_read(text=candidate, region=other)
        except PhoneNumberError:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        described = phone_describe(number)
        if described.e164 not in seen:
            seen.add(described.e164)
            found.append(described)
    return tuple(found)
