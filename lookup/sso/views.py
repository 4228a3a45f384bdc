"""The login page and the two single sign-on endpoints (start, and the provider's callback)."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from lookup.audit import audit_record
from lookup.models import AuditEntry
from lookup.sso import recheck
from lookup.sso.accounts import SsoLoginRefused, account_roles

logger = logging.getLogger(__name__)

# Marks the callback's second, same-site request (see SsoCallbackView.get).
_SAME_SITE_HOP = "same_site_hop"

_TRY_AGAIN = gettext_lazy(
    "Single sign-on did not complete, so you were not signed in. Please try again."
)


class SignInView(LoginView):
    """The login page: the SSO button, the password form, or both, as configured.

    With PASSWORD_LOGIN_ENABLED off the form is gone and a password POST is refused outright
    (ModelBackend is not even installed then, see settings), so no password works in the web app.
    """

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": settings.OIDC_ENABLED,
            "sso_provider_name": settings.OIDC_PROVIDER_NAME,
            "password_login_enabled": settings.PASSWORD_LOGIN_ENABLED,
        }

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # Audited like SSO sign-ins: with SSO on, a password sign-in is break-glass access.
        audit_record(
            request=self.request,
            action=AuditEntry.Action.LOGIN,
            reason="password; roles: " + ", ".join(account_roles(user=self.request.user)),
        )
        return response

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if settings.PASSWORD_LOGIN_ENABLED:
            return super().post(request, *args, **kwargs)
        logger.warning(
            "Password sign-in refused (password login is off) from %s",
            request.META.get("REMOTE_ADDR", "-"),
        )
        context = self.get_context_data(password_refused=True)
        return render(request, self.template_name, context, status=403)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's login URL: the tool's own login page, so there is one sign-in page.

    The admin's password form would bypass PASSWORD_LOGIN_ENABLED and offer no single sign-on.
    Someone already signed in without staff status gets a 403 rather than a redirect loop
    (admin → login → back to the admin).
    """
    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL) + (f"?{query}" if query else ""))


@method_decorator(never_cache, name="dispatch")
class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider, with state, nonce and a PKCE challenge."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


