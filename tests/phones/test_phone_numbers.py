import pytest

from lookup.phones import PhoneNumberError, phone_from_e164, phone_normalize, region_choices

UK_MOBILE = "+447946095812"


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("07946 095812", "GB"),  # national format in its own country
        ("07946-095-812", "GB"),
        ("+44 7946 095812", "US"),  # '+' ignores the chosen region
        ("+44 (0) 7946 095812", "BR"),  # the UK's '(0)' habit
        ("0044 7946 095812", "GB"),
        ("0044 7946 095812", "US"),  # '00' is international even where the IDD is 011
        ("011 44 7946 095812", "GB"),  # and '011' where the IDD is 00
        ("  +44.7946.095812  ", "DE"),
        ("(+44) 7946 095812", "FR"),  # the bracketed country code many people write
        ("0011 44 7946 095812", "AU"),  # Australia's own international prefix
        ("0021 44 7946 095812", "BR"),  # Brazil's, with a carrier code
        ("00 44 7946 095812", "BR"),  # a plain 00 where the country's prefix differs
        ("+44\u20137946\u2013095812", "GB"),  # en dashes pasted from a document
        (
            "\uff0b\uff14\uff14 \uff17\uff19\uff14\uff16 \uff10\uff19\uff15\uff18\uff11\uff12",
            "GB",
        ),  # full width
    ],
)
def test_every_common_format_gives_the_same_key(raw, region):
    assert phone_normalize(raw=raw, region=region).e164 == UK_MOBILE


def test_national_number_is_read_with_the_chosen_country():
    number = phone_normalize(raw="(11) 91234-5678", region="BR")
    assert number.e164 == "+5511912345678"
    assert number.international == "+55 11 91234-5678"
    assert number.region == "BR"
    assert number.country_name == "Brazil"
    assert number.is_valid


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("011 2345 6789", "IN", "+911123456789"),  # a Delhi landline, not "+1 1234…"
        ("(011) 3333-4444", "BR", "+551133334444"),  # São Paulo with the trunk prefix
        # Arabic-Indic digits, as some keyboards type them
        (
            "\u0660\u0667\u0669\u0664\u0666 \u0660\u0669\u0665\u0668\u0661\u0662",
            "GB",
            "+447946095812",
        ),
    ],
)
def test_national_formats_starting_like_an_international_prefix_stay_national(raw, region, e164):
    assert phone_normalize(raw=raw, region=region).e164 == e164


def test_possible_but_unassigned_number_is_accepted_and_flagged_invalid():
    number = phone_normalize(raw="+1 555 010 0123", region="GB")
    assert number.e164 == "+15550100123"
    assert number.is_valid is False
    assert number.country_name == "United States"


@pytest.mark.parametrize(
    ("raw", "region", "message"),
    [
        ("", "GB", "Enter a phone number."),
        ("   ", "GB", "Enter a phone number."),
        ("call me maybe", "GB", "cannot contain letters"),
        ("1-800-FLOWERS", "GB", "cannot contain letters"),  # spelled, but no British number
        ("0794#095812", "GB", "can only contain digits"),
        ("12", "GB", "too short"),
        ("079", "GB", "too short"),
        ("+44 7946 095812 1234", "GB", "too long"),
        ("1" * 41, "GB", "too long"),
        ("+999 1234 5678", "GB", "country calling code does not exist"),
        ("+44 7946 +095812", "GB", r"'\+' can only appear at the start"),
    ],
)
def test_unusable_input_is_a_specific_error(raw, region, message):
    with pytest.raises(PhoneNumberError, match=message):
        phone_normalize(raw=raw, region=region)


def test_stored_number_is_described_for_display():
    number = phone_from_e164("+5511912345678")
    assert (number.international, number.country_name) == ("+55 11 91234-5678", "Brazil")


def test_unreadable_stored_number_is_shown_as_is_not_a_crash():
    number = phone_from_e164("not-a-number")
    assert number.international == "not-a-number"
    assert number.country_name == "Unknown"


def test_country_choices_are_named_and_carry_the_calling_code():
    choices = dict(region_choices())
    assert choices["BR"] == "Brazil (+55)"
    assert choices["GB"] == "United Kingdom (+44)"
    assert choices["XK"] == "Kosovo (+383)"
    assert len(choices) > 200


def test_local_number_without_area_code_asks_for_it():
    with pytest.raises(PhoneNumberError, match="include the area code"):
        phone_normalize(raw="555 0100", region="US")
