"""A single sign-on session is confirmed with the identity provider every
OIDC_SESSION_CHECK_INTERVAL seconds (docs/sso.md, "Sessions are checked again").

The check is a silent authorization request (`prompt=none`): the browser goes to the provider
and straight back with a new code, without a page, as long as the person is still signed in
there. The callback then runs the sign-in rules again (roles recomputed from the groups), or
ends the session when the provider says the login is gone or the groups grant no role.
"""

import logging
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from mozilla_django_oidc.utils import (
    absolutify,
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)

from lookup.audit import audit_record
from lookup.models import AuditEntry
from lookup.sso.accounts import SsoLoginRefused

logger = logging.getLogger(__name__)

SSO_BACKEND = "lookup.sso.backend.RoleMappingOIDCBackend"
SESSION_CHECKED_AT = "lookup.sso.checked_at"
# state -> where to go once the check passes; a few, for checks started in several tabs.
SESSION_CHECKS = "lookup.sso.checks"
_CHECKS_KEPT = 10

# The provider's answers to prompt=none meaning "this person must sign in again"
# (OpenID Connect Core 3.1.2.6).
_SIGNED_OUT_ERRORS = frozenset(
    {"login_required", "interaction_required", "consent_required", "account_selection_required"}
)


def session_clock() -> float:
    """Seconds since the epoch: the one clock the checks read (tests move it)."""
    return time.time()


def session_is_sso(*, request: HttpRequest) -> bool:
    """Whether the signed-in session was opened by single sign-on (not with a password)."""
    return request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND


def session_check_due(*, request: HttpRequest) -> bool:
    checked_at = request.session.get(SESSION_CHECKED_AT)
    if not isinstance(checked_at, int | float):
        # Opened before checks existed: check now rather than trust it for a whole interval.
        return True
    return session_clock() - checked_at >= settings.OIDC_SESSION_CHECK_INTERVAL


def session_check_passed(*, request: HttpRequest) -> None:
    request.session[SESSION_CHECKED_AT] = session_clock()


def session_check_start(*, request: HttpRequest, next_url: str) -> HttpResponse:
    """Send the browser to the provider for a silent check, coming back to `next_url`.

    The request is the sign-in's (state, nonce, PKCE), plus prompt=none: the provider must
    answer at once, with a code or with an error, never with a page.
    """
    state = get_random_string(32)
    code_verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "redirect_uri": absolutify(request, reverse("oidc_authentication_callback")),
        "state": state,
        "nonce": get_random_string(32),
        "prompt": "none",
        "code_challenge": generate_code_challenge(code_verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier)
    checks = dict(list(request.session.get(SESSION_CHECKS, {}).items())[-(_CHECKS_KEPT - 1) :])
    checks[state] = next_url
    request.session[SESSION_CHECKS] = checks
    query = urlencode(params, quote_via=quote)
    return HttpResponseRedirect(f"{settings.OIDC_OP_AUTHORIZATION_ENDPOINT}?{query}")


def session_check_claim(*, request: HttpRequest) -> str | None:
    """Where to go after this callback if it answers a check (None: it answers a sign-in).

    A state is good once, like a sign-in's.
    """
    checks = request.session.get(SESSION_CHECKS, {})
    next_url = checks.pop(request.GET.get("state", ""), None)
    if next_url is not None:
        request.session[SESSION_CHECKS] = checks
    return next_url


def session_check_failed(*, request: HttpRequest, refusal: SsoLoginRefused) -> HttpResponse:
    """End the session: audited, signed out, and the login page says why."""
    if request.GET.get("error") in _SIGNED_OUT_ERRORS:
        message = gettext(
            "Your session has ended: you are no longer signed in with %(provider)s. "
            "Please sign in again."
        ) % {"provider": settings.OIDC_PROVIDER_NAME}
    elif refusal.user is not None:
        message = refusal.message  # the groups no longer grant a role: it says so
    else:
        message = gettext(
            "Your session has ended: the support tool could not confirm with %(provider)s that "
            "you still have access. Please sign in again."
        ) % {"provider": settings.OIDC_PROVIDER_NAME}
    return session_end(request=request, reason=refusal.reason, message=message)


def session_end(*, request: HttpRequest, reason: str, message: str) -> HttpResponse:
    logger.warning("Single sign-on session of %s ended by its check: %s", request.user, reason)
    audit_record(
        request=request,
        action=AuditEntry.Action.LOGIN_REFUSED,
        reason=f"session check: {reason}; session ended"[:1000],
    )
    logout(request)
    messages.error(request, message)
    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
