from django import forms
from django.conf import settings

from lookup.phones import PhoneNumberError, phone_normalize, region_choices

MAX_VERSION = 2**53  # far beyond any link's writes; within every JSON and DynamoDB number


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
        required=False,
        help_text="Used to read numbers typed without an international prefix.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = region_choices()
        self.fields["country"].initial = settings.DEFAULT_PHONE_REGION

    def clean_country(self) -> str:
        return self.cleaned_data.get("country") or settings.DEFAULT_PHONE_REGION

    def clean(self):
        cleaned = super().clean()
        if "phone" in cleaned and "country" in cleaned:
            try:
                cleaned["number"] = phone_normalize(raw=cleaned["phone"], region=cleaned["country"])
            except PhoneNumberError as exc:
                self.add_error("phone", str(exc))
        return cleaned


def version_field() -> forms.IntegerField:
    """The version of the link the page showed; the write applies only to that version.

    Bounded: a tampered value must be a clear refusal, not a number DynamoDB cannot hold.
    """
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)


class UnlinkForm(forms.Form):
    REASONS = {
        "number_reassigned": "Number reassigned to someone else",
        "customer_request": "Customer asked for it to be removed",
        "wrong_customer": "Linked to the wrong customer",
        "other": "Other (explain below)",
    }

    reason = forms.ChoiceField(
        label="Reason",
        choices=list(REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ticket number, what the customer said… Required for “Other”.",
    )
    version = version_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("details", "").strip():
            self.add_error("details", "Explain the reason when you choose “Other”.")
        return cleaned

    @property
    def reason_text(self) -> str:
        label = self.REASONS[self.cleaned_data["reason"]]
        if self.cleaned_data["reason"] == "other":
            label = "Other"
        details = self.cleaned_data.get("details", "").strip()
        return f"{label}: {details}" if details else label


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label="Reason for restoring",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the link is being restored."},
    )
    version = version_field()

    @property
    def reason_text(self) -> str:
        return self.cleaned_data["reason"]
