from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils.translation import gettext

from lookup.domain.identifiers import customer_id_parse
from lookup.domain.text import text_displayable
from lookup.phones import (
    PhoneNumber,
    PhoneNumberError,
    is_e164,
    phone_from_e164,
    phone_read,
    region_choices,
    region_normalize,
)
from lookup.widgets import CountrySelect

MAX_VERSION = 2**53  # far beyond any link's writes; within every JSON and DynamoDB number
MAX_FILTER_LENGTH = 100
# The session keys of the agent's last country and recent countries (lookup.views); the top bar's
# search box reads national numbers with the same country as the search page.
COUNTRY_SESSION_KEY = "lookup.country"
RECENT_COUNTRIES_SESSION_KEY = "lookup.recent_countries"


class PhoneSearchForm(forms.Form):
    """A number as the caller gives it and the country to read a national format with.

    Bound from a query string (the search box, or a softphone's screen-pop link): the country is
    read in any case (`gb`), and a query without one uses `default_country`, the agent's last
    search's country or else DEFAULT_PHONE_REGION, so the box always shows the country used.

    `plus_unescaped`: the link left a leading '+' unescaped, so it arrived as a space; both
    readings are tried (`phone_as_linked`). A customer id (`customer_id_parse`) is not read as
    a number: `cleaned_data["customer_id"]`. A number the country cannot read keeps its text in
    `unread`, for the other readings to be tried.
    """

    unread: str | None = None

    phone = forms.CharField(
        label="Phone number",
        # Long enough for what softphones paste (a SIP URI with its host); the reader refuses
        # anything longer than a number can be with a clearer message.
        max_length=256,
        error_messages={
            "required": "Enter a phone number.",
            "max_length": "That is too long to be a phone number.",
        },
        help_text="Any format, as typed or pasted: 07946 095812, +44 7946 095812, "
        "0044 7946 095812, tel:+447946095812…",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "tel",
                "autocomplete": "off",
                "placeholder": "Number the caller gives",
                # The box `/` focuses (static/lookup/desk.js).
                "data-search-box": True,
            }
        ),
    )
    country = forms.ChoiceField(
        label="Country",
        widget=CountrySelect,
        help_text="Used to read numbers typed without an international prefix.",
        error_messages={
            "invalid_choice": "%(value)s is not a country code: use ISO codes such as GB or BR."
        },
    )

    def __init__(
        self, query=None, *, default_country: str, plus_unescaped: bool = False, **kwargs
    ) -> None:
        data = None
        if query is not None:
            given = query.get("country", "").strip()
            data = {
                "phone": query.get("phone", ""),
                "country": region_normalize(code=given) or given or default_country,
            }
            if plus_unescaped:
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
                self.add_error("phone", str(exc))
            else:
                cleaned["reading"] = reading
                cleaned["number"] = reading.number
        return cleaned


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


def page_sizes() -> list[int]:
    """The page sizes offered over results: the configured one and a few larger."""
    return sorted({settings.SEARCH_PAGE_SIZE, *settings.SEARCH_PAGE_SIZES})


@dataclass(frozen=True)
class ResultsState:
    """Where the agent is in a number's results - page, page size, filter - so that every way
    back to them (from a customer, an unlink, a restore) lands on the same page and filter.

    Read from a query string tolerantly: a value a person could not have chosen falls back to
    its default rather than failing the page.
    """

    number: PhoneNumber
    page: int = 1
    size: int | None = None  # None: SEARCH_PAGE_SIZE
    name_filter: str = ""
    # On the customer page only: opened directly as the number's one customer.
    only: bool = False
    extension: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, number: PhoneNumber) -> "ResultsState":
        return cls(
            number=number,
            page=_positive(query.get("page", "")) or 1,
            size=_page_size(query.get("size", "")),
            name_filter=text_displayable(
                " ".join(str(query.get("filter", "")).split()), limit=MAX_FILTER_LENGTH
            ),
            only=query.get("only") == "1",
            extension=str(query.get("ext", ""))[:6] if str(query.get("ext", "")).isdigit() else "",
        )

    @classmethod
    def from_customer_query(cls, query: Mapping[str, str]) -> "ResultsState | None":
        """The results a customer page (or an unlink/restore page) was reached from: `from` is
        the searched number (E.164); None when there is none to go back to."""
        searched = str(query.get("from", ""))
        if not is_e164(searched):
            return None
        return cls.from_query(query, number=phone_from_e164(searched))

    @property
    def page_size(self) -> int:
        return self.size or settings.SEARCH_PAGE_SIZE

    def _state(self) -> dict[str, str | int]:
        state: dict[str, str | int] = {}
        if self.page > 1:
            state["page"] = self.page
        if self.size:
            state["size"] = self.size
        if self.name_filter:
            state["filter"] = self.name_filter
        return state

    @property
    def results_query(self) -> str:
        """The query string of these results: `/?<results_query>`."""
        return urlencode(
            {"phone": self.number.e164, "country": self.number.selectable_region, **self._state()}
        )

    @property
    def carry_params(self) -> dict[str, str]:
        """What a customer page carries (in its links and forms) to come back to these results."""
        params = {"from": self.number.e164, **self._state()}
        if self.only:
            params["only"] = 1
            if self.extension:
                params["ext"] = self.extension
        return {name: str(value) for name, value in params.items()}

    @property
    def carry_query(self) -> str:
        return urlencode(self.carry_params)

    def with_page(self, page: int) -> "ResultsState":
        return replace(self, page=page)

    @property
    def page_sizes(self) -> list[int]:
        return page_sizes()


# The customer page's own page of numbers; `page` is the results' page it carries for the way back.
NUMBERS_PAGE_PARAM = "numbers_page"


def numbers_page_read(query: Mapping[str, str]) -> int:
    """The page of a customer's numbers asked for; 1 for anything a person could not have
    chosen (the selector takes a page past the end as the last)."""
    return _positive(str(query.get(NUMBERS_PAGE_PARAM, ""))) or 1


def numbers_page_query(came_from: "ResultsState | None", page: int) -> str:
    """The query string of a customer page (or its unlink/restore page): the way back to the
    results it came from, and its page of numbers; "" when there is neither."""
    params = dict(came_from.carry_params) if came_from is not None else {}
    if page > 1:
        params[NUMBERS_PAGE_PARAM] = str(page)
    return urlencode(params)


def _positive(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def _page_size(value: str) -> int | None:
    size = _positive(value)
    return size if size in page_sizes() and size != settings.SEARCH_PAGE_SIZE else None


def country_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The countries the business works in (PHONE_REGIONS) first, then every other country."""
    choices = region_choices(first=tuple(settings.PHONE_REGIONS))
    served = len({code for code in settings.PHONE_REGIONS})
    return [("Countries we serve", choices[:served]), ("All countries", choices[served:])]


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
