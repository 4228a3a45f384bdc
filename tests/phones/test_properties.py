"""Property tests: every region's example numbers, in every format and however they are pasted,
read back to the same key; nothing anyone types makes the reader raise anything but its own error;
the equivalence rules are symmetric and ingestion's canonical form is stable.

Bounded and derandomized (tests/phones/conftest.py): the same examples on every run.
"""

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from lookup.forms import phone_as_linked
from lookup.phones import (
    PhoneNumberError,
    PhoneReading,
    phone_canonical,
    phone_equivalents,
    phone_other_readings,
    phone_read,
)

FORMATS = (
    PhoneNumberFormat.NATIONAL,
    PhoneNumberFormat.INTERNATIONAL,
    PhoneNumberFormat.E164,
    PhoneNumberFormat.RFC3966,
)
TYPES = [
    value
    for name, value in vars(PhoneNumberType).items()
    if name.isupper() and value != PhoneNumberType.UNKNOWN
]
# (region, E.164 key, the phonenumbers object) for every example of every type of every region.
EXAMPLES = [
    (region, phonenumbers.format_number(example, PhoneNumberFormat.E164), example)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    for kind in TYPES
    if (example := phonenumbers.example_number_for_type(region, kind)) is not None
]
SEPARATORS = [" ", "-", ".", "(", ")", "/", "\u00a0", "\u202f", "\u2013", "\u2212"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u2060", "\u00ad"]
LABELS = [
    "",
    "Mobile: ",
    "Tel.: ",
    "Phone (work) : ",
    "\u200eCell:",
    "Jane Doe\nMobile: ",  # a signature's lines before the number
    "Jane Doe\r\nAcme Ltd\r\nTel: ",
]
# Phone symbols and emoji chat and mail put before a number, and the spaces around a paste.
SYMBOLS = ["", "📞 ", "📞", "☎ ", "☎\ufe0f ", "✆ ", "📱 ", "℡ ", "📞: ", "👋🏽 "]
SPACES = ["", " ", "  ", "\u00a0", "\t", "\u202f"]
EXTENSIONS = [("", None), (" ext. 12", "12"), (" x345", "345"), (";ext=7", "7"), (" #89", "89")]


def test_there_are_examples_for_every_region():
    assert {region for region, _, _ in EXAMPLES} == set(phonenumbers.SUPPORTED_REGIONS)
    assert len(EXAMPLES) > 1000


def test_every_example_number_reads_back_in_every_format():
    misread = []
    for region, e164, example in EXAMPLES:
        for number_format in FORMATS:
            text = phonenumbers.format_number(example, number_format)
            try:
                got = phone_read(raw=text, region=region).number.e164
            except PhoneNumberError as exc:
                got = f"error: {exc}"
            if got != e164:
                misread.append((region, text, got))
    assert misread == []


@st.composite
def pasted_examples(draw):
    """An example number formatted one way, with noise, a label and an extension around it."""
    region, e164, example = draw(st.sampled_from(EXAMPLES))
    text = phonenumbers.format_number(example, draw(st.sampled_from(FORMATS)))
    # Visible separators go inside the number only: "t-el:" is no longer a URI.
    start = len("tel:") if text.startswith("tel:") else 0
    characters = list(text)
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(start, len(characters)))
        characters.insert(position, draw(st.sampled_from(SEPARATORS)))
    # Invisible characters may land anywhere, the URI scheme included.
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(characters)))
        characters.insert(position, draw(st.sampled_from(INVISIBLE)))
    suffix, extension = draw(st.sampled_from(EXTENSIONS))
    label = draw(st.sampled_from(LABELS))
    symbol = draw(st.sampled_from(SYMBOLS))
    before, after = draw(st.sampled_from(SPACES)), draw(st.sampled_from(SPACES))
    pasted = before + label + symbol + "".join(characters) + suffix + after
    return pasted, region, e164, extension


@settings(max_examples=800)
@given(pasted_examples())
def test_pasted_example_numbers_read_back_to_the_same_key(case):
    raw, region, e164, extension = case
    reading = phone_read(raw=raw, region=region.lower())
    assert (reading.number.e164, reading.extension) == (e164, extension)


KEYPAD = {
    "2": "ABC",
    "3": "DEF",
    "4": "GHI",
    "5": "JKL",
    "6": "MNO",
    "7": "PQRS",
    "8": "TUV",
    "9": "WXYZ",
}


