"""Rate limits against bulk enumeration: one factory for people's pages and the API's calls.

Three limits, each per minute and configurable (0 turns one off), counted in `rates`:

* `RATE_LIMIT_LOOKUPS_PER_MINUTE` - a person's searches by number and customer pages together;
* `RATE_LIMIT_API_CALLS_PER_MINUTE` - an API client's calls;
* `RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE` - wrong API keys from one client address; past it the
  address's calls without a valid key get 429 until the minute is over. A valid key is always
  served (subject to its own client's limit): an office or a NAT shares an address, and someone
  else's wrong keys must not pause the order service.

`rate_limited` also serves other limits, with a window of their own: a lead's bulk unlinks
(`BULK_UNLINKS_PER_HOUR`, lookup/bulk_views.py) are counted per hour.

A refusal answers 429 with `Retry-After` (an HTML page for people, the API's JSON error for
services: `answers.too_many`) and the first refusal of each minute is audited: enough to see who
hit a limit without letting a loop fill the audit trail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lookup.access.answers import too_many
from lookup.access.api_keys import api_key_from_request
from lookup.access.identity import client_address
from lookup.access.rates import WINDOW_SECONDS, rate_hit, rate_peek
from lookup.audit import audit_record
from lookup.models import ApiClient, AuditEntry


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One per-minute limit: what it counts, whose, and how its refusal reads."""

    scope: str  # the counters' name
    setting: str  # the setting holding the limit (0: off)
    # Whose request this is, as counted; None: this request is not counted.
    identity: Callable[..., str | None]
    # What was too much, with {limit}: the audit entry's reason and the page's words.
    what: str
    title: str = ""  # the page's title; people only
    # The API's error message, with {limit} and {{retry_after}}; "" answers the page.
    api_message: str = ""
    window: int = WINDOW_SECONDS  # seconds each count lasts (a minute, or an hour)


def rate_limited(
    limit: RateLimit,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator that counts its requests against `limit` and refuses those past it."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refusal = rate_limit_refusal(limit=limit, request=request, view_kwargs=kwargs)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# The decisions are plain functions, outside the decorators' wrappers, so that `make mutants`
# (which leaves decorated functions alone) mutates them too.
def rate_limit_refusal(
    *, limit: RateLimit, request: HttpRequest, view_kwargs: dict
) -> HttpResponse | None:
    """Count the request against `limit`: None within it, else the 429 (the first refusal of
    the minute audited)."""
    identity = limit.identity(request=request, view_kwargs=view_kwargs)
    if identity is None:
        return None
    decision = rate_hit(
        scope=limit.scope,
        identity=identity,
        limit=getattr(settings, limit.setting),
        window=limit.window,
    )
    if decision.allowed:
        return None
    if decision.first_refusal:
        audit_record(
            request=request,
            action=AuditEntry.Action.RATE_LIMITED,
            reason=limit.what.format(limit=decision.limit),
            api_client=view_kwargs.get("client"),
        )
    return too_many(
        request=request,
        retry_at=decision.resets_at,
        title=_(limit.title) if limit.title else "",
        what=_(limit.what).format(limit=decision.limit),
        api_message=limit.api_message.format(limit=decision.limit),
    )


# --- pages for people ----------------------------------------------------------------------------


# The customer page a search opened by itself (its one match): already counted with the search.
_OPENED_SESSION_KEY = "lookup.opened_by_search"


def lookup_opened_by_search(*, request: HttpRequest, path: str) -> None:
    """Note that the search being answered opens the page at `path` itself: that page is the
    same lookup, so it is not counted again (once, the next time it is opened)."""
    request.session[_OPENED_SESSION_KEY] = path


def _opened_by_search(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is None or session.get(_OPENED_SESSION_KEY) != request.path:
        return False
    del session[_OPENED_SESSION_KEY]
    return True


def _lookup_identity(*, request: HttpRequest, view_kwargs: dict) -> str | None:
    """A person's lookups: searches with a number, customer pages and the unlink and restore
    confirmations (each shows a customer). The empty search form is not a lookup and is never
    counted, nor is a form sent (an unlink is audited as one), nor the customer page a search
    opened by itself (`lookup_opened_by_search`)."""
    looks = request.method in ("GET", "HEAD") and (view_kwargs or "phone" in request.GET)
    if not looks or _opened_by_search(request):
        return None
    return f"user:{request.user.pk}"


LOOKUPS = RateLimit(
    scope="lookups",
    setting="RATE_LIMIT_LOOKUPS_PER_MINUTE",
    identity=_lookup_identity,
    what=gettext_noop("more than {limit} searches and customer pages in a minute"),
    title=gettext_noop("Too many lookups"),
)

# Goes under `login_required`: the identity is the signed-in person.
lookup_rate_limit = rate_limited(LOOKUPS)


# --- the API -------------------------------------------------------------------------------------


def _api_client_identity(*, request: HttpRequest, view_kwargs: dict) -> str:
    return f"client:{view_kwargs['client'].pk}"


# Checked once the key has named its client (`api_calls.api_view`).
API_CALLS = RateLimit(
    scope="api-calls",
    setting="RATE_LIMIT_API_CALLS_PER_MINUTE",
    identity=_api_client_identity,
    what="more than {limit} API calls in a minute",
    api_message="This API key made more than {limit} calls in a minute; "
    "retry after {{retry_after}} s.",
)


def api_key_failures_refusal(*, request: HttpRequest) -> HttpResponse | None:
    """Before an API call with a scope: an address that keeps sending wrong keys is refused for
    a while.

    Once an address reaches the limit of 401s (`api_key_failure_count`), its calls without a
    valid key get 429 until the minute is over. The key is still checked in full (prefix and
    secret): a valid one is served, so a shared address (an office, a NAT) is never paused by
    someone else's wrong keys. Guessing gains nothing from that: a secret is 256 random bits,
    and past the limit a wrong guess is refused before the view is reached, neither logged nor
    counted further.
    """
    limit = settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE
    if limit <= 0:
        return None
    address = client_address(request) or "unknown"
    seen = rate_peek(scope="api-key-failures", identity=address, limit=limit)
    if seen.count < limit or not _key_refused(request=request):
        return None
    return too_many(
        request=request,
        retry_at=seen.resets_at,
        title="",
        what="",
        api_message="Too many invalid API keys from this address; retry after {retry_after} s.",
    )


def _key_refused(*, request: HttpRequest) -> bool:
    """Whether the request lacks a key that authenticates (the view checks it again)."""
    return ApiClient.authenticate(api_key_from_request(request=request)) is None


def api_key_failure_count(*, request: HttpRequest, response: HttpResponse) -> None:
    """After an API call with a scope: count a 401 answered to a call that carried a key."""
    limit = settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE
    if limit <= 0 or response.status_code != 401 or not api_key_from_request(request=request):
        return
    address = client_address(request) or "unknown"
    decision = rate_hit(scope="api-key-failures", identity=address, limit=limit)
    if decision.count == limit:
        audit_record(
            request=request,
            action=AuditEntry.Action.RATE_LIMITED,
            reason=f"{limit} invalid API keys in a minute from this address: "
            "its API calls are refused until the minute is over",
        )
