"""The pages' forms: each owns all the input of its page and yields the typed query the
service it feeds takes (`lookup.services.search.SearchQuery`, ...)."""

import re
from collections.abc import Mapping, Sequence

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from lookup.domain.identifiers import customer_id_parse
from lookup.languages.countries import country_choices_local
from lookup.navigation import ResultsState
from lookup.phones import (
    PhoneNumberError,
    phone_read,
    region_normalize,
)
from lookup.services.search import ReadingsQuery, SearchQuery
from lookup.widgets import CountrySelect
from lookup.words import words_translate

MAX_VERSION = 2**53  # far beyond any link's writes; within every JSON and DynamoDB number


class PhoneSearchForm(forms.Form):
    """A number as the caller gives it and the country to read a national format with.

    Bound from a query string (the search box, or a softphone's screen-pop link): the country is
    read in any case (`gb`), and a query without one uses `default_country`, the agent's last
    search's country or else DEFAULT_PHONE_REGION, so the box always shows the country used.

    The rest of the query is the results' state (page, page size, filter: `results_asked`),
    `open=1` (`opens_single`) and `typed=1`; `query_string`, the query as sent, tells whether a
    link left a leading '+' unescaped, so it arrived as a space: both readings are then tried
    (`phone_as_linked`). A customer id (`customer_id_parse`) is not read as a number:
    `cleaned_data["customer_id"]`. A number the country cannot read keeps its text in `unread`,
    for the other readings to be tried (`readings_query`).
    """

    unread: str | None = None

    phone = forms.CharField(
        label=_("Phone number"),
        # Long enough for what softphones paste (a SIP URI with its host); the reader refuses
        # anything longer than a number can be with a clearer message.
        max_length=256,
        error_messages={
            "required": _("Enter a phone number."),
            "max_length": _("That is too long to be a phone number."),
        },
        help_text=_(
            "Any format, as typed or pasted: 07946 095812, +44 7946 095812, "
            "0044 7946 095812, tel:+447946095812…"
        ),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "autocomplete": "off",
                "placeholder": _("Number the caller gives"),
                # The box `/` focuses (static/lookup/desk.js).
                "data-search-box": True,
            }
        ),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        widget=CountrySelect,
        help_text=_("Used to read numbers typed without an international prefix."),
        error_messages={
            "invalid_choice": _("%(value)s is not a country code: use ISO codes such as GB or BR.")
        },
    )

    def __init__(
        self,
        query: Mapping[str, str] | None = None,
        *,
        default_country: str,
        query_string: str = "",
        **kwargs,
    ) -> None:
        data = None
        self.query: Mapping[str, str] = query if query is not None else {}
        if query is not None:
            given = query.get("country", "").strip()
            data = {
                "phone": query.get("phone", ""),
                "country": region_normalize(code=given) or given or default_country,
            }
            if _plus_unescaped(query=query, query_string=query_string):
                data["phone"] = phone_as_linked(phone=data["phone"], region=data["country"])
        super().__init__(data, initial={"country": default_country}, **kwargs)
        self.fields["country"].choices = country_choices()

    def clean(self):
        cleaned = super().clean()
        if customer_id := customer_id_parse(text=cleaned.get("phone", "")):
            cleaned["customer_id"] = customer_id
            return cleaned
        if "phone" in cleaned and "country" in cleaned:
            try:
                reading = phone_read(raw=cleaned["phone"], region=cleaned["country"])
            except PhoneNumberError as exc:
                self.unread = cleaned["phone"]
                self.add_error("phone", words_translate(words=exc.words))
            else:
                cleaned["reading"] = reading
                cleaned["number"] = reading.number
        return cleaned

    @classmethod
    def from_query(
        cls, query: Mapping[str, str], *, query_string: str, default_country: str
    ) -> "PhoneSearchForm":
        """The search page's form: bound when the query names a number (`phone`), else the
        empty search box."""
        return cls(
            query if "phone" in query else None,
            default_country=default_country,
            query_string=query_string,
        )

    @property
    def results_asked(self) -> ResultsState:
        """The page, page size and filter of the results asked for (a valid number only)."""
        return ResultsState.from_query(self.query, number=self.cleaned_data["number"])

    @property
    def opens_single(self) -> bool:
        """Sent by the search boxes: open the number's one current customer directly."""
        return self.query.get("open") == "1"

    def search_query(self, *, regions: Sequence[str], include_unlinked: bool) -> SearchQuery:
        """The search asked for (a valid number only); `regions`: the countries whose readings
        "did you mean" tries; `include_unlinked`: for those who may restore links."""
        asked = self.results_asked
        return SearchQuery(
            reading=self.cleaned_data["reading"],
            raw=self.cleaned_data["phone"],
            region=self.cleaned_data["country"],
            regions=tuple(regions),
            page=asked.page,
            page_size=asked.page_size,
            name_filter=asked.name_filter,
            # Another page (or page size) of results already shown is the same search.
            page_turn="page" in self.query or "size" in self.query,
            include_unlinked=include_unlinked,
        )

    def readings_query(self, *, regions: Sequence[str]) -> ReadingsQuery | None:
        """Input the chosen country could not read as a number, for its other readings; None
        for any other error."""
        if self.unread is None or "country" not in self.cleaned_data:
            return None
        return ReadingsQuery(
            raw=self.unread, region=self.cleaned_data["country"], regions=tuple(regions)
        )


