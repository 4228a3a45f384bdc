"""Server-side permission checks for views; every refusal is audited."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from lookup.audit import audit_record
from lookup.models import AuditEntry

SEARCH_PHONE = "lookup.search_phone"
VIEW_CUSTOMER = "lookup.view_customer"
UNLINK_PHONE = "lookup.unlink_phone"


def require_permission(request: HttpRequest, permission: str, **context: str) -> None:
    """Raise PermissionDenied (a 403 page) unless the signed-in user has `permission`."""
    if request.user.has_perm(permission):
        return
    audit_record(
        request=request,
        action=AuditEntry.Action.PERMISSION_DENIED,
        reason=f"missing {permission}",
        **context,
    )
    raise PermissionDenied
