from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LookupConfig(AppConfig):
    name = "lookup"
    verbose_name = _("Phone lookup")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signal receivers: failed sign-ins and lockouts to the audit trail, sign-in time for the
        # absolute session lifetime, the account's language.
        from lookup import middleware  # noqa: F401
        from lookup.access import lockout  # noqa: F401
        from lookup.languages import choice  # noqa: F401
