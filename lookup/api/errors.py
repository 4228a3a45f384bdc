"""The one shape of every API error: `{"error": {"code", "message", "field"?}}`."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

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
    """handler500: JSON for API callers, the HTML page for people."""
    if request.path.startswith("/api/"):
        return api_error(
            status=500,
            code="server_error",
            message="Unexpected error; it has been logged. Retry later.",
        )
    return defaults.server_error(request)
