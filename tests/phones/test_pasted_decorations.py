"""What surrounds a number when agents paste it: spaces, phone symbols and emoji, keypad
letters, signatures on one line or several, a link's unescaped '+', a customer id instead."""

import pytest

from lookup.domain.identifiers import customer_id_parse
from lookup.forms import phone_as_linked
from lookup.phones import PhoneNumberError, phone_other_readings, phone_read

UK_DESK = "+442079460018"
UK_MOBILE = "+447946095812"


@pytest.mark.parametrize(
    "raw",
    [
        " 020 7946 0018",
        "020 7946 0018 ",
        "\u00a0020 7946 0018\u00a0",
        "\u202f020\u00a07946\u00a00018",
        "📞 020 7946 0018",
        "📞020 7946 0018",
        "☎ 020 7946 0018",
        "☎️ 020 7946 0018",  # with the emoji variation selector
        "✆ 020 7946 0018",
        "☏ 020 7946 0018",
        "📱 020 7946 0018",
        "℡ 020 7946 0018",  # NFKC would spell it TEL
        "📞: 020 7946 0018",
        "Tel ☎: 020 7946 0018",
        "020 7946 0018 📞",
        "👋🏽 020 7946 0018",  # a skin-tone modifier
        "\u260e\ufe0f +44 20 7946 0018 ext. 12",
    ],
)
def test_spaces_symbols_and_emoji_are_dropped(raw):
    assert phone_read(raw=raw, region="GB").number.e164 == UK_DESK


@pytest.mark.parametrize(
    ("raw", "region", "e164", "read_as"),
    [
        ("1-800-FLOWERS", "US", "+18003569377", "1 800-356-9377"),
        ("1-800-flowers", "US", "+18003569377", "1 800-356-9377"),
        ("1 (800) FLOWERS", "US", "+18003569377", "1 800-356-9377"),
        ("+1 800 FLOWERS", "GB", "+18003569377", "+1 800-356-9377"),
        ("1-800-GO-FEDEX", "US", "+18004633339", "1 800-463-3339"),
        ("0800 REPAIRS", "GB", "+448007372477", "0800 737 2477"),
        ("Tel: 0800 REPAIRS", "GB", "+448007372477", "0800 737 2477"),
        ("07946 095812", "GB", UK_MOBILE, None),  # no letters: nothing to say
    ],
)
def test_a_number_spelled_with_keypad_letters_is_dialled_and_shown(raw, region, e164, read_as):
    reading = phone_read(raw=raw, region=region)
    assert (reading.number.e164, reading.read_as) == (e164, read_as)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("020 7946 OO18", "GB"),  # two letters O typed for zeros: a typo, not a spelled number
        ("FLOWERS", "US"),  # no digits first
        ("hello", "GB"),
        ("07946 095812 (mobile)", "GB"),  # dialled it is too long: the words are refused
        ("Jane Doe, Acme Ltd, 020 7946 0018", "GB"),
        ("1-800-FLOWERS", "GB"),  # spelled, but no British number
        ("1-800-ÉCOLE", "US"),  # only ASCII letters are on a keypad
    ],
)
def test_letters_that_spell_no_number_are_still_refused(raw, region):
    with pytest.raises(PhoneNumberError, match="cannot contain letters"):
        phone_read(raw=raw, region=region)


def test_a_spelled_number_left_on_another_country_is_offered_as_dialled():
    readings = phone_other_readings(raw="1-800-FLOWERS", region="GB", regions=["GB"])
    assert [number.e164 for number in readings] == ["+18003569377"]


SIGNATURE_NUMBERS = "Two numbers were pasted ({}): search them one at a time."


