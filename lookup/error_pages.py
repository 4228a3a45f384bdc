"""The site's error handlers (`handler400`, `handler403`, `handler404`, `handler500` in
supporttool/urls.py): under /api/ they answer the API's JSON shape (`lookup.access.answers`
`api_error`) whatever failed, so an API caller never has to read an HTML page; people get the
HTML pages."""

from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.views import defaults

from lookup.access.answers import api_error, api_requested


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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: our own messages ("No customer with this id.") are shown, Django's are not."""
    if api_requested(request):
        return api_not_found()
    message = exception.args[0] if isinstance(exception, Http404) and exception.args else ""
    if not isinstance(message, str) or isinstance(exception, Resolver404):
        message = ""
    return render(request, "404.html", {"message": message}, status=404)
