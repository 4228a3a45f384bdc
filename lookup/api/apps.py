from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The API as an app of its own, so its admin (API clients) is found by the admin's
    autodiscovery and nothing in the core imports `lookup.api`. Its model, `ApiClient`, stays in
    `lookup.models` (one set of migrations)."""

    name = "lookup.api"
    label = "lookup_api"
    verbose_name = _("Phone lookup API")
