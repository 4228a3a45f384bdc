"""Phone number normalization: the one reading every path (search, ingestion, demo data) uses.

docs/phone-numbers.md: parse with the caller's region, accept what `is_possible_number` allows,
key by E.164. Validity is reported, not required, because agents must find what customers
actually typed. Pasted text is cleaned first (lookup.phones.reading); old forms a renumbering
retired are accepted too (lookup.phones.equivalents), so a search for them finds both keys.
"""

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import (
    CountryCodeSource,
    Leniency,
    NumberParseException,
    PhoneNumberFormat,
    PhoneNumberMatcher,
    ValidationResult,
)

from lookup.phones.equivalents import renumbered_current_form
from lookup.phones.number import PhoneNumber, PhoneNumberError, phone_describe
from lookup.phones.reading import keypad_digits, paste_clean, paste_split, text_plain
from lookup.phones.regions import region_name
from lookup.wording import Words, gettext_noop

# Characters people use when writing a number down. Anything else (letters above all, unless
# they spell a number: lookup.phones.reading.keypad_digits) is refused with a clear reason.
_ALLOWED = re.compile(r"^[0-9+\-().\s/]+$")
_SEPARATORS = re.compile(r"[\s\-().\/]")
# phonenumbers only knows the chosen region's own international prefix; callers and order forms
# use both common ones whatever country they are in.
INTERNATIONAL_PREFIX = re.compile(r"^(?:00|011)(?=[1-9])")
_MAX_INPUT_LENGTH = 40
# Bounds the work done on a paste before it is cleaned (a SIP URI with its host is long).
_MAX_PASTE_LENGTH = 256
# National prefixes a country retired but people still type, by region. Mexico (IFT, in force
# 3 August 2019): 01 for long distance, 044 and 045 for mobiles, each before the 10 digits.
_RETIRED_NATIONAL_PREFIXES = {"MX": re.compile(r"^(?:01|04[45])(?=\d{10}$)")}
# The country code came from the chosen region, not from the digits: a national format.
_NATIONAL_SOURCES = (
    CountryCodeSource.FROM_DEFAULT_COUNTRY,
    CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN,
)


@dataclass(frozen=True, slots=True)
class PhoneReading:
    """What a search makes of its input.

    `extension` is shown, never searched. `national` is True when the region chose the country
    (the input had no '+' and no international prefix): only then can another country's reading
    be what the caller meant. `read_as` is the number as dialled when it was spelled with
    letters ("1-800-356-9377" for "1-800-FLOWERS"), so the page can say which digits it searched.
    """

    number: PhoneNumber
    extension: str | None
    national: bool
    read_as: str | None = None


def phone_read(*, raw: str, region: str) -> PhoneReading:
    """Read what a person typed or pasted (or an order carried) with `region` for national formats.

    `region` (ISO 3166 alpha-2, any case) reads national formats and the country's own
    international prefix; input starting with `+` ignores it. `00` and `011` are also read as
    international prefixes whatever the region, when the number does not make sense in the
    region itself ("0044…" typed with region US). Raises `PhoneNumberError`
    with a specific reason, including when two numbers were pasted at once.
    """
    if len(raw or "") > _MAX_PASTE_LENGTH:
        raise PhoneNumberError(gettext_noop("That is too long to be a phone number."))
    region = (region or "").strip().upper()
    paste = paste_clean(raw=raw)
    dialled = keypad_digits(text=paste.text)
    try:
        if dialled is not None:
            try:
                number, national = text_read(text=dialled, region=region)
            except PhoneNumberError:
                dialled = None  # not a spelled number after all: the letters are refused below
        if dialled is None:
            number, national = text_read(text=paste.text, region=region)
    except PhoneNumberError:
        pieces = _pasted_numbers(raw=raw, region=region)
        if pieces:
            raise PhoneNumberError(_several_numbers_message(pieces)) from None
        raise
    return PhoneReading(
        number=phone_describe(number),
        extension=paste.extension,
        national=national,
        # As the caller would dial it, grouped as the country writes it ("1 800-356-9377").
        read_as=phonenumbers.format_in_original_format(number, region or "ZZ") if dialled else None,
    )


