"""Where the agent is in a number's results, carried from page to page: the results' page, page
size and filter, the customer page's page of numbers, in query strings read tolerantly (a value
a person could not have chosen falls back to its default rather than failing the page)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings

from lookup.domain.text import text_displayable
from lookup.phones import PhoneNumber, is_e164, phone_from_e164
from lookup.services.customers import CustomerQuery, LinkQuery

MAX_FILTER_LENGTH = 100


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


@dataclass(frozen=True)
class CustomerAddress:
    """What the address of a customer page (or of its unlink/restore page) carries: the search
    the agent came from, the page of the customer's numbers, and on an unlink/restore page the
    legacy record it is about."""

    came_from: ResultsState | None = None
    numbers_page: int = 1
    legacy_id: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "CustomerAddress":
        return cls(
            came_from=ResultsState.from_customer_query(query),
            numbers_page=numbers_page_read(query),
            legacy_id=str(query.get("legacy", "")) or None,
        )

    def customer_query(self, *, customer_id: str, include_unlinked: bool) -> CustomerQuery:
        """The customer page asked for: the number searched (pinned first) and the page of
        numbers; `include_unlinked` for those who may restore links."""
        return CustomerQuery(
            customer_id=customer_id,
            include_unlinked=include_unlinked,
            searched=self.came_from.number.e164 if self.came_from is not None else None,
            page=self.numbers_page,
        )

    def link_query(self, *, customer_id: str, phone: str, posted_legacy: str = "") -> LinkQuery:
        """The link an unlink/restore page is about; the legacy record its form posted wins
        over its address's."""
        return LinkQuery(
            customer_id=customer_id, phone=phone, legacy_id=posted_legacy or self.legacy_id
        )

    def query(self, *, numbers_page: int | None = None) -> str:
        """The query string of the customer page: the way back to the results, and its page of
        numbers (this one unless another is given); "" when there is neither."""
        return numbers_page_query(
            self.came_from, self.numbers_page if numbers_page is None else numbers_page
        )
