"""Writing the audit trail: who touched which customer data, from where, in which request."""

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
        phone=phone,
        customer_id=customer_id,
        result_count=result_count,
        reason=reason,
        path=request.get_full_path()[:500],
        client_address=client_address(request),
        request_id=getattr(request, "request_id", "")[:64],
    )


def client_address(request: HttpRequest) -> str | None:
    """The caller's IP: REMOTE_ADDR, or the proxy's X-Forwarded-For when configured to trust it."""
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