def _plus_unescaped(*, query: Mapping[str, str], query_string: str) -> bool:
    """Whether `phone` may carry a '+' a softphone's link left unescaped.

    In a query string `+` means a space, so `/?phone=+447700900461` arrives as " 447700900461";
    a leading space typed in a search box arrives the same way. The tool's own search boxes send
    `typed=1` (a browser always escapes a typed '+'), so theirs is a space; a link's is
    ambiguous, and the form tries both readings.
    """
    return "typed" not in query and bool(re.search(r"(?:^|&)phone=\+", query_string))


def customer_id_unknown(*, customer_id: str) -> str:
    return gettext(
        "No customer has the id %(id)s. This tool searches phone numbers and customer ids: "
        "check the id, or search the caller's number."
    ) % {"id": customer_id}


def phone_as_linked(*, phone: str, region: str) -> str:
    """The number a link meant when its '+' arrived as a space (`?phone=+447700900461`: in a
    query string an unescaped '+' is a space, and a typed leading space is sent the same way).

    Both readings are tried: the one that is a possible number wins, a valid number over an
    invalid one, and the '+' on a tie (softphones send E.164). Neither: the text as it came,
    whose error is about what was typed, not about a '+' nobody typed.
    """
    if not phone.startswith(" "):
        return phone
    with_plus = "+" + phone[1:]
    ranks = {}
    for text in (with_plus, phone):
        try:
            reading = phone_read(raw=text, region=region)
        except PhoneNumberError:
            ranks[text] = 0
        else:
            ranks[text] = 2 if reading.number.is_valid else 1
    return with_plus if ranks[with_plus] and ranks[with_plus] >= ranks[phone] else phone


def country_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The countries the business works in (PHONE_REGIONS) first, then every other country."""
    choices = country_choices_local(
        first=tuple(settings.PHONE_REGIONS), language=get_language() or "en"
    )
    served = len({code for code in settings.PHONE_REGIONS})
    return [(_("Countries we serve"), choices[:served]), (_("All countries"), choices[served:])]


def version_field() -> forms.IntegerField:
    """The version of the link the page showed; the write applies only to that version.

    Bounded: a tampered value must be a clear refusal, not a number DynamoDB cannot hold.
    """
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)


def legacy_field() -> forms.CharField:
    """The legacy record the page is about (its `createdAt`), as stored: matched verbatim,
    whatever text another service wrote. The page's address carries it too."""
    field = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    field.validators = []
    return field


class UnlinkForm(forms.Form):
    REASONS = {
        "number_reassigned": _("Number reassigned to someone else"),
        "customer_request": _("Customer asked for it to be removed"),
        "wrong_customer": _("Linked to the wrong customer"),
        "other": _("Other (explain below)"),
    }

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=list(REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ticket number, what the customer said… Required for “Other”."),
    )
    version = version_field()
    legacy = legacy_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("details", "").strip():
            self.add_error("details", _("Explain the reason when you choose “Other”."))
        return cleaned

    @property
    def reason_text(self) -> str:
        # Stored on the link and the audit trail, read later in any language: kept in English,
        # as the reasons always were.
        with translation.override("en"):
            label = str(self.REASONS[self.cleaned_data["reason"]])
        if self.cleaned_data["reason"] == "other":
            label = "Other"
        details = self.cleaned_data.get("details", "").strip()
        return f"{label}: {details}" if details else label


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for restoring"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the link is being restored.")},
    )
    version = version_field()
    legacy = legacy_field()

    @property
    def reason_text(self) -> str:
        return self.cleaned_data["reason"]
