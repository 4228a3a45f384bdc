"""The normalized number every caller handles, its error, and describing a stored key."""

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from lookup.phones.equivalents import old_form_international
from lookup.phones.regions import region_name
from lookup.wording import Words

_E164 = re.compile(r"^\+[1-9][0-9]{2,15}$")


class PhoneNumberError(ValueError):
    """The input cannot be used as a phone number; the message is meant for a person: `str()`
    in English (the API's), `words` for a page to translate (`lookup.words`)."""

    def __init__(self, message: Words | str, **values: object) -> None:
        self.words = message if isinstance(message, Words) else Words(message, values)
        super().__init__(str(self.words))


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


def is_e164(value: str) -> bool:
    """Whether `value` is written as an E.164 key (`+` and up to 15 digits), e.g. a stored one."""
    return bool(_E164.match(value))


def phone_from_e164(e164: str) -> PhoneNumber:
    """Describe a stored E.164 key for display; tolerant of whatever another service wrote."""
    try:
        return phone_describe(phonenumbers.parse(e164, None))
    except NumberParseException:
        from lookup.domain.text import text_copyable  # lookup.domain imports this package

        # Shown as stored, less the bidi and other invisible controls that would reorder the
        # text around it; the key itself (e164) is kept exactly, for links and writes.
        return PhoneNumber(
            e164=e164,
            international=text_copyable(e164),
            region="ZZ",
            country_name="Unknown",
            is_valid=False,
        )


def phone_describe(number: phonenumbers.PhoneNumber) -> PhoneNumber:
    region = phonenumbers.region_code_for_number(
        number
    ) or phonenumbers.region_code_for_country_code(number.country_code)
    is_valid = phonenumbers.is_valid_number(number)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    if not is_valid:
        international = old_form_international(number) or international
    return PhoneNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        international=international,
        region=region,
        country_name=region_name(region),
        is_valid=is_valid,
    )
