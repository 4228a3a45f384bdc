"""The country box renders exactly what Django's own Select would, only faster."""

import re

import pytest
from django import forms

from lookup.forms import PhoneSearchForm


def _compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html.replace("\n", ""))


@pytest.mark.parametrize(
    "form",
    [
        lambda: PhoneSearchForm(default_country="BR"),
        lambda: PhoneSearchForm({"phone": "1", "country": "gb"}, default_country="BR"),
        lambda: PhoneSearchForm({"phone": "1", "country": "xx"}, default_country="BR"),
    ],
    ids=["initial", "chosen", "invalid"],
)
def test_the_country_box_is_djangos_select_markup(form, settings):
    settings.PHONE_REGIONS = ["GB", "BR", "MX"]
    bound = form()
    bound.is_valid()
    fast = str(bound["country"])
    bound.fields["country"].widget = forms.Select(choices=bound.fields["country"].choices)
    assert _compact(fast) == _compact(str(bound["country"]))
    assert fast.count(" selected>") == (0 if "xx" in str(bound.data) else 1)