def phone_normalize(*, raw: str, region: str) -> PhoneNumber:
    """The number `raw` stands for (see `phone_read`), without the extension."""
    return phone_read(raw=raw, region=region).number


def text_check(*, text: str) -> str:
    """The digits and leading '+' of cleaned text, or a `PhoneNumberError` saying what is wrong."""
    if not text:
        raise PhoneNumberError(gettext_noop("Enter a phone number."))
    if len(text) > _MAX_INPUT_LENGTH:
        raise PhoneNumberError(gettext_noop("That is too long to be a phone number."))
    if any(character.isalpha() for character in text):
        raise PhoneNumberError(
            gettext_noop("A phone number cannot contain letters: type its digits only.")
        )
    if not _ALLOWED.match(text):
        raise PhoneNumberError(
            gettext_noop(
                "A phone number can only contain digits, spaces, '+' and the separators - ( ) . /"
            )
        )
    compact = _SEPARATORS.sub("", text)
    if "+" in compact[1:]:
        raise PhoneNumberError(gettext_noop("'+' can only appear at the start of a phone number."))
    if len(compact.lstrip("+")) < 3:
        raise PhoneNumberError(gettext_noop("That is too short to be a phone number."))
    return compact


def text_read(*, text: str, region: str) -> tuple[phonenumbers.PhoneNumber, bool]:
    """Read cleaned text in `region` (upper case); the number and whether it was national."""
    compact = text_check(text=text)
    # (text to parse, whether a success is a national reading; None: ask phonenumbers)
    candidates: list[tuple[str, bool | None]] = [(text, None)]
    if not compact.startswith("+"):
        if INTERNATIONAL_PREFIX.match(compact):
            candidates.append((INTERNATIONAL_PREFIX.sub("+", compact, count=1), False))
        retired = _RETIRED_NATIONAL_PREFIXES.get(region)
        if retired and retired.match(compact):
            candidates.append((retired.sub("", compact, count=1), True))

    readings: list[tuple[phonenumbers.PhoneNumber, bool]] = []
    first_error: PhoneNumberError | None = None
    for candidate, national in candidates:
        try:
            number = phonenumbers.parse(candidate, region or None, keep_raw_input=True)
        except NumberParseException as exc:
            first_error = first_error or PhoneNumberError(_parse_error_message(exc, region))
            continue
        # is_possible_number() also passes local-only numbers (no area code), whose E.164 form
        # would be a wrong key; ask for the full number instead, unless the short number is
        # valid as it stands (Canada's 310-xxxx). An old form a renumbering retired ("+52 1 55…"
        # is too long today) is kept: its current form is searched too.
        reason = phonenumbers.is_possible_number_with_reason(number)
        if (
            reason == ValidationResult.IS_POSSIBLE
            or phonenumbers.is_valid_number(number)
            or (
                reason != ValidationResult.IS_POSSIBLE_LOCAL_ONLY
                and renumbered_current_form(number) is not None
            )
        ):
            if national is None:
                national = number.country_code_source in _NATIONAL_SOURCES
            readings.append((number, national))
        else:
            first_error = first_error or PhoneNumberError(_possibility_message(reason, number))
    if not readings:
        assert first_error is not None
        raise first_error
    # The national reading wins unless only another one is a real number.
    valid = [reading for reading in readings if phonenumbers.is_valid_number(reading[0])]
    return (valid or readings)[0]


