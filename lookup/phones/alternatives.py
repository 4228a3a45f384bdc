"""Other readings of what was typed, so a miss in one country is never a dead end.

"020 7946 0018" left on Brazil reads as +55 2079460018, not a valid number, while 130 customers
share +44 20 7946 0018; "(11) 91234-5678" left on the United Kingdom is no British number at all.
The caller passes the countries worth trying (the business's regions and the agent's recent
countries, and the markets whose ordering apps add their code to a number typed without one);
this module only reads, the caller queries and shows what finds customers.
"""

from collections.abc import Iterable

import phonenumbers

from lookup.phones.normalize import INTERNATIONAL_PREFIX, text_check, text_read
from lookup.phones.number import PhoneNumber, PhoneNumberError, phone_describe
from lookup.phones.reading import keypad_digits, paste_clean
from lookup.phones.regions import region_normalize

# Each reading costs the caller one Query: enough for the business's countries and a few
# recent ones, bounded whatever PHONE_REGIONS holds.
DEFAULT_LIMIT = 12


def phone_other_readings(
    *,
    raw: str,
    region: str,
    regions: Iterable[str],
    markets: Iterable[str] = (),
    limit: int = DEFAULT_LIMIT,
    include_invalid: bool = False,
) -> tuple[PhoneNumber, ...]:
    """The plausible other readings of `raw`, besides the one made with `region`.

    In order: the digits as an international number (a '+' the caller left out, or a `00`/`011`
    prefix), the national reading in each of `regions`, then the national number of the reading
    made under each of `markets`' country codes (an ordering app adds its market's code to a
    number typed without one: a Portuguese mobile typed in the Spanish app is stored as +34…).
    Each once, never the reading already made, at most `limit`. Only valid numbers unless
    `include_invalid`: then every possible number, since what is stored decides and a stored
    number phonenumbers calls invalid still finds its customer. () when `raw` cannot be a number
    at all (letters, two numbers…): the reader's own error says why.
    """
    text = paste_clean(raw=raw).text
    text = keypad_digits(text=text) or text
    try:
        compact = text_check(text=text)
    except PhoneNumberError:
        return ()
    seen: set[str] = set()
    national_number = ""
    try:
        made, _ = text_read(text=text, region=(region or "").strip().upper())
        seen.add(phone_describe(made).e164)
        national_number = phonenumbers.national_significant_number(made)
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
    for code in markets if national_number else ():
        market = region_normalize(code=code)
        if market:
            calling_code = phonenumbers.country_code_for_region(market)
            candidates.append((f"+{calling_code}{national_number}", ""))

    found: list[PhoneNumber] = []
    for candidate, other in candidates:
        if len(found) >= limit:
            break
        try:
            number, _ = text_read(text=candidate, region=other)
        except PhoneNumberError:
            continue
        if not include_invalid and not phonenumbers.is_valid_number(number):
            continue
        described = phone_describe(number)
        if described.e164 not in seen:
            seen.add(described.e164)
            found.append(described)
    return tuple(found)