@st.composite
def spelled_examples(draw):
    """An example number in E.164 with at least three of its last digits (2-9) spelled with
    keypad letters, as businesses advertise numbers."""
    _, e164, _ = draw(
        st.sampled_from([case for case in EXAMPLES if sum(d in KEYPAD for d in case[1][4:]) >= 3])
    )
    spellable = [i for i, digit in enumerate(e164) if i >= 4 and digit in KEYPAD]
    chosen = draw(st.lists(st.sampled_from(spellable), min_size=3, unique=True))
    characters = list(e164)
    for position in chosen:
        letters = KEYPAD[characters[position]]
        letter = draw(st.sampled_from(letters + letters.lower()))
        characters[position] = letter
    return "".join(characters), e164


@settings(max_examples=400)
@given(spelled_examples(), st.sampled_from(SPACES), st.sampled_from(SYMBOLS))
def test_spelled_example_numbers_are_dialled_back_to_the_same_key(case, space, symbol):
    spelled, e164 = case
    reading = phone_read(raw=space + symbol + spelled + space, region="GB")
    assert reading.number.e164 == e164
    assert "".join(filter(str.isdigit, reading.read_as)) == e164[1:]


@settings(max_examples=400)
@given(st.sampled_from(EXAMPLES), st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
def test_a_links_unescaped_plus_reads_back_to_the_same_key(example, region):
    # "?phone=+44…" arrives as " 44…": the reading with the '+' is the number meant.
    _, e164, _ = example
    arrived = " " + e164[1:]
    assert (
        phone_read(raw=phone_as_linked(phone=arrived, region=region), region=region).number.e164
        == e164
    )


REGIONS = st.sampled_from([*sorted(phonenumbers.SUPPORTED_REGIONS), "", "gb", "XX", "001"])
# Text made of the pieces the reader reacts to, so the fuzzing reaches past the first check.
PHONE_LIKE = st.lists(
    st.sampled_from(
        list("0123456789+-() ./#x,;:=@|&\n")
        + ["tel:", "sip:", "callto://", "ext", "ext=", "Mobile:", " or ", "00", "011", "%2B"]
        + ["FLOWERS", "Jane Doe\n", "\u00a0", *SYMBOLS[1:]]
        + INVISIBLE
    ),
    max_size=30,
).map("".join)


@settings(max_examples=800)
@given(st.one_of(st.text(max_size=80), PHONE_LIKE), REGIONS)
def test_reading_anything_raises_only_the_tools_own_error(raw, region):
    try:
        reading = phone_read(raw=raw, region=region)
    except PhoneNumberError as exc:
        assert str(exc)  # a message for a person, never empty
    else:
        assert isinstance(reading, PhoneReading)
        assert reading.number.e164.startswith("+")
    others = phone_other_readings(raw=raw, region=region, regions=["GB", "BR", "MX", "US"])
    assert all(number.is_valid for number in others)
    possible = phone_other_readings(
        raw=raw, region=region, regions=["GB", "BR"], markets=["MX", "US"], include_invalid=True
    )
    assert len({number.e164 for number in possible}) == len(possible)


NATIONAL_DIGITS = st.text(alphabet="0123456789", min_size=6, max_size=12)
COVERED = st.sampled_from(["55", "52", "54", "229", "225", "44"])


def e164_of(text: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(text), PhoneNumberFormat.E164)


@settings(max_examples=800)
@given(
    st.one_of(
        COVERED.flatmap(lambda code: NATIONAL_DIGITS.map(lambda digits: f"+{code}{digits}")),
        st.sampled_from([e164 for _, e164, _ in EXAMPLES]),
    )
)
def test_equivalents_are_symmetric_and_canonical_forms_are_stable(text):
    e164 = e164_of(text)  # "+55011…" is read as "+5511…": compare keys as phonenumbers writes them
    equivalents = phone_equivalents(e164=e164)
    keys = [equivalent.e164 for equivalent in equivalents]
    assert len(set(keys)) == len(keys)
    for equivalent in equivalents:
        assert equivalent.e164 != e164
        assert equivalent.rule and equivalent.label
        assert e164 in [back.e164 for back in phone_equivalents(e164=equivalent.e164)]

    assert phone_equivalents(e164=text) == equivalents
    canonical = phone_canonical(e164=e164)
    assert phone_canonical(e164=canonical) == canonical
    if canonical != e164:
        # Rewritten only from an invalid form to a valid mobile it is equivalent to.
        assert canonical in keys
        assert not phonenumbers.is_valid_number(phonenumbers.parse(e164))
        current = phonenumbers.parse(canonical)
        assert phonenumbers.is_valid_number(current)
        assert phonenumbers.number_type(current) in (
            PhoneNumberType.MOBILE,
            PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_equivalents_of_anything_never_raise(text):
    assert isinstance(phone_equivalents(e164=text), tuple)
    assert isinstance(phone_canonical(e164=text), str)
