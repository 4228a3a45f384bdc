"""Equivalent numbers across renumberings: every rule both ways, the negatives, and ingestion's
canonical form. Real numbers, checked against the phonenumbers metadata pinned in
requirements/base.txt (test_the_pinned_metadata_still_agrees flags an upgrade that changes it)."""

import phonenumbers
import pytest

from lookup.phones import PhoneNumberError, phone_canonical, phone_equivalents, phone_read

BEFORE_NINTH = "the number before the ninth digit"
WITHOUT_MOBILE_1 = "the current form without the mobile 1"
# (one form, the other form, rule code to reach the second from the first, label)
PAIRS = [
    # Brazil: a mobile before and after the ninth digit (São Paulo, Rio, Brasília)
    ("+551187654321", "+5511987654321", "br_with_ninth_digit", "the number with the ninth digit"),
    ("+5511987654321", "+551187654321", "br_without_ninth_digit", BEFORE_NINTH),
    ("+552198765432", "+5521998765432", "br_with_ninth_digit", "the number with the ninth digit"),
    ("+5561987654321", "+556187654321", "br_without_ninth_digit", BEFORE_NINTH),
    ("+551167654321", "+5511967654321", "br_with_ninth_digit", "the number with the ninth digit"),
    # Mexico: the mobile '1' after +52, gone since 3 August 2019
    ("+5215512345678", "+525512345678", "mx_without_mobile_1", WITHOUT_MOBILE_1),
    ("+525512345678", "+5215512345678", "mx_with_mobile_1", "the old mobile form with 1"),
    ("+5213312345678", "+523312345678", "mx_without_mobile_1", WITHOUT_MOBILE_1),
    ("+529981234567", "+5219981234567", "mx_with_mobile_1", "the old mobile form with 1"),
    # Argentina: the mobile 9 (Buenos Aires, Córdoba)
    ("+5491123456789", "+541123456789", "ar_without_mobile_9", "the number without the mobile 9"),
    ("+541123456789", "+5491123456789", "ar_with_mobile_9", "the mobile form with 9"),
    ("+543515551234", "+5493515551234", "ar_with_mobile_9", "the mobile form with 9"),
    ("+5493515551234", "+543515551234", "ar_without_mobile_9", "the number without the mobile 9"),
    # Benin: 01 in front of every 8-digit number since 30 November 2024
    ("+22997123456", "+2290197123456", "bj_with_01", "the current 10-digit number with 01"),
    ("+2290197123456", "+22997123456", "bj_without_01", "the 8-digit number before 2024"),
    ("+22921301234", "+2290121301234", "bj_with_01", "the current 10-digit number with 01"),
    ("+2290121301234", "+22921301234", "bj_without_01", "the 8-digit number before 2024"),
]


@pytest.mark.parametrize(("e164", "other", "rule", "label"), PAIRS)
def test_each_form_finds_the_other_with_a_label(e164, other, rule, label):
    equivalents = phone_equivalents(e164=e164)
    assert [(eq.e164, eq.rule, eq.label) for eq in equivalents] == [(other, rule, label)]


@pytest.mark.parametrize(("e164", "other", "rule", "label"), PAIRS)
def test_every_rule_works_both_ways(e164, other, rule, label):
    assert e164 in [eq.e164 for eq in phone_equivalents(e164=other)]


@pytest.mark.parametrize(
    "e164",
    [
        "+551133334444",  # Brazilian landline (subscriber starts 3): a different number
        "+552123456789",  # Rio landline starting 2
        "+551145678901",  # São Paulo landline starting 4
        "+551155551234",  # starting 5
        "+5511951234567",  # a new mobile 9 5…: its 8 digits were never a mobile
        "+552087654321",  # no such area code 20: the 9-form is not valid either
        "+546704924548",  # Argentine landline whose 9-form is not a valid mobile
        "+548004867726",  # Argentine freephone
        "+528001234567",  # Mexican freephone: never had the mobile 1
        "+5218001234567",  # …so its '1' form points nowhere
        "+22930123456",  # Benin 8 digits whose 01 form is no number
        "+2250712345678",  # Côte d'Ivoire: not covered (see docs/phone-numbers.md)
        "+447946095812",  # any other country
        "+15550100123",  # possible, not valid, no rule
    ],
)
def test_numbers_no_rule_covers_have_no_equivalents(e164):
    assert phone_equivalents(e164=e164) == ()


@pytest.mark.parametrize("text", ["", "not-a-number", "5511987654321", "+", "+999123"])
def test_anything_that_is_not_e164_has_no_equivalents(text):
    assert phone_equivalents(e164=text) == ()


