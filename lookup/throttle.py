"""Rate limits against bulk enumeration, with their state in the relational database.

Every web process on every host counts against the same limit: the counters are rows of
`RateCounter` (one per identity and minute), incremented with a single UPDATE, which is atomic on
SQLite and PostgreSQL alike. Per-process memory would let two gunicorn workers each grant the
full limit.

Three limits, each per minute and configurable (0 turns one off):

* `RATE_LIMIT_LOOKUPS_PER_MINUTE` - a person's searches by number and customer pages together;
* `RATE_LIMIT_API_CALLS_PER_MINUTE` - an API client's calls;
* `RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE` - wrong API keys from one client address; past it the
  address's calls without a valid key get 429 until the minute is over. A valid key is always
  served (subject to its own client's limit): an office or a NAT shares an address, and someone
  else's wrong keys must not pause the order service.

A refusal answers 429 with `Retry-After` (an HTML page for people, the API's JSON error for
services) and the first refusal of each minute is audited: enough to see who hit a limit without
letting a loop fill the audit trail.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from lookup.api.auth import api_key_from_request
from lookup.api.errors import api_error
from lookup.audit import audit_record, client_address
from lookup.logs import request_context_user
from lookup.models import ApiClient, AuditEntry, RateCounter

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    """One request's place in its identity's current window."""

    count: int  # requests in this window, this one included
    limit: int
    resets_at: datetime

    @property
    def allowed(self) -> bool:
        return self.limit <= 0 or self.count <= self.limit

    @property
    def first_refusal(self) -> bool:
        """The one refusal per window worth an audit entry."""
        return self.limit > 0 and self.count == self.limit + 1

    def retry_after(self, *, now: datetime | None = None) -> int:
        """Whole seconds until the window ends (at least 1, as Retry-After wants)."""
        remaining = (self.resets_at - (now or timezone.now())).total_seconds()
        return max(1, int(remaining + 0.999))


def rate_hit(*, scope: str, identity: str, limit: int) -> RateDecision:
    """Count one request of `identity` in `scope` and say whether it is within `limit`."""
    now = timezone.now()
    key, resets_at = _window_key(scope=scope, identity=identity, now=now)
    if limit <= 0:
        return RateDecision(count=0, limit=limit, resets_at=resets_at)
    count = _counter_increment(key)
    if count is None:  # the identity's first request of this window
        with transaction.atomic():
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, count=1, expires_at=resets_at)
                count = 1
            except IntegrityError:  # another process opened the window first
                count = _counter_increment(key)
            # Once per identity and minute: cheap, and keeps the table to the active windows.
            RateCounter.objects.filter(expires_at__lt=now).delete()
    return RateDecision(count=count or 1, limit=limit, resets_at=resets_at)


def _counter_increment(key: str) -> int | None:
    """Add one to the window's counter and read it back in one atomic statement (SQLite and
    PostgreSQL both return the row an UPDATE wrote): exactly this request's place, whoever
    counts at the same time. None when the window has no counter yet."""
    table, count, key_column = (
        connection.ops.quote_name(name) for name in (RateCounter._meta.db_table, "count", "key")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {count} = {count} + 1 WHERE {key_column} = %s "  # noqa: S608
            f"RETURNING {count}",
            [key],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def rate_peek(*, scope: str, identity: str, limit: int) -> RateDecision:
    """The window's count so far, without counting this request."""
    key, resets_at = _window_key(scope=scope, identity=identity, now=timezone.now())
    count = RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return RateDecision(count=count, limit=limit, resets_at=resets_at)


def _window_key(*, scope: str, identity: str, now: datetime) -> tuple[str, datetime]:
    window = int(now.timestamp()) // WINDOW_SECONDS
    resets_at = datetime.fromtimestamp((window + 1) * WINDOW_SECONDS, tz=UTC)
    # Identities are usernames, addresses and ids: hashed, so any of them fits the column.
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{scope}:{digest}:{window}", resets_at


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


def lookup_rate_limit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Limit a signed-in person's customer lookups: searches with a number, customer pages and
    the unlink and restore confirmations (each shows a customer).

    Goes under `login_required`. The empty search form is not a lookup and is never counted,
    nor is a form sent (an unlink is audited as one), nor the customer page a search opened by
    itself (`lookup_opened_by_search`).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refusal = _lookup_refusal(request=request, view_kwargs=kwargs)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper


# The decisions are plain functions, outside the decorators' wrappers, so that `make mutants`
# (which leaves decorated functions alone) mutates them too.
def _lookup_refusal(*, request: HttpRequest, view_kwargs: dict) -> HttpResponse | None:
    looks = request.method in ("GET", "HEAD") and (view_kwargs or "phone" in request.GET)
    if not looks or _opened_by_search(request):
        return None
    decision = rate_hit(
        scope="lookups",
        identity=f"user:{request.user.pk}",
        limit=settings.RATE_LIMIT_LOOKUPS_PER_MINUTE,
    )
    if decision.allowed:
        return None
    if decision.first_refusal:
        audit_record(
            request=request,
            action=AuditEntry.Action.RATE_LIMITED,
            reason=f"more than {decision.limit} searches and customer pages in a minute",
        )
    return rate_limited_page(
        request=request,
        decision=decision,
        what=f"more than {decision.limit} searches and customer pages in a minute",
    )


def rate_limited_page(*, request: HttpRequest, decision: RateDecision, what: str) -> HttpResponse:
    retry_after = decision.retry_after()
    response = TemplateResponse(
        request,
        "429.html",
        {
            "title": "Too many lookups",
            "what": what,
            "retry_after": retry_after,
            "retry_at": decision.resets_at,
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


# --- the API -------------------------------------------------------------------------------------


def api_key_failure_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Outermost on an API view: an address that keeps sending wrong keys is refused for a while.

    Counts the 401s answered to calls that carried a key; once an address reaches the limit, its
    calls without a valid key get 429 until the minute is over. The key is still checked in full
    (prefix and secret): a valid one is served, so a shared address (an office, a NAT) is never
    paused by someone else's wrong keys. Guessing gains nothing from that: a secret is 256
    random bits, and past the limit a wrong guess is refused before the view is reached, neither
    logged nor counted further.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refusal = _api_key_failures_refusal(request=request)
        if refusal is not None:
            return refusal
        response = view(request, *args, **kwargs)
        _api_key_failure_count(request=request, response=response)
        return response

    return wrapper


def _api_key_failures_refusal(*, request: HttpRequest) -> HttpResponse | None:
    limit = settings.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE
    if limit <= 0:
        return None
    address = client_address(request) or "unknown"
    seen = rate_peek(scope="api-key-failures", identity=address, limit=limit)
    if seen.count < limit or not _key_refused(request=request):
        return None
    return _api_rate_limited(
        decision=seen,
        message=f"Too many invalid API keys from this address; retry after {seen.retry_after()} s.",
    )


def _key_refused(*, request: HttpRequest) -> bool:
    """Whether the request lacks a key that authenticates (the view checks it again)."""
    return ApiClient.authenticate(api_key_from_request(request=request)) is None


def _api_key_failure_count(*, request: HttpRequest, response: HttpResponse) -> None:
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


def api_client_rate_limit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Innermost on an API view with a scope: at most N calls per client and minute."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, client, **kwargs) -> HttpResponse:
        refusal = _api_client_refusal(request=request, client=client)
        if refusal is not None:
            return refusal
        return view(request, *args, client=client, **kwargs)

    return wrapper


def _api_client_refusal(*, request: HttpRequest, client) -> HttpResponse | None:
    # The first point that knows the caller: name it in the request's log lines.
    request_context_user(user=f"api:{client.name}")
    decision = rate_hit(
        scope="api-calls",
        identity=f"client:{client.pk}",
        limit=settings.RATE_LIMIT_API_CALLS_PER_MINUTE,
    )
    if decision.allowed:
        return None
    if decision.first_refusal:
        audit_record(
            request=request,
            action=AuditEntry.Action.RATE_LIMITED,
            reason=f"more than {decision.limit} API calls in a minute",
            api_client=client,
        )
    return _api_rate_limited(
        decision=decision,
        message=f"This API key made more than {decision.limit} calls in a minute; "
        f"retry after {decision.retry_after()} s.",
    )


def _api_rate_limited(*, decision: RateDecision, message: str) -> HttpResponse:
    return api_error(
        status=429,
        code="rate_limited",
        message=message,
        headers={"Retry-After": str(decision.retry_after())},
    )