@pytest.mark.parametrize(
    ("one_line", "several_lines", "named"),
    [
        (
            "Jane Doe – Operations – T: +44 20 7946 0018 – M: +44 7946 095812",
            "Jane Doe\nOperations\nT: +44 20 7946 0018\nM: +44 7946 095812",
            "+44 20 7946 0018 and +44 7946 095812",
        ),
        (
            "Jane Doe T: 020 7946 0018 M: 07946 095812",
            "Jane Doe\nT: 020 7946 0018\nM: 07946 095812",
            "020 7946 0018 and 07946 095812",
        ),
        (
            "Office 020 7946 0018, Mobile 07946 095812",
            "Office 020 7946 0018\nMobile 07946 095812",
            "020 7946 0018 and 07946 095812",
        ),
        (
            "Jane Doe | Acme Ltd | T: 020 7946 0018 | M: 07946 095812 | jane@acme.example",
            "Jane Doe\r\nAcme Ltd\r\nT: 020 7946 0018\r\nM: 07946 095812\r\njane@acme.example",
            "020 7946 0018 and 07946 095812",
        ),
        (
            "📞 020 7946 0018 📱 07946 095812",
            "📞 020 7946 0018\n📱 07946 095812",
            "020 7946 0018 and 07946 095812",
        ),
    ],
)
def test_a_signature_reads_the_same_on_one_line_or_several(one_line, several_lines, named):
    answers = []
    for raw in (one_line, several_lines):
        with pytest.raises(PhoneNumberError) as error:
            phone_read(raw=raw, region="GB")
        answers.append(str(error.value))
    assert answers == [SIGNATURE_NUMBERS.format(named)] * 2


@pytest.mark.parametrize(
    ("one_line", "several_lines", "e164"),
    [
        (
            "Jane Doe, Acme Ltd, Tel: 020 7946 0018",
            "Jane Doe\nAcme Ltd\nTel: 020 7946 0018",
            UK_DESK,
        ),
        ("Jane Doe ☎ Mobile: 07946 095812", "Jane Doe\n☎ Mobile: 07946 095812", UK_MOBILE),
    ],
)
def test_a_signature_with_one_labelled_number_reads_it_on_one_line_or_several(
    one_line, several_lines, e164
):
    assert [phone_read(raw=raw, region="GB").number.e164 for raw in (one_line, several_lines)] == [
        e164,
        e164,
    ]


@pytest.mark.parametrize(
    ("arrived", "region", "meant"),
    [
        (" 447700900461", "GB", "+447700900461"),  # a softphone's E.164, '+' unescaped
        (" 4930123456", "GB", "+4930123456"),  # both read; only the '+' one is valid
        (" 020 7946 0018", "GB", " 020 7946 0018"),  # '+020' is no country: a typed space
        (" 07700 900461", "GB", " 07700 900461"),
        (" 2079460018", "GB", " 2079460018"),  # +20 is Egypt, not valid; London is
        (" hello", "GB", " hello"),  # neither reads: the error is about what was typed
        ("447700900461", "GB", "447700900461"),  # no space: nothing to decide
    ],
)
def test_a_links_unescaped_plus_is_read_the_way_that_makes_a_number(arrived, region, meant):
    assert phone_as_linked(phone=arrived, region=region) == meant


@pytest.mark.parametrize(
    ("text", "customer_id"),
    [
        ("7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6", "7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6"),
        ("7C1E0F6E-1B2C-4D3E-8F90-A1B2C3D4E5F6", "7C1E0F6E-1B2C-4D3E-8F90-A1B2C3D4E5F6"),
        (
            "eu-west-1:7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
            "eu-west-1:7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
        ),
        (
            "us-gov-west-1:7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
            "us-gov-west-1:7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
        ),
        (
            " \u200b7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6\n",
            "7c1e0f6e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
        ),
        ("020 7946 0018", None),
        ("1-800-FLOWERS", None),
        ("7c1e0f6e1b2c4d3e8f90a1b2c3d4e5f6", None),  # no groups: not the shape ids are given in
        ("7c1e0f6e-1b2c-4d3e-8f90", None),
        ("hello", None),
        ("", None),
    ],
)
def test_a_customer_id_is_told_from_a_number_by_its_shape(text, customer_id):
    assert customer_id_parse(text=text) == customer_id
