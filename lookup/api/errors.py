"""The one shape of every API error: `{"error": {"code", "message", "field"?}}`."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

from lookup.domain.errors import InvalidField


def api_error(
    *,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    error: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return JsonResponse({"error": error}, status=status, headers=headers)


def api_field_error(error: InvalidField, *, code: str = "invalid_request") -> JsonResponse:
    return api_error(status=400, code=code, message=error.message, field=error.field)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON for API callers, the HTML page for people; both name the request id.

    The id is the one in the error's log line, so a report can be matched to its stack trace.
    The page is rendered without context processors: they may be what failed.
    """
    request_id = getattr(request, "request_id", "")
    if request.path.startswith("/api/"):
        reference = f" (request id {request_id})" if request_id else ""
        return api_error(
            status=500,
            code="server_error",
            message=f"Unexpected error{reference}; it has been logged. Retry later.",
        )
    page = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(page)
