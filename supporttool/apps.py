from django.apps import AppConfig


class SupportToolConfig(AppConfig):
    """The project's own app: only its settings' system checks (supporttool/checks.py)."""

    name = "supporttool"
    verbose_name = "Support tool"

    def ready(self) -> None:
        from supporttool.checks import checks_register

        checks_register()