@pytest.mark.parametrize(
    ("e164", "canonical"),
    [
        # rewritten: the old form is not valid, the current one is a valid mobile
        ("+551187654321", "+5511987654321"),
        ("+552198765432", "+5521998765432"),
        ("+5215512345678", "+525512345678"),
        ("+5219981234567", "+529981234567"),
        ("+22997123456", "+2290197123456"),
        # kept: already current
        ("+5511987654321", "+5511987654321"),
        ("+525512345678", "+525512345678"),
        ("+2290197123456", "+2290197123456"),
        # kept: both forms valid (Argentina's fixed vs mobile, Brazil's 8-digit radio range)
        ("+541123456789", "+541123456789"),
        ("+5491123456789", "+5491123456789"),
        ("+543515551234", "+543515551234"),
        ("+551177654321", "+551177654321"),
        # kept: the current form is not a mobile (Benin landline) or there is none
        ("+22921301234", "+22921301234"),
        ("+551133334444", "+551133334444"),
        ("+5218001234567", "+5218001234567"),
        ("+552087654321", "+552087654321"),
        ("+447946095812", "+447946095812"),
        ("not-a-number", "not-a-number"),
    ],
)
def test_ingestion_rewrites_only_where_the_current_form_is_certain(e164, canonical):
    assert phone_canonical(e164=e164) == canonical


def test_the_pinned_metadata_still_agrees():
    """The rules' premises as phonenumbers sees them: fails if a metadata upgrade breaks one."""

    def parsed(e164):
        return phonenumbers.parse(e164, None)

    def kind(e164):
        number = parsed(e164)
        return phonenumbers.is_valid_number(number), phonenumbers.number_type(number)

    mobile, fixed, fixed_or_mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    # Brazil: the 8-digit mobile is no longer valid, the 9-digit one is a mobile.
    assert kind("+551187654321")[0] is False
    assert kind("+5511987654321") == (True, mobile)
    # Mexico: the '1' form is not even possible (too long); the 10 digits are fixed-or-mobile.
    assert not phonenumbers.is_possible_number(parsed("+5215512345678"))
    assert kind("+525512345678") == (True, fixed_or_mobile)
    # Argentina: both forms valid, one fixed, one mobile — which is why ingestion keeps both.
    assert kind("+543515551234") == (True, fixed)
    assert kind("+5493515551234") == (True, mobile)
    assert kind("+5496704924548")[0] is False
    # Benin: 8 digits too short now; the 01 forms valid mobile and fixed.
    assert not phonenumbers.is_possible_number(parsed("+22997123456"))
    assert kind("+2290197123456") == (True, mobile)
    assert kind("+2290121301234") == (True, fixed)
    # Côte d'Ivoire: 8 digits too short, 10 digits valid — but which prefix is unknowable.
    assert not phonenumbers.is_possible_number(parsed("+22507123456"))
    assert kind("+2250712345678") == (True, mobile)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "equivalent"),
    [
        ("(11) 8765-4321", "BR", "+551187654321", "+5511987654321"),
        ("+55 11 98765-4321", "GB", "+5511987654321", "+551187654321"),
        ("+52 1 55 1234 5678", "US", "+5215512345678", "+525512345678"),
        ("1 55 1234 5678", "MX", "+5215512345678", "+525512345678"),
        ("011 15 2345-6789", "AR", "+5491123456789", "+541123456789"),  # the '15' form at home
        ("011 2345-6789", "AR", "+541123456789", "+5491123456789"),
        ("+229 97 12 34 56", "FR", "+22997123456", "+2290197123456"),
        ("97 12 34 56", "BJ", "+22997123456", "+2290197123456"),
    ],
)
def test_a_search_reads_the_old_form_as_typed_and_finds_the_other(raw, region, e164, equivalent):
    number = phone_read(raw=raw, region=region).number
    assert number.e164 == e164
    assert [eq.e164 for eq in phone_equivalents(e164=number.e164)] == [equivalent]


@pytest.mark.parametrize(
    "raw", ["044 55 1234 5678", "045 55 1234 5678", "01 55 1234 5678", "55 1234 5678"]
)
def test_mexican_national_prefixes_retired_in_2019_still_read(raw):
    assert phone_read(raw=raw, region="MX").number.e164 == "+525512345678"
    assert phone_read(raw=raw, region="MX").number.is_valid


def test_old_forms_are_flagged_invalid_not_refused():
    for raw in ("+52 1 55 1234 5678", "+229 97 12 34 56"):
        assert phone_read(raw=raw, region="GB").number.is_valid is False


def test_an_old_ivorian_number_says_how_to_write_it_today():
    with pytest.raises(PhoneNumberError, match="10 digits since January 2021"):
        phone_read(raw="07 12 34 56", region="CI")


@pytest.mark.parametrize(
    ("old_form", "written"),
    [
        ("+551187654321", "+55 11 8765-4321"),
        ("+5215512345678", "+52 1 55 1234 5678"),
        ("+22997123456", "+229 97 12 34 56"),
    ],
)
def test_an_old_form_is_written_as_people_wrote_it(old_form, written):
    from lookup.phones import phone_from_e164

    assert phone_from_e164(old_form).international == written
