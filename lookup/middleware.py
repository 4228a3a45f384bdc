import logging
import re
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from lookup.domain.errors import DirectoryUnavailable

logger = logging.getLogger(__name__)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id for logs and audit: the trusted proxy's, else a new one.

    A client-chosen id is never used, so audit entries cannot be made to share an id.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "") if settings.TRUST_PROXY_HEADERS else ""
        request.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class DirectoryUnavailableMiddleware:
    """A DynamoDB outage is a friendly 503 page, not a stack trace."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DirectoryUnavailable):
            return None
        logger.error(
            "Phone directory unavailable (request %s): %s",
            getattr(request, "request_id", "-"),
            exception,
        )
        response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response.render()
