"""Phone number normalization: the one function every path (search, ingestion, demo data) uses.

DESIGN.md section 2: parse with the caller's region, accept what `is_possible_number` allows,
key by E.164. Validity is reported, not required, because agents must find what customers
actually typed.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult, geocoder

# Characters people use when writing a number down. Anything else (letters above all: we do not
# want phonenumbers' vanity-number conversion of "1-800-FLOWERS") is refused with a clear reason.
_ALLOWED = re.compile(r"^[0-9+\-().\s/]+$")
_SEPARATORS = re.compile(r"[\s\-().\/]")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
# phonenumbers only knows the chosen region's own international prefix; callers and order forms
# use both common ones whatever country they are in.
_INTERNATIONAL_PREFIX = re.compile(r"^(?:00|011)(?=[1-9])")
_MAX_INPUT_LENGTH = 40
_E164 = re.compile(r"^\+[1-9][0-9]{2,15}$")


class PhoneNumberError(ValueError):
    """The input cannot be used as a phone number; the message is meant for a person."""


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A normalized number: `e164` is the storage key, the rest is for display."""

    e164: str
    international: str
    region: str
    country_name: str
    is_valid: bool

    @property
    def selectable_region(self) -> str:
        """The region as a search-form choice; "" for non-geographic ones such as +800."""
        return self.region if self.region in phonenumbers.SUPPORTED_REGIONS else ""


def phone_normalize(*, raw: str, region: str) -> PhoneNumber:
    """Normalize what a person typed (or an order carried) into a `PhoneNumber`.

    `region` (ISO 3166 alpha-2) reads national formats and the country's own international
    prefix; input starting with `+` ignores it. `00` and `011` are also read as international
    prefixes whatever the region, when the number does not make sense in the region itself
    (DESIGN.md section 2: "0044…" typed with region US). Raises `PhoneNumberError` with a
    specific reason.
    """
    text = _plain_text(raw)
    if not text:
        raise PhoneNumberError("Enter a phone number.")
    if len(text) > _MAX_INPUT_LENGTH:
        raise PhoneNumberError("That is too long to be a phone number.")
    if any(character.isalpha() for character in text):
        raise PhoneNumberError("A phone number cannot contain letters: type its digits only.")
    if not _ALLOWED.match(text):
        raise PhoneNumberError(
            "A phone number can only contain digits, spaces, '+' and the separators - ( ) . /"
        )
    compact = _SEPARATORS.sub("", text)
    if "+" in compact[1:]:
        raise PhoneNumberError("'+' can only appear at the start of a phone number.")
    if len(compact.lstrip("+")) < 3:
        raise PhoneNumberError("That is too short to be a phone number.")

    region = (region or "").upper()
    readings: list[phonenumbers.PhoneNumber] = []
    first_error: PhoneNumberError | None = None
    candidates = [text]
    if not compact.startswith("+") and _INTERNATIONAL_PREFIX.match(compact):
        candidates.append(_INTERNATIONAL_PREFIX.sub("+", compact, count=1))
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region or None)
        except NumberParseException as exc:
            first_error = first_error or PhoneNumberError(_parse_error_message(exc, region))
            continue
        # is_possible_number() also passes local-only numbers (no area code), whose E.164 form
        # would be a wrong key; ask for the full number instead.
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason == ValidationResult.IS_POSSIBLE:
            readings.append(number)
        else:
            first_error = first_error or PhoneNumberError(_possibility_message(reason, number))
    if not readings:
        assert first_error is not None
        raise first_error
    # The national reading wins unless only the international one is a real number.
    valid = [number for number in readings if phonenumbers.is_valid_number(number)]
    return phone_describe((valid or readings)[0])


def _plain_text(raw: str) -> str:
    """Collapse spaces and map look-alikes (other scripts' digits, dashes) to ASCII."""
    characters = []
    for character in raw or "":
        if character.isdigit() and not character.isascii():
            characters.append(str(unicodedata.digit(character, 0)))
        elif character in _DASHES:
            characters.append("-")
        elif character == "\uff0b":  # full-width plus
            characters.append("+")
        else:
            characters.append(character)
    return " ".join("".join(characters).split())


def is_e164(value: str) -> bool:
    """Whether `value` is written as an E.164 key (`+` and up to 15 digits), e.g. a stored one."""
    return bool(_E164.match(value))


def phone_from_e164(e164: str) -> PhoneNumber:
    """Describe a stored E.164 key for display; tolerant of whatever another service wrote."""
    try:
        return phone_describe(phonenumbers.parse(e164, None))
    except NumberParseException:
        return PhoneNumber(
            e164=e164, international=e164, region="ZZ", country_name="Unknown", is_valid=False
        )


def phone_describe(number: phonenumbers.PhoneNumber) -> PhoneNumber:
    region = phonenumbers.region_code_for_number(
        number
    ) or phonenumbers.region_code_for_country_code(number.country_code)
    return PhoneNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        international=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        region=region,
        country_name=region_name(region),
        is_valid=phonenumbers.is_valid_number(number),
    )


# Regions phonenumbers parses but its geocoder has no English name for.
_MISSING_NAMES = {
    "AC": "Ascension Island",
    "BL": "Saint Barthélemy",
    "EH": "Western Sahara",
    "MF": "Saint Martin",
    "TA": "Tristan da Cunha",
    "XK": "Kosovo",
    "MK": "North Macedonia",
}


@cache
def region_name(region: str) -> str:
    """English name of an ISO region code, e.g. "BR" -> "Brazil" ("Unknown" if none)."""
    if region == "001":
        return "International"
    if region in _MISSING_NAMES:
        return _MISSING_NAMES[region]
    example = phonenumbers.example_number(region) if region else None
    if example is None:
        return "Unknown"
    return geocoder.country_name_for_number(example, "en") or region


@cache
def region_choices() -> list[tuple[str, str]]:
    """Every region phonenumbers parses, as choices sorted by name: ("BR", "Brazil (+55)")."""
    choices = [
        (code, f"{region_name(code)} (+{phonenumbers.country_code_for_region(code)})")
        for code in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(choices, key=lambda choice: choice[1])


def _parse_error_message(exc: NumberParseException, region: str) -> str:
    match exc.error_type:
        case NumberParseException.INVALID_COUNTRY_CODE:
            if not region:
                return "Choose a country, or type the number with its international prefix (+)."
            return "That country calling code does not exist. Check the digits after '+'."
        case NumberParseException.TOO_SHORT_NSN | NumberParseException.TOO_SHORT_AFTER_IDD:
            return "That is too short to be a phone number."
        case NumberParseException.TOO_LONG:
            return "That is too long to be a phone number."
        case _:
            return "That does not look like a phone number."


def _possibility_message(reason: int, number: phonenumbers.PhoneNumber) -> str:
    country = region_name(phonenumbers.region_code_for_country_code(number.country_code))
    match reason:
        case ValidationResult.TOO_SHORT:
            return f"That is too short to be a phone number in {country}."
        case ValidationResult.TOO_LONG:
            return f"That is too long to be a phone number in {country}."
        case ValidationResult.INVALID_COUNTRY_CODE:
            return "That country calling code does not exist. Check the digits after '+'."
        case ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            return f"That looks like a local number in {country}: include the area code."
        case _:
            return f"That number has the wrong length for {country}."
