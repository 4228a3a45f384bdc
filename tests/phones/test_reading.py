"""Reading pasted input: URIs, parameters, extensions, labels, invisible characters, two numbers.

Every form below comes from where agents copy numbers: softphone screen-pops (tel:, sip:),
click-to-call links (callto:), CRM fields and mail signatures (labels, extensions), chat clients
(zero-width and direction marks).
"""

import pytest

from lookup.phones import PhoneNumberError, phone_normalize, phone_read

UK_MOBILE = "+447946095812"
UK_DESK = "+442079460018"


def full_width(text: str) -> str:
    """The text as East Asian input methods type it (U+FF01…, ideographic spaces)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "extension"),
    [
        # URIs: the user part is the number
        ("tel:+44-7946-095812", "BR", UK_MOBILE, None),
        ("TEL:+447946095812", "BR", UK_MOBILE, None),
        ("tel:+44-20-7946-0018;ext=12", "BR", UK_DESK, "12"),
        ("tel:+44-20-7946-0018;phone-context=example.com;ext=204", "BR", UK_DESK, "204"),
        ("tel:07946095812;phone-context=+44", "GB", UK_MOBILE, None),
        ("tel:%2B44%207946%20095812", "BR", UK_MOBILE, None),  # percent-encoded by a link
        ("tel:+447946095812%E2%80%8B", "BR", UK_MOBILE, None),  # an escaped zero-width space
        ("%2B447946095812", "BR", UK_MOBILE, None),  # a link's escaped '+', pasted as is
        ("tel://+447946095812", "BR", UK_MOBILE, None),
        ("callto:+447946095812", "BR", UK_MOBILE, None),
        ("callto://+44 7946 095812", "BR", UK_MOBILE, None),
        ("sip:+447946095812@pbx.example;user=phone", "BR", UK_MOBILE, None),
        ("sips:+447946095812@pbx.example:5061;transport=tls", "BR", UK_MOBILE, None),
        ("sip:+447946095812:secret@pbx.example", "BR", UK_MOBILE, None),
        ("sip:07946095812@pbx.example", "GB", UK_MOBILE, None),
        # RFC 3966 parameters on a plain number
        ("+44 20 7946 0018;ext=12", "BR", UK_DESK, "12"),
        ("+44 20 7946 0018 ; isub=1234", "BR", UK_DESK, None),
        # extensions: shown, never part of the key
        ("020 7946 0018 ext. 12", "GB", UK_DESK, "12"),
        ("020 7946 0018 ext 12", "GB", UK_DESK, "12"),
        ("020 7946 0018 Ext.12", "GB", UK_DESK, "12"),
        ("020 7946 0018 x12", "GB", UK_DESK, "12"),
        ("020 7946 0018x12", "GB", UK_DESK, "12"),
        ("020 7946 0018 X 12", "GB", UK_DESK, "12"),
        ("020 7946 0018 #12", "GB", UK_DESK, "12"),
        ("02079460018#12", "GB", UK_DESK, "12"),
        ("020 7946 0018 extension 12", "GB", UK_DESK, "12"),
        ("020 7946 0018, ext: 12", "GB", UK_DESK, "12"),
        ("020 7946 0018 (ext. 12)", "GB", UK_DESK, "12"),
        ("+44 20 7946 0018,,12", "BR", UK_DESK, "12"),  # a dial string's pause, then the digits
        ("(11) 3333-4444 ramal 205", "BR", "+551133334444", "205"),
        # labels
        ("Mobile: 07946 095812", "GB", UK_MOBILE, None),
        ("Tel.: +44 7946 095812", "BR", UK_MOBILE, None),
        ("Phone (work) : 020 7946 0018 ext. 12", "GB", UK_DESK, "12"),
        ("Tél. : 07946 095812", "GB", UK_MOBILE, None),
        ("WhatsApp:+447946095812", "BR", UK_MOBILE, None),
        ("Mobile: tel:+447946095812", "BR", UK_MOBILE, None),
        # invisible format characters (Unicode category Cf) and odd spaces
        ("\u200b07946\u200b095812", "GB", UK_MOBILE, None),  # zero-width space
        ("\u200e+44 7946 095812\u200e", "BR", UK_MOBILE, None),  # left-to-right mark
        ("\u200f+44 7946 095812", "BR", UK_MOBILE, None),  # right-to-left mark
        ("\ufeff+447946095812", "BR", UK_MOBILE, None),  # byte-order mark
        ("07946\u2060095812", "GB", UK_MOBILE, None),  # word joiner
        ("\u202a+44 7946 095812\u202c", "BR", UK_MOBILE, None),  # embedding and pop
        ("07946\u00ad095812", "GB", UK_MOBILE, None),  # soft hyphen
        ("07946\u00a0095812", "GB", UK_MOBILE, None),  # no-break space
        ("07946\u202f095812", "GB", UK_MOBILE, None),  # narrow no-break space
        ("07946\u2009095812", "GB", UK_MOBILE, None),  # thin space
        ("07946\u3000095812", "GB", UK_MOBILE, None),  # ideographic space
        ("\t07946 095812\n", "GB", UK_MOBILE, None),
        (full_width("Tel:+44 7946 095812"), "BR", UK_MOBILE, None),
        # country codes in any case
        ("07946 095812", "gb", UK_MOBILE, None),
        ("07946 095812", " Gb ", UK_MOBILE, None),
    ],
)
def test_pasted_forms_give_the_number_and_keep_the_extension(raw, region, e164, extension):
    reading = phone_read(raw=raw, region=region)
    assert reading.number.e164 == e164
    assert reading.extension == extension
    assert phone_normalize(raw=raw, region=region).e164 == e164


@pytest.mark.parametrize(
    ("raw", "region", "national"),
    [
        ("07946 095812", "GB", True),
        ("Mobile: 07946 095812", "GB", True),
        ("44 7946 095812", "GB", True),  # the country code without '+': the region decided
        ("020 7946 0018", "BR", True),
        ("+44 7946 095812", "GB", False),
        ("0044 7946 095812", "GB", False),
        ("0044 7946 095812", "US", False),
        ("011 44 7946 095812", "GB", False),
        ("tel:+447946095812", "GB", False),
        ("sip:+447946095812@pbx.example", "BR", False),
    ],
)
def test_reading_says_whether_the_region_chose_the_country(raw, region, national):
    assert phone_read(raw=raw, region=region).national is national


@pytest.mark.parametrize(
    ("raw", "region", "shown"),
    [
        ("+44 7946 095812 / +44 20 7946 0018", "GB", "+44 7946 095812 and +44 20 7946 0018"),
        ("07946095812, 02079460018", "GB", "07946095812 and 02079460018"),
        ("07946095812; 02079460018", "GB", "07946095812 and 02079460018"),
        ("07946 095812 or 020 7946 0018", "GB", "07946 095812 and 020 7946 0018"),
        ("07946 095812\n020 7946 0018", "GB", "07946 095812 and 020 7946 0018"),
        ("+44 7946 095812 +44 20 7946 0018", "BR", "+44 7946 095812 and +44 20 7946 0018"),
        ("tel:+447946095812, tel:+442079460018", "BR", "+447946095812 and +442079460018"),
        ("07946 095812 x12 / 020 7946 0018", "GB", "07946 095812 and 020 7946 0018"),
    ],
)
def test_two_pasted_numbers_are_named_and_searched_one_at_a_time(raw, region, shown):
    with pytest.raises(PhoneNumberError) as error:
        phone_read(raw=raw, region=region)
    assert str(error.value) == f"Two numbers were pasted ({shown}): search them one at a time."


def test_three_pasted_numbers_are_counted():
    with pytest.raises(PhoneNumberError, match=r"^3 numbers were pasted \(.* and .*\)"):
        phone_read(raw="07946095812, 02079460018, 07700900461", region="GB")


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("030/1234567", "DE", "+49301234567"),  # a slash after the area code: one number
        ("0221 / 123 4567", "DE", "+492211234567"),
        ("+44 (0) 20 7946 0018", "GB", UK_DESK),
    ],
)
def test_separators_inside_one_number_are_not_taken_for_two_numbers(raw, region, e164):
    assert phone_normalize(raw=raw, region=region).e164 == e164


@pytest.mark.parametrize(
    ("raw", "region", "message"),
    [
        ("Mobile: call me", "GB", "cannot contain letters"),
        ("07946 095812 (mobile)", "GB", "cannot contain letters"),
        ("sip:alice@pbx.example", "GB", "cannot contain letters"),
        ("tel:", "GB", "Enter a phone number."),
        ("Mobile:", "GB", "Enter a phone number."),
        ("\u200b\u200e\ufeff", "GB", "Enter a phone number."),
        ("ext. 12", "GB", "Enter a phone number."),
        ("07946 095812 ext. twelve", "GB", "cannot contain letters"),
        ("020 7946 0018 x1234567", "GB", "cannot contain letters"),  # 7 digits: no extension
        ("tel:+44 7946 095812 1234 5678 9012 3456 7890 1234", "GB", "too long"),
        ("sip:" + "1" * 300 + "@pbx.example", "GB", "too long"),
    ],
)
def test_what_is_left_after_cleaning_is_still_judged(raw, region, message):
    with pytest.raises(PhoneNumberError, match=message):
        phone_read(raw=raw, region=region)


def test_a_paste_with_only_one_number_in_it_keeps_the_specific_error():
    # "12" is no number: the error is about the characters, not "two numbers".
    with pytest.raises(PhoneNumberError, match="can only contain digits"):
        phone_read(raw="07946 095812 | 12", region="GB")
