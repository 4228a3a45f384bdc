"""The bulk unlink's forms: which links (a number and a date, or a posted list), the reason, and
the signed token that carries what the preview showed to the confirm."""

from dataclasses import dataclass

from django import forms
from django.core import signing
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lookup.domain.bulk import LinkKey, ShownLink, link_key_parse
from lookup.domain.errors import InvalidField
from lookup.forms import UnlinkForm
from lookup.phones import is_e164

_SALT = "lookup.bulk.preview"
# A preview older than this is shown again rather than confirmed: what it showed is history.
TOKEN_MAX_AGE_SECONDS = 3600


class NumberBeforeForm(forms.Form):
    """A shared number's order links last seen before a day (from its search results)."""

    phone = forms.CharField(max_length=32, error_messages={"required": _("No number was given.")})
    before = forms.DateField(
        label=_("Last seen before"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Choose a date: the preview lists the links last seen before it."),
            "invalid": _("Enter the date as YYYY-MM-DD."),
        },
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not is_e164(phone):
            raise forms.ValidationError(
                _("“%(phone)s” is not a number in E.164 form."), params={"phone": phone}
            )
        return phone


class LinksForm(forms.Form):
    """Links posted by another page (the review queue's selection): `link` fields, each
    `<E164>|<customer_id>` or `<E164>|<customer_id>|<legacy_id>`, and the way `back`.
    `queued` (optional, repeated): `<link>@<version>`, the version a page judged a link at (the
    review queue's): a link at another version now is left alone."""

    link = forms.Field(
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("No link was chosen.")},
    )
    queued = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    back = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, host: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.host = host

    def clean_link(self) -> list[LinkKey]:
        keys, refused = [], []
        for text in self.cleaned_data["link"]:
            try:
                keys.append(link_key_parse(text=text))
            except InvalidField:
                refused.append(text)
        if refused:
            raise forms.ValidationError(
                [
                    gettext(
                        "“%(value)s” does not name a link: expected +<number>|<customer id>, "
                        "with |<legacy record> for a legacy record."
                    )
                    % {"value": text[:100]}
                    for text in refused[:10]
                ]
            )
        return keys

    def clean_queued(self) -> dict[str, int]:
        versions = {}
        for text in self.cleaned_data["queued"] or ():
            key, _, version = text.rpartition("@")
            if key and version.isdigit():
                versions[key] = int(version)
        return versions

    def clean_back(self) -> str:
        back = self.cleaned_data["back"]
        safe = back.startswith("/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts={self.host}
        )
        return back if safe else ""


class BulkUnlinkForm(UnlinkForm):
    """One reason for every link, as a single unlink asks it, and the preview's token."""

    version = None
    legacy = None
    token = forms.CharField(widget=forms.HiddenInput)


@dataclass(frozen=True, slots=True)
class PreviewToken:
    """What a preview showed, signed: whose it is, the links at their versions, where it came
    from (to show it again) and the way back."""

    user_id: int
    shown: tuple[ShownLink, ...]
    origin: dict
    back: str
    expired: bool = False  # signed, but older than TOKEN_MAX_AGE_SECONDS

    def dumps(self) -> str:
        return signing.dumps(
            {
                "u": self.user_id,
                "l": [
                    [s.key.phone, s.key.customer_id, s.key.legacy_id, s.version] for s in self.shown
                ],
                "o": self.origin,
                "b": self.back,
            },
            salt=_SALT,
            compress=True,
        )

    @classmethod
    def loads(cls, text: str, *, user_id: int) -> "PreviewToken | None":
        """The token as signed for this user (`expired` past TOKEN_MAX_AGE_SECONDS); None when
        it is not one (tampered, truncated, another person's)."""
        expired = False
        try:
            data = signing.loads(text, salt=_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
        except signing.SignatureExpired:
            expired = True
            data = signing.loads(text, salt=_SALT)
        except signing.BadSignature:
            return None
        if data.get("u") != user_id:
            return None
        shown = tuple(
            ShownLink(
                key=LinkKey(phone=phone, customer_id=customer_id, legacy_id=legacy_id),
                version=version,
            )
            for phone, customer_id, legacy_id, version in data["l"]
        )
        return cls(user_id=user_id, shown=shown, origin=data["o"], back=data["b"], expired=expired)
