"""Equivalent numbers: the forms one subscriber's number takes across a country's plan change.

A search queries the number and every equivalent, and labels each match with the form it came
through, so an uncertain equivalence is visible and never silent. Ingestion rewrites a number to
its current form only where that is certain (`phone_canonical`).

| country   | today's form   | other form     | rule codes (to today's / to the other)       | src |
|-----------|----------------|----------------|----------------------------------------------|-----|
| Brazil    | +5511987654321 | +551187654321  | br_with_ninth_digit / br_without_ninth_digit | [1] |
| Mexico    | +525512345678  | +5215512345678 | mx_without_mobile_1 / mx_with_mobile_1       | [2] |
| Argentina | +5491123456789 | +541123456789  | ar_with_mobile_9 / ar_without_mobile_9       | [3] |
| Benin     | +2290197123456 | +22997123456   | bj_with_01 / bj_without_01                   | [4] |

[1] ANATEL Resolução nº 553 of 14 December 2010: a ninth digit 9 in front of every mobile number,
    area code 11 first (2012), the whole country by November 2016. Only mobiles: a 2-digit area
    code, then an 8-digit subscriber number starting 6-9. Landlines (starting 2-5) are other
    numbers and have no equivalent; nor has a 9-digit mobile whose last 8 digits start 2-5.
[2] IFT, Plan Técnico Fundamental de Numeración (DOF 11 May 2018), in force 3 August 2019:
    10-digit dialling everywhere, no `1` after +52 for mobiles, no 01/044/045 prefixes at home
    (the reader strips those). Covers the 10-digit numbers phonenumbers types as mobile or
    fixed-or-mobile: Mexico's plan no longer tells them apart.
[3] ENACOM's national numbering plan: a mobile is dialled +54 9 <area> <number> from abroad and
    0<area> 15 <number> at home, and records often drop the 9. Not a renumbering: both forms are
    valid (fixed line and mobile), so neither is "current". Only numbers whose 9-form is a valid
    mobile; a landline whose 9-form is not (e.g. +54 670…) has no equivalent.
[4] ARCEP Bénin: 10-digit plan in force 30 November 2024, one prefix `01` in front of every old
    8-digit number whatever the operator, mobile or fixed; covered where the 01 form is valid.

Not covered: Côte d'Ivoire's change from 8 to 10 digits on 31 January 2021 (ARTCI). The prefix
added to an old number (mobiles 07 Orange, 05 MTN, 01 Moov; fixed lines 27, 25, 21) depends on the
operator that held it, not on its digits (ARTCI published a look-up guide because the digits do
not always tell), and stripping the prefix of a number issued since then gives an old number that
may have been someone else's. The reader says how to write an old 8-digit number instead.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from lookup.wording import gettext_noop

_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
# The country codes `_forms` has rules for.
_RENUMBERED = ("+55", "+52", "+54", "+229")
_PLAIN_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


@dataclass(frozen=True, slots=True)
class Equivalent:
    """Another form of a number: its E.164 key, a rule code, words for "matched as …, <label>"
    (English, marked for the catalogues: pages translate it, the API sends it as it is)."""

    e164: str
    rule: str
    label: str


@dataclass(frozen=True, slots=True)
class _Form:
    number: phonenumbers.PhoneNumber
    rule: str
    label: str
    # True when this form is the one the plan change introduced (the number to dial today).
    # Argentina's two forms are both current notations, so neither direction sets it.
    current: bool


def phone_equivalents(*, e164: str) -> tuple[Equivalent, ...]:
    """Every other form a search for `e164` should also query, in both directions (old <-> new).

    () for a number no rule covers, and for anything that is not an E.164 string.
    """
    if _PLAIN_E164.fullmatch(e164) and not e164.startswith(_RENUMBERED):
        return ()  # no rule's country: no parse (a customer page asks this of every number)
    number = _parse(e164)
    if number is None:
        return ()
    seen = {_e164(number)}
    equivalents = []
    for form in _forms(number):
        key = _e164(form.number)
        if key not in seen:
            seen.add(key)
            equivalents.append(Equivalent(e164=key, rule=form.rule, label=form.label))
    return tuple(equivalents)


def phone_canonical(*, e164: str) -> str:
    """The key ingestion stores `e164` under: its current form where that is certain, else itself.

    Certain means the given form is not a valid number in phonenumbers' metadata and the current
    form is a valid mobile: Brazil's 8-digit mobiles, Mexico's `+52 1`, Benin's old 8-digit
    mobiles. Anything valid is kept as given (Argentina's forms without the 9 are valid fixed
    lines, Brazil's 8-digit radio mobiles are still valid), as are Benin's old fixed lines; the
    search finds every form anyway.
    """
    number = _parse(e164)
    if number is None or phonenumbers.is_valid_number(number):
        return e164
    for form in _forms(number):
        if form.current and _is_valid_mobile(form.number):
            return _e164(form.number)
    return e164


def renumbered_current_form(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber | None:
    """The valid current form of an old form phonenumbers no longer accepts, if a rule knows it.

    The reader accepts such old forms (Mexico's `+52 1` is "too long", Benin's 8 digits "too
    short") so that a search for them finds both the old key and the current one.
    """
    for form in _forms(number):
        if form.current and phonenumbers.is_valid_number(form.number):
            return form.number
    return None


def old_form_international(number: phonenumbers.PhoneNumber) -> str | None:
    """An old form written the way people wrote it ("+55 11 8765-4321"), where phonenumbers,
    finding it invalid today, would run its digits together ("+55 1187654321")."""
    for form in _forms(number):
        if not (form.current and phonenumbers.is_valid_number(form.number)):
            continue
        prefix = f"+{number.country_code} "
        current = phonenumbers.format_number(form.number, PhoneNumberFormat.INTERNATIONAL)
        rest = current.removeprefix(prefix)
        match form.rule:
            case "br_with_ninth_digit":  # the ninth digit opens the group after the area code
                area, _, subscriber = rest.partition(" ")
                return f"{prefix}{area} {subscriber[1:]}"
            case "mx_without_mobile_1":
                return f"{prefix}1 {rest}"
            case "bj_with_01":
                return f"{prefix}{rest.removeprefix('01 ')}"
    return None


def _forms(number: phonenumbers.PhoneNumber) -> Iterator[_Form]:
    national = phonenumbers.national_significant_number(number)
    match number.country_code:
        case 55:
            yield from _brazil(national)
        case 52:
            yield from _mexico(national, number)
        case 54:
            yield from _argentina(national, number)
        case 229:
            yield from _benin(national, number)


def _brazil(national: str) -> Iterator[_Form]:
    area, subscriber = national[:2], national[2:]
    if len(subscriber) == 8 and subscriber[0] in "6789":
        newer = _parse(f"+55{area}9{subscriber}")
        if newer is not None and _is_valid_mobile(newer):
            yield _Form(
                newer, "br_with_ninth_digit", gettext_noop("the number with the ninth digit"), True
            )
    elif len(subscriber) == 9 and subscriber[0] == "9" and subscriber[1] in "6789":
        current = _parse(f"+55{national}")
        if current is not None and _is_valid_mobile(current):
            older = _parse(f"+55{area}{subscriber[1:]}")
            if older is not None:
                yield _Form(
                    older,
                    "br_without_ninth_digit",
                    gettext_noop("the number before the ninth digit"),
                    False,
                )


def _mexico(national: str, number: phonenumbers.PhoneNumber) -> Iterator[_Form]:
    if len(national) == 11 and national[0] == "1":
        newer = _parse(f"+52{national[1:]}")
        if newer is not None and _is_valid_mobile(newer):
            yield _Form(
                newer,
                "mx_without_mobile_1",
                gettext_noop("the current form without the mobile 1"),
                True,
            )
    elif len(national) == 10 and _is_valid_mobile(number):
        older = _parse(f"+521{national}")
        if older is not None:
            yield _Form(
                older, "mx_with_mobile_1", gettext_noop("the old mobile form with 1"), False
            )


def _argentina(national: str, number: phonenumbers.PhoneNumber) -> Iterator[_Form]:
    if len(national) == 11 and national[0] == "9" and _is_mobile(number):
        without = _parse(f"+54{national[1:]}")
        if without is not None:
            yield _Form(
                without,
                "ar_without_mobile_9",
                gettext_noop("the number without the mobile 9"),
                False,
            )
    elif len(national) == 10:
        mobile = _parse(f"+549{national}")
        if mobile is not None and _is_mobile(mobile):
            yield _Form(mobile, "ar_with_mobile_9", gettext_noop("the mobile form with 9"), False)


def _benin(national: str, number: phonenumbers.PhoneNumber) -> Iterator[_Form]:
    if len(national) == 8:
        newer = _parse(f"+22901{national}")
        if newer is not None and phonenumbers.is_valid_number(newer):
            yield _Form(
                newer, "bj_with_01", gettext_noop("the current 10-digit number with 01"), True
            )
    elif len(national) == 10 and national.startswith("01") and phonenumbers.is_valid_number(number):
        older = _parse(f"+229{national[2:]}")
        if older is not None:
            yield _Form(
                older, "bj_without_01", gettext_noop("the 8-digit number before 2024"), False
            )


def _is_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """A valid number phonenumbers types as mobile (strictly: Argentina tells them apart)."""
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == PhoneNumberType.MOBILE
    )


def _is_valid_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """Valid and mobile, or valid in a country whose plan no longer separates mobile (Mexico)."""
    return (
        phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _MOBILE_TYPES
    )


def _parse(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except NumberParseException:
        return None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
