from django import forms
from django.conf import settings

from lookup.phones import PhoneNumberError, phone_normalize, region_choices


class PhoneSearchForm(forms.Form):
    phone = forms.CharField(
        label="Phone number",
        max_length=64,
        error_messages={
            "required": "Enter a phone number.",
            "max_length": "That is too long to be a phone number.",
        },
        help_text="Any format: 07946 095812, +44 7946 095812, 0044 7946 095812…",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "autocomplete": "off",
                "placeholder": "Number the caller gives",
            }
        ),
    )
    country = forms.ChoiceField(
        label="Country",
        help_text="Used to read numbers typed without an international prefix.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = region_choices()
        self.fields["country"].initial = settings.DEFAULT_PHONE_REGION

    def clean(self):
        cleaned = super().clean()
        if "phone" in cleaned and "country" in cleaned:
            try:
                cleaned["number"] = phone_normalize(raw=cleaned["phone"], region=cleaned["country"])
            except PhoneNumberError as exc:
                self.add_error("phone", str(exc))
        return cleaned
