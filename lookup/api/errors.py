"""The API's own input errors, in the one shape of `api_error` (`lookup.access.answers`):
`{"error": {"code", "message", "field"?}}`. The site's error handlers, which answer that shape
under /api/ whatever failed, are in `lookup.error_pages`."""

from django.http import JsonResponse

from lookup.access.answers import api_error
from lookup.domain.errors import InvalidField


def api_field_error(error: InvalidField, *, code: str = "invalid_request") -> JsonResponse:
    return api_error(status=400, code=code, message=error.message, field=error.field)