@method_decorator(never_cache, name="dispatch")
class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Where the identity provider sends the browser back: sign in, or say why not.

    Every outcome is audited: `login` with the roles granted, or `login_refused` with the reason
    (the provider's own error, an expired or replayed state, an unverifiable token, an
    unreachable provider, or claims that grant no role). The answer to a session's check
    (lookup.sso.recheck) goes through the same steps; it passes silently or ends the session.
    """

    check_next: str | None = None

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        if _session_cookie_withheld(request):
            return _same_site_hop(request)
        self.check_next = recheck.session_check_claim(request=request)
        problem = _callback_problem(request)
        if problem is not None:
            _state_forget(request)
            return self._refuse(problem)
        try:
            return super().get(request)
        except SsoLoginRefused as refusal:
            return self._refuse(refusal)
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            return self._refuse(
                SsoLoginRefused(reason=f"token not accepted: {exc}", message=_TRY_AGAIN)
            )
        except requests.RequestException as exc:
            return self._refuse(
                SsoLoginRefused(
                    reason=f"identity provider request failed: {exc}"[:1000],
                    message=gettext(
                        "The identity provider could not be reached or refused the support "
                        "tool's request, so you were not signed in. Try again in a minute; if it "
                        "keeps happening, tell IT."
                    ),
                )
            )

    def login_success(self) -> HttpResponse:
        if self.check_next is not None:
            return self._check_passed()
        response = super().login_success()
        recheck.session_check_passed(request=self.request)
        audit_record(
            request=self.request,
            action=AuditEntry.Action.LOGIN,
            reason="single sign-on; roles: " + ", ".join(account_roles(user=self.user)),
        )
        return response

    def login_failure(self) -> HttpResponse:
        # Reached when no backend signed anyone in without saying why (e.g. SSO is configured
        # but its backend is not installed).
        return self._refuse(SsoLoginRefused(reason="no account was signed in", message=_TRY_AGAIN))

    def _refuse(self, refusal: SsoLoginRefused) -> HttpResponse:
        # Someone already signed in stays so: a stale or refused answer proves nothing about
        # their current session (a refusal for lack of groups deactivated the account anyway).
        # Unless the answer is to their session's check: that is what the check asked.
        request = self.request
        if self.check_next is not None and request.user.is_authenticated:
            return recheck.session_check_failed(request=request, refusal=refusal)
        logger.warning(
            "Single sign-on refused for %s: %s", refusal.username or "unknown", refusal.reason
        )
        audit_record(
            request=request,
            action=AuditEntry.Action.LOGIN_REFUSED,
            reason=refusal.reason,
            user=refusal.user,
            actor=refusal.username,
        )
        messages.error(request, refusal.message)
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))

    def _check_passed(self) -> HttpResponse:
        # No new sign-in: the session keeps its start (SESSION_ABSOLUTE_TIMEOUT) and its CSRF
        # token, and the audit trail gets no entry every interval.
        request = self.request
        if self.user.pk != request.user.pk:
            return recheck.session_check_failed(
                request=request,
                refusal=SsoLoginRefused(
                    reason=f"the identity provider answered for {self.user.get_username()!r}",
                    message=_TRY_AGAIN,
                ),
            )
        recheck.session_check_passed(request=request)
        return HttpResponseRedirect(self.check_next)


def _session_cookie_withheld(request: HttpRequest) -> bool:
    """Whether the browser left our session cookie off a cross-site arrival.

    The session cookie is SameSite=Strict (a link from another site must not arrive signed in),
    so the redirect from the identity provider, another site, comes without it, and with it the
    state and nonce saved when the sign-in started. One same-site hop gets it back.
    """
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and _SAME_SITE_HOP not in request.GET


def _same_site_hop(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    query[_SAME_SITE_HOP] = "1"
    continue_url = f"{request.path}?{query.urlencode()}"
    response = render(request, "registration/sso_continue.html", {"continue_url": continue_url})
    # A reload the page itself starts is a same-site navigation: the cookie comes along.
    response["Refresh"] = f"0;url={continue_url}"
    return response


def _callback_problem(request: HttpRequest) -> SsoLoginRefused | None:
    """What makes this callback unusable before any token is fetched, if anything."""
    error = request.GET.get("error", "")
    if error:
        description = request.GET.get("error_description", "")
        return SsoLoginRefused(
            reason=f"identity provider answered {error}: {description}"[:1000],
            message=gettext(
                "The identity provider did not sign you in (you cancelled). You can try again."
            )
            if error == "access_denied"
            else gettext(
                "The identity provider did not sign you in (%(error)s). You can try again."
            )
            % {"error": error},
        )
    # RFC 9207: an answer naming another issuer is a mix-up attack, or a misconfiguration.
    issuer = request.GET.get("iss")
    if issuer is not None and issuer != settings.OIDC_OP_ISSUER:
        return SsoLoginRefused(
            reason=f"answer from issuer {issuer!r}, expected {settings.OIDC_OP_ISSUER!r}",
            message=_TRY_AGAIN,
        )
    state = request.GET.get("state", "")
    if not state or not request.GET.get("code"):
        return SsoLoginRefused(reason="callback without code or state", message=_TRY_AGAIN)
    if state not in request.session.get("oidc_states", {}):
        return SsoLoginRefused(
            reason="unknown or already used state (expired session, another browser, or replay)",
            message=gettext(
                "This sign-in expired or was started in another window. Please sign in again."
            ),
        )
    return None


def _state_forget(request: HttpRequest) -> None:
    """A state is good for one answer, whatever it says (no replay)."""
    states = request.session.get("oidc_states", {})
    if states.pop(request.GET.get("state", ""), None) is not None:
        request.session["oidc_states"] = states
