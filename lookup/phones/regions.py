"""Region codes: their English names, the country choices of the search form, and reading a code
however a person or a URL wrote it ("gb", " GB ")."""

from collections.abc import Callable
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import geocoder

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


def region_normalize(*, code: str | None) -> str | None:
    """The supported region a code names, in capitals ("gb" -> "GB"); None if it names none.

    Country codes arrive from forms, links (`?country=gb`) and API calls in any case; a code
    phonenumbers does not know is None rather than an error, so each caller decides what an
    unknown country means for it.
    """
    region = (code or "").strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


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
def region_choices(*, first: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every region phonenumbers parses, as choices sorted by name: ("BR", "Brazil (+55)").

    `first` (the regions the business works in) come first, in the order given, so the countries
    agents pick every day are not buried among 240 others; they are not repeated below.
    """
    return regions_ordered(name=region_name, first=first, sort_key=lambda label: label)


def regions_ordered(
    *,
    name: Callable[[str], str],
    first: tuple[str, ...],
    sort_key: Callable[[str], Any],
) -> list[tuple[str, str]]:
    """Every region phonenumbers parses as ("BR", "<name> (+55)"): `first` in the order given
    (normalized, not repeated), then the rest by `sort_key` of their labels."""
    labels = {
        code: f"{name(code)} (+{phonenumbers.country_code_for_region(code)})"
        for code in phonenumbers.SUPPORTED_REGIONS
    }
    leading = []
    for code in first:
        region = region_normalize(code=code)
        if region and region not in leading:
            leading.append(region)
    rest = sorted(
        (code for code in labels if code not in leading), key=lambda code: sort_key(labels[code])
    )
    return [(code, labels[code]) for code in [*leading, *rest]]
