"""Writing the audit trail: who touched which customer data, from where, in which request."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from lookup.models import ApiClient, AuditEntry


def audit_record(
    *,
    request: HttpRequest,
    action: str,
    phone: str = "",
    customer_id: str = "",
    result_count: int | None = None,
    reason: str = "",
    api_client: ApiClient | None = None,
    subject: str = "",
) -> AuditEntry:
    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    if api_client is not None:
        actor = f"api:{api_client.name}"
    elif user is not None:
        actor = user.get_username()
    else:
        actor = "anonymous"
    return AuditEntry.objects.create(
        user=user,
        api_client=api_client,
        actor=actor,
        action=action,
        # Values can come from the URL: keep within the columns rather than lose the entry.
        phone=phone[: AuditEntry._meta.get_field("phone").max_length],
        customer_id=customer_id[: AuditEntry._meta.get_field("customer_id").max_length],
        subject=subject[: AuditEntry._meta.get_field("subject").max_length],
        result_count=result_count,
        reason=reason,
        path=request.get_full_path()[:500],
        client_address=client_address(request),
        request_id=getattr(request, "request_id", "")[:64],
    )


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
