from django.apps import AppConfig


class LookupConfig(AppConfig):
    name = "lookup"
    verbose_name = "Phone lookup"
    default_auto_field = "django.db.models.BigAutoField"
