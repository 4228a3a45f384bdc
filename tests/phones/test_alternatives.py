"""Other readings of a national-format number: what a "did you mean" can offer after a miss."""

import phonenumbers
import pytest

from lookup.phones import phone_other_readings
from lookup.phones.alternatives import DEFAULT_LIMIT

DEMO_REGIONS = ["GB", "BR", "MX", "DE", "IN", "US", "AR"]


def e164s(readings):
    return [number.e164 for number in readings]


def test_a_london_number_left_on_brazil_is_offered_as_british():
    readings = phone_other_readings(raw="020 7946 0018", region="BR", regions=DEMO_REGIONS)
    assert "+442079460018" in e164s(readings)
    london = next(number for number in readings if number.e164 == "+442079460018")
    assert (london.international, london.country_name) == ("+44 20 7946 0018", "United Kingdom")
    assert "+552079460018" not in e164s(readings)  # the reading already made, and not valid


@pytest.mark.parametrize(
    ("raw", "region", "regions"),
    [
        ("020 7946 0018", "BR", DEMO_REGIONS),
        ("07946 095812", "US", DEMO_REGIONS),
        ("11 2345 6789", "GB", DEMO_REGIONS),
        ("123", "GB", DEMO_REGIONS),
        ("0000000000", "GB", DEMO_REGIONS),
        ("999 999 9999", "GB", DEMO_REGIONS),
    ],
)
def test_only_valid_numbers_are_offered_each_once(raw, region, regions):
    readings = phone_other_readings(raw=raw, region=region, regions=regions)
    assert all(number.is_valid for number in readings)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n.e164)) for n in readings)
    assert len(set(e164s(readings))) == len(readings)


def test_the_digits_as_an_international_number_come_first():
    # The caller left out the '+': "44 20 7946 0018" read in Brazil is a Brazilian miss.
    readings = phone_other_readings(raw="44 20 7946 0018", region="BR", regions=["MX", "DE"])
    assert e164s(readings)[0] == "+442079460018"


def test_an_international_prefix_is_stripped_for_the_international_reading():
    # A Buenos Aires landline at home, or a German number dialled from North America (011 49…).
    readings = phone_other_readings(raw="011 4922-0229", region="AR", regions=[])
    assert e164s(readings) == ["+49220229"]


def test_an_international_prefix_already_read_is_not_offered_again():
    # Read in Brazil, "0044…" already is the British number; Britain reads it the same way.
    assert phone_other_readings(raw="0044 20 7946 0018", region="BR", regions=["GB"]) == ()


def test_regions_are_tried_in_the_order_given_and_in_any_case():
    readings = phone_other_readings(raw="020 7946 0018", region="BR", regions=["in", "gb"])
    assert e164s(readings) == ["+912079460018", "+442079460018"]


def test_the_reading_already_made_is_never_offered_back():
    readings = phone_other_readings(raw="07946 095812", region="GB", regions=DEMO_REGIONS)
    assert "+447946095812" not in e164s(readings)


def test_an_international_number_has_no_other_reading():
    assert phone_other_readings(raw="+44 20 7946 0018", region="BR", regions=DEMO_REGIONS) == ()


def test_a_reading_that_failed_in_the_chosen_country_still_gets_alternatives():
    # Read in the US, "07946 095812" is no number at all; in Britain it is a mobile.
    readings = phone_other_readings(raw="07946 095812", region="US", regions=["GB"])
    assert e164s(readings) == ["+447946095812"]


def test_at_most_a_dozen_are_offered():
    every_region = sorted(phonenumbers.SUPPORTED_REGIONS)
    readings = phone_other_readings(
        raw="2079460018", region="GB", regions=every_region, include_invalid=True
    )
    assert len(readings) == DEFAULT_LIMIT == 12
    assert (
        len(phone_other_readings(raw="2079460018", region="GB", regions=every_region, limit=2)) == 2
    )


@pytest.mark.parametrize("raw", ["", "hello", "07946095812, 02079460018", "tel:", "+"])
def test_what_is_no_number_has_no_other_readings(raw):
    assert phone_other_readings(raw=raw, region="GB", regions=DEMO_REGIONS) == ()


def test_pasted_forms_are_cleaned_first():
    readings = phone_other_readings(
        raw="Office: 020 7946 0018 ext. 12\u200b", region="BR", regions=["GB"]
    )
    assert e164s(readings) == ["+442079460018"]
