import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import ngettext

from lookup.access.answers import directory_unavailable
from lookup.domain.errors import DirectoryUnavailable
from lookup.logs import (
    request_context_begin,
    request_context_end,
    request_context_keep,
    request_context_user,
)

access_logger = logging.getLogger("lookup.requests")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SESSION_SIGNED_IN_AT = "lookup.signed_in_at"
SESSION_RENEWED_AT = "lookup.renewed_at"
SESSION_RENEW_EVERY = 60  # seconds


class RequestIdMiddleware:
    """Give every request an id for logs and audit: a new one, or the one a proxy that sets its
    own names in `REQUEST_ID_HEADER`.

    A client-chosen id is never used (audit entries could be made to share an id): only a header
    the proxy always overwrites may be named, which an AWS load balancer's `X-Request-ID` pass-
    through is not. Every log line written while the request runs carries the id (`lookup.logs`),
    and one access line per request says how it ended and how long it took.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = settings.REQUEST_ID_HEADER
        incoming = request.headers.get(header, "") if header else ""
        request.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_context_begin(request_id=request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            # The path without its query string: searches carry phone numbers there.
            access_logger.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_context_keep(request)
            request_context_end(token)


class RequestUserMiddleware:
    """Name the signed-in person in the request's log lines (after AuthenticationMiddleware)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request_context_user(user=user.get_username())
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Keep an active session alive, and end it SESSION_ABSOLUTE_TIMEOUT after sign-in however
    active it stays: a session stolen from an unlocked screen cannot be kept alive for days.

    The idle timeout is the session's own expiry (SESSION_COOKIE_AGE), pushed back by a save. A
    save per request would be a database write on every page; one a minute at most keeps the
    idle timeout to the minute and spares the rest.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
            now = time.time()
            if not isinstance(signed_in_at, int | float):
                # Signed in before this middleware existed (or by a test's force_login).
                request.session[SESSION_SIGNED_IN_AT] = now
            elif now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
                messages.info(
                    request,
                    ngettext(
                        "Your session has ended: sessions last at most %(hours)d hour. "
                        "Please sign in again.",
                        "Your session has ended: sessions last at most %(hours)d hours. "
                        "Please sign in again.",
                        hours,
                    )
                    % {"hours": hours},
                )
                return redirect_to_login(request.get_full_path())
            renewed_at = request.session.get(SESSION_RENEWED_AT, 0)
            if not isinstance(renewed_at, int | float) or now - renewed_at >= SESSION_RENEW_EVERY:
                request.session[SESSION_RENEWED_AT] = now  # saved: the expiry moves on
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="lookup.middleware.session_signed_in_at")
def session_signed_in_at(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SIGNED_IN_AT] = time.time()


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every page and API response the app renders.

    Nearly every page shows customer data or the audit trail; a browser or proxy must keep no
    copy of any of them. (Static files are served before this, by whitenoise, and stay cached.)
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class DirectoryUnavailableMiddleware:
    """A DynamoDB outage is a friendly 503 (a page, or the API's JSON error), not a stack
    trace: the one place either is answered."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DirectoryUnavailable):
            return None
        return directory_unavailable(request=request, error=exception)
