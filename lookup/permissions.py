"""Permission checks in one query.

Django's ModelBackend loads a user's own permissions and their groups' (roles') permissions in
two queries on the first check of a request; every page checks at least one permission. This
backend, listed before the others, loads both in one query and leaves them in the same
per-request cache ModelBackend reads (`_perm_cache`), so later checks by any backend are free.
It authenticates nobody; it finds a signed-in user by id like ModelBackend (sessions made by
Django's test client or `force_login` may name it).
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


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