def _pasted_numbers(*, raw: str, region: str) -> tuple[str, ...]:
    """The numbers in `raw` when it is several pasted together, else ()."""
    pieces = paste_split(raw=raw)
    readable = []
    for piece in pieces if len(pieces) >= 2 else ():
        text = paste_clean(raw=piece).text
        try:
            text_read(text=text, region=region)
        except PhoneNumberError:
            continue
        readable.append(text)
    if len(readable) >= 2:
        return tuple(readable)
    return _numbers_in_words(raw=raw, region=region)


def _numbers_in_words(*, raw: str, region: str) -> tuple[str, ...]:
    """The numbers in text with words around them (a mail signature, on one line or several,
    with or without labels and separators): phonenumbers' own finder, so the layout does not
    change the answer. () unless there are words and at least two different numbers."""
    # Words left once a URI scheme, a label and an extension are peeled off ("tel:" is none).
    if not any(character.isalpha() for character in paste_clean(raw=raw).text):
        return ()
    text = text_plain(raw=raw)
    found: dict[str, str] = {}
    try:
        for match in PhoneNumberMatcher(text, region or None, leniency=Leniency.POSSIBLE):
            e164 = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
            found.setdefault(e164, match.raw_string)
    except Exception:  # noqa: BLE001 - a hint only: the reader's own error stands
        return ()
    return tuple(found.values()) if len(found) >= 2 else ()


def _several_numbers_message(pieces: tuple[str, ...]) -> Words:
    listed = Words(
        gettext_noop("{numbers} and {last}"),
        {"numbers": ", ".join(pieces[:-1]), "last": pieces[-1]},
    )
    if len(pieces) == 2:
        return Words(
            gettext_noop("Two numbers were pasted ({listed}): search them one at a time."),
            {"listed": listed},
        )
    return Words(
        gettext_noop("{count} numbers were pasted ({listed}): search them one at a time."),
        {"count": len(pieces), "listed": listed},
    )


def _parse_error_message(exc: NumberParseException, region: str) -> Words:
    match exc.error_type:
        case NumberParseException.INVALID_COUNTRY_CODE:
            if not region:
                text = gettext_noop(
                    "Choose a country, or type the number with its international prefix (+)."
                )
            else:
                text = gettext_noop(
                    "That country calling code does not exist. Check the digits after '+'."
                )
        case NumberParseException.TOO_SHORT_NSN | NumberParseException.TOO_SHORT_AFTER_IDD:
            text = gettext_noop("That is too short to be a phone number.")
        case NumberParseException.TOO_LONG:
            text = gettext_noop("That is too long to be a phone number.")
        case _:
            text = gettext_noop("That does not look like a phone number.")
    return Words(text)


def _possibility_message(reason: int, number: phonenumbers.PhoneNumber) -> Words:
    country = region_name(phonenumbers.region_code_for_country_code(number.country_code))
    match reason:
        case ValidationResult.TOO_SHORT if _is_old_ivorian(number):
            # Côte d'Ivoire's 2021 change is not mapped (see lookup.phones.equivalents): say what
            # the agent can do instead of a bare "too short".
            text = gettext_noop(
                "Côte d'Ivoire numbers have had 10 digits since January 2021: add the operator's "
                "prefix (mobiles 01 Moov, 05 MTN, 07 Orange; fixed lines 21, 25, 27)."
            )
        case ValidationResult.TOO_SHORT:
            text = gettext_noop("That is too short to be a phone number in {country}.")
        case ValidationResult.TOO_LONG:
            text = gettext_noop("That is too long to be a phone number in {country}.")
        case ValidationResult.INVALID_COUNTRY_CODE:
            text = gettext_noop(
                "That country calling code does not exist. Check the digits after '+'."
            )
        case ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            text = gettext_noop(
                "That looks like a local number in {country}: include the area code."
            )
        case _:
            text = gettext_noop("That number has the wrong length for {country}.")
    return Words(text, {"country": country})


def _is_old_ivorian(number: phonenumbers.PhoneNumber) -> bool:
    return number.country_code == 225 and len(phonenumbers.national_significant_number(number)) == 8
