"""Login lockout (django-axes) wired to this tool: its client address, limits, page and audit.

django-axes keeps every failed sign-in in the database (`AccessAttempt`), so all web processes
and hosts share one count. Two limits, both within `LOGIN_COOLOFF_MINUTES`:

* an account is locked after `LOGIN_FAILURE_LIMIT` failures, from any address - guessing one
  person's password;
* an address is locked after `LOGIN_ADDRESS_FAILURE_LIMIT` failures, for any account - trying
  many accounts (password spraying). Higher than the account limit, because a support floor signs
  in from one office address and a few typos there must not lock everyone out.

Every failed sign-in and each lockout goes to the tool's audit trail; a locked sign-in page says
when to try again.
"""

import logging
from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lookup.access.answers import too_many
from lookup.access.identity import client_address
from lookup.audit import audit_record
from lookup.models import AuditEntry

logger = logging.getLogger(__name__)

_REFUSED_WHILE_LOCKED = "lookup_refused_while_locked"


def login_client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the audit trail records (TRUST_PROXY_HEADERS aware).

    Without it axes would take REMOTE_ADDR, which behind a load balancer is the balancer's
    address: one lockout would lock out everyone.
    """
    return client_address(request)


class LockoutBackend(AxesStandaloneBackend):
    """axes' gate in front of ModelBackend, marking sign-ins refused because of a lockout."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # authenticate() called from code (a management command, a test), not a sign-in
            # form: nothing comes from the network, there is no address to count. Both of this
            # app's sign-in forms (the login page and the admin's) pass the request.
            return None
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, _REFUSED_WHILE_LOCKED, True)
            raise


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit for the account and another for the address."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures as axes compares them with AXES_FAILURE_LIMIT (the account limit).

        axes has one limit for every lockout parameter; an address that reached its own, higher
        limit is reported as having reached the account limit.
        """
        by_account, by_address = _recent_failures(request=request, credentials=credentials)
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account


def _recent_failures(*, request: HttpRequest, credentials: dict | None) -> tuple[int, int]:
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    username = get_client_username(request, credentials)
    by_account = (
        recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
        if username
        else 0
    )
    address = getattr(request, "axes_ip_address", None)
    by_address = (
        recent.filter(ip_address=address).aggregate(n=Sum("failures_since_start"))["n"] or 0
        if address
        else 0
    )
    return by_account, by_address


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page's 429, saying when to try again."""
    return too_many(
        request=request,
        retry_at=_lock_ends(request=request, credentials=credentials),
        title=_("Sign-in locked"),
        what=_("too many failed sign-ins for this account or from this address"),
        is_lockout=True,
    )


def _lock_ends(*, request: HttpRequest, credentials: dict | None) -> datetime:
    """The last failure plus the cool-off: every failure during a lockout restarts it."""
    cool_off = get_cool_off(request) or timedelta(0)
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None)
    match = Q(ip_address=address) if address else Q(pk__in=[])
    if username:
        match |= Q(username=username)
    last = AccessAttempt.objects.filter(match).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def login_failure_audit(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    """Every failed sign-in, on the login page and the admin's, is on the audit trail."""
    if request is None:  # authenticate() called from code, not a sign-in form
        return
    refused = getattr(request, _REFUSED_WHILE_LOCKED, False)
    audit_record(
        request=request,
        action=AuditEntry.Action.LOGIN_FAILED,
        subject=str(credentials.get("username") or ""),
        reason="refused: locked after too many failed sign-ins"
        if refused
        else "wrong username or password",
    )


def lockout_audit(sender, request: HttpRequest, username, ip_address, **kwargs):
    """One entry per lockout, not one per refused attempt while it lasts."""
    username = str(username or "")
    since = timezone.now() - (get_cool_off(request) or timedelta(0))
    already = AuditEntry.objects.filter(
        action=AuditEntry.Action.LOGIN_LOCKED_OUT,
        at__gte=since,
        subject=username,
        client_address=client_address(request),
    ).exists()
    if already:
        return
    by_account, by_address = _recent_failures(
        request=request, credentials=getattr(request, "axes_credentials", None)
    )
    logger.warning("Sign-in locked for %r after repeated failures", username)
    audit_record(
        request=request,
        action=AuditEntry.Action.LOGIN_LOCKED_OUT,
        subject=username,
        reason=f"{by_account} failed sign-ins for this account and {by_address} from this "
        f"address in {settings.LOGIN_COOLOFF_MINUTES} min; locked until "
        f"{_lock_ends(request=request, credentials=None):%Y-%m-%d %H:%M:%S %Z}",
    )


# Connected here rather than with @receiver, so that `make mutants` (which leaves decorated
# functions alone) mutates the two handlers too.
user_login_failed.connect(
    login_failure_audit, dispatch_uid="lookup.access.lockout.login_failure_audit"
)
user_locked_out.connect(lockout_audit, dispatch_uid="lookup.access.lockout.lockout_audit")
