"""How a refusal is answered: a page for people, the API's one JSON error shape for services.

Two refusals tell the caller when to come back: 429 (a rate limit or a sign-in lockout, with the
one retry formula) and 503 (DynamoDB is out, whichever page or API call met it).
"""

import logging
from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

OUTAGE_RETRY_AFTER_SECONDS = 30


def api_error(
    *,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """The one shape of every API error: `{"error": {"code", "message", "field"?}}`."""
    error: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return JsonResponse({"error": error}, status=status, headers=headers)


def api_requested(request: HttpRequest) -> bool:
    """Whether the request is an API call (its errors answer JSON)."""
    return request.path.startswith("/api/")


def retry_seconds(*, until: datetime, now: datetime | None = None) -> int:
    """Whole seconds until `until` (at least 1, as Retry-After wants)."""
    remaining = (until - (now or timezone.now())).total_seconds()
    return max(1, int(remaining + 0.999))


def too_many(
    *,
    request: HttpRequest,
    retry_at: datetime,
    title: str,
    what: str,
    api_message: str = "",
    is_lockout: bool = False,
) -> HttpResponse:
    """429 with Retry-After: the API's JSON error when `api_message` is given ("{retry_after}"
    in it becomes the seconds), else the page saying what was too much and when to go on."""
    retry_after = retry_seconds(until=retry_at)
    headers = {"Retry-After": str(retry_after)}
    if api_message:
        return api_error(
            status=429,
            code="rate_limited",
            message=api_message.format(retry_after=retry_after),
            headers=headers,
        )
    context = {"title": title, "what": what, "retry_after": retry_after, "retry_at": retry_at}
    if is_lockout:
        context |= {"retry_minutes": -(-retry_after // 60), "is_lockout": True}
    # Rendered here: the lockout's is built in a middleware, after the view layer renders.
    return TemplateResponse(request, "429.html", context, status=429, headers=headers).render()


def directory_unavailable(*, request: HttpRequest, error: Exception) -> HttpResponse:
    """503 with Retry-After for a DynamoDB outage: JSON for API callers, the page for people.
    The log line names the request and what failed."""
    api = api_requested(request)
    logger.error(
        "Phone directory unavailable (%srequest %s): %s",
        "API " if api else "",
        getattr(request, "request_id", "-"),
        error,
    )
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)}
    if api:
        return api_error(
            status=503,
            code="directory_unavailable",
            message="Customer data is temporarily unavailable; retry later.",
            headers=headers,
        )
    # Rendered here: a middleware answers it, after the view layer renders.
    return TemplateResponse(request, "503.html", status=503, headers=headers).render()
