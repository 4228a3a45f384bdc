"""The API's errors beyond the access layer's refusals, in the one shape of `api_error`
(`lookup.access.answers`): `{"error": {"code", "message", "field"?}}`.

The error handlers (`handler400`, `handler403`, `handler500`; `handler404` through
`lookup.views.page_not_found`) answer this shape under /api/ whatever failed, so an API caller
never has to read an HTML page; people get the HTML pages.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults

from lookup.access.answers import api_error, api_requested
from lookup.domain.errors import InvalidField


def api_field_error(error: InvalidField, *, code: str = "invalid_request") -> JsonResponse:
    return api_error(status=400, code=code, message=error.message, field=error.field)


def api_not_found() -> JsonResponse:
    return api_error(
        status=404, code="not_found", message="No such endpoint; see /api/v1/openapi.json."
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refuses before any view (a `Host` this service does not
    answer for, a malformed body): JSON for API callers, the HTML page for people."""
    if not api_requested(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, DisallowedHost):
        # The host is the caller's text: not repeated back.
        message = "The Host header names a host this service does not answer for."
    else:
        message = "The request was malformed; nothing was changed."
    return api_error(status=400, code="bad_request", message=message)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: JSON for API callers, the HTML page (which role is needed) for people."""
    if not api_requested(request):
        return defaults.permission_denied(request, exception)
    return api_error(status=403, code="forbidden", message="This call is not allowed.")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON for API callers, the HTML page for people; both name the request id.

    The id is the one in the error's log line, so a report can be matched to its stack trace.
    The page is rendered without context processors: they may be what failed.
    """
    request_id = getattr(request, "request_id", "")
    if api_requested(request):
        reference = f" (request id {request_id})" if request_id else ""
        return api_error(
            status=500,
            code="server_error",
            message=f"Unexpected error{reference}; it has been logged. Retry later.",
        )
    page = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(page)
