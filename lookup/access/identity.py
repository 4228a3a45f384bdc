"""Who is calling: the client's address and the signed-in user, as the audit trail records them."""

import ipaddress

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The caller's IP: REMOTE_ADDR, or behind a trusted proxy the address it appended.

    Only the right-most X-Forwarded-For entry comes from our proxy; the ones before it are
    whatever the client sent.
    """
    if settings.TRUST_PROXY_HEADERS:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if _is_ip(forwarded):
            return forwarded
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def request_user(request: HttpRequest) -> AbstractBaseUser | None:
    """The signed-in user, or None (nobody signed in, or a request that never had a session)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def actor_name(*, user: AbstractBaseUser | None, api_client=None, named: str = "") -> str:
    """How the audit trail and the log lines name who acts: an API client as `api:<name>`, a
    person by username, nobody signed in by the name they gave (a refused sign-in)."""
    if api_client is not None:
        return f"api:{api_client.name}"
    if user is not None:
        return user.get_username()
    return named or "anonymous"
