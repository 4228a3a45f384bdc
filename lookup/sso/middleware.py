"""Sends a single sign-on session whose check is due to the identity provider before it may do
anything more (lookup.sso.recheck; docs/sso.md, "Sessions are checked again").

What happens to a request when the check is due depends on what a redirect would do to it:
- a page the browser navigates to (GET or HEAD) is redirected through the silent check and
  comes back to the same address;
- a form the browser posts is not run: its fields are kept in the session, and a page that
  reloads itself to the "send again" page at once (lookup.sso.resume) goes through the check
  like any page; a redirect straight to the provider would be blocked by the
  Content-Security-Policy's form-action 'self', which covers a form's redirects;
- anything else (a script's request, another method) gets a 401 JSON answer naming the check,
  since a redirect to another site is useless to it; it is not run either.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

from lookup.sso.recheck import session_check_due, session_check_start, session_is_sso
from lookup.sso.resume import post_keep

# Signing in and out, and the check itself, must work while a check is due. ("Send again" is
# checked: it is how a form posted while a check was due reaches the provider.)
_NOT_CHECKED = frozenset(
    {
        "login",
        "logout",
        "oidc_authentication_init",
        "oidc_authentication_callback",
        "admin:logout",
    }
)


class SsoSessionCheckMiddleware:
    """After CsrfViewMiddleware: a forged form is refused before its fields could be kept."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not _applies(request, view_func) or not session_check_due(request=request):
            return None
        navigation = _is_navigation(request)
        if navigation and request.method in ("GET", "HEAD"):
            return session_check_start(request=request, next_url=request.get_full_path())
        if navigation and request.method == "POST" and not request.FILES:
            return post_keep(request=request)
        return JsonResponse(
            {
                "error": "session_check_required",
                "detail": gettext(
                    "Your sign-in must be confirmed with the identity provider: open or reload "
                    "the page, then try again. Nothing was done."
                ),
            },
            status=401,
        )


def _applies(request: HttpRequest, view_func) -> bool:
    if not settings.OIDC_ENABLED or not request.user.is_authenticated:
        return False
    match = request.resolver_match
    if match is not None and match.view_name in _NOT_CHECKED:
        return False
    # The API authenticates each call with its key, not with a session.
    return not getattr(view_func, "csrf_exempt", False) and session_is_sso(request=request)


def _is_navigation(request: HttpRequest) -> bool:
    """Whether the browser shows the answer as a page (a link, an address, a form)."""
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode is not None:
        return mode == "navigate"
    # Browsers without Fetch Metadata: scripts mark themselves or ask for JSON.
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return False
    accept = request.headers.get("Accept", "")
    return not ("json" in accept and "html" not in accept)
