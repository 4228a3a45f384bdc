"""What a signed-in person may do: the permissions pages need, checked server-side and audited.

A page names its permission once, with `requires_permission`: the decorator refuses everyone
else (403, the refusal on the audit trail) and leaves the name on the view, where the 403 page
reads it back to say which role would grant it (`permission_of_view`).

`RolePermissionsBackend` loads a user's own permissions and their roles' (Django groups, see
`roles`) in one query. Django's ModelBackend takes two on the first check of a request, and every
page checks at least one permission. Listed before the others, it leaves them in the per-request
cache ModelBackend reads (`_perm_cache`), so later checks by any backend are free. It
authenticates nobody; it finds a signed-in user by id like ModelBackend (sessions made by
Django's test client or `force_login` may name it).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from lookup.audit import audit_record
from lookup.models import AuditEntry

SEARCH_PHONE = "lookup.search_phone"
VIEW_CUSTOMER = "lookup.view_customer"
UNLINK_PHONE = "lookup.unlink_phone"

_MARK = "required_permission"
# The view arguments a refusal's audit entry names (the URLs' customer and number).
_AUDITED_ARGUMENTS = ("customer_id", "phone")


def requires_permission(
    permission: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse the view to whoever lacks `permission` (403, audited with the customer and number
    the URL names), and name it on the view for the 403 page.

    Goes under `login_required` and the rate limit: a refused person has been counted.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            require_permission(request, permission, **_audited(kwargs))
            return view(request, *args, **kwargs)

        # Copied onto every decorator above by their functools.wraps.
        setattr(wrapper, _MARK, permission)
        return wrapper

    return decorate


def _audited(view_kwargs: dict) -> dict[str, str]:
    return {name: view_kwargs[name] for name in _AUDITED_ARGUMENTS if name in view_kwargs}


def permission_of_view(view: Callable | None) -> str:
    """The permission a view names with `requires_permission`; "" when it names none."""
    return getattr(view, _MARK, "")


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


class RolePermissionsBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None  # signing in is the other backends' job

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            granted = Permission.objects.all()
            if not user_obj.is_superuser:
                granted = granted.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in granted.values_list(
                    "content_type__app_label", "codename"
                ).distinct()
            }
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)
