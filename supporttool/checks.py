"""The settings' rules, as Django system checks with ids (supporttool.E001-E012).

Each rule reads the settings it judges and returns its errors. The settings module runs every
rule once as it loads (`settings_refuse_invalid`) and refuses to start on any error, so a
process never serves half-configured: gunicorn runs no system checks. `manage.py check` runs
them again over the settings as they ended up; `check --deploy` holds a DJANGO_DEBUG
configuration to production's rules too.

This module is imported by the settings: it reads no setting at import time and uses nothing
that needs them configured. Messages are for operators reading a log or a terminal, like
Django's own check messages, so they are not translated (no catalogue can load this early).
"""

import re
import zoneinfo
from collections.abc import Callable

import phonenumbers
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

_OIDC_REQUIRED = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
_ORIGIN = re.compile(
    r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?|http://(localhost|127\.0\.0\.1)(:[0-9]{1,5})?"
)


def _error(number: int, message: str) -> Error:
    return Error(message, id=f"supporttool.E{number:03d}")


def production_problems(settings) -> list[CheckMessage]:
    """What production cannot run without (E001, E002)."""
    if not settings.SECRET_KEY or not settings.ALLOWED_HOSTS:
        return [
            _error(
                1,
                "Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_SECRET_ARN) and DJANGO_ALLOWED_HOSTS "
                "(see .env.example).",
            )
        ]
    # Sessions, CSRF tokens and password reset links are only as strong as the key.
    if len(settings.SECRET_KEY) < 50:
        return [
            _error(
                2,
                "DJANGO_SECRET_KEY must be at least 50 random characters; generate one with "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            )
        ]
    return []


def table_problems(settings) -> list[CheckMessage]:
    # No default outside DJANGO_DEBUG: it would be production's own table name (E003).
    if not settings.DYNAMODB_TABLE_NAME:
        return [
            _error(3, "Set DYNAMODB_TABLE_NAME (the stack's TableName output; see .env.example).")
        ]
    return []


def region_problems(settings) -> list[CheckMessage]:
    errors = []
    for name, codes in (
        ("DEFAULT_PHONE_REGION", [settings.DEFAULT_PHONE_REGION]),
        ("PHONE_REGIONS", settings.PHONE_REGIONS),
    ):
        unknown = [code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            errors.append(
                _error(
                    4,
                    f"{name}: {', '.join(unknown)} is not an ISO 3166 alpha-2 region code "
                    "phonenumbers knows (e.g. GB, not UK).",
                )
            )
    return errors


def sign_in_problems(settings) -> list[CheckMessage]:
    if not settings.OIDC_ENABLED:
        if not settings.PASSWORD_LOGIN_ENABLED:
            return [
                _error(
                    5,
                    "PASSWORD_LOGIN_ENABLED=false needs OIDC_ENABLED=true: nobody could sign in.",
                )
            ]
        return []
    missing = [name for name in _OIDC_REQUIRED if not getattr(settings, name)]
    if not (settings.OIDC_AGENT_GROUPS or settings.OIDC_LEAD_GROUPS or settings.OIDC_ADMIN_GROUPS):
        missing.append("one of OIDC_AGENT_GROUPS, OIDC_LEAD_GROUPS, OIDC_ADMIN_GROUPS")
    if settings.OIDC_SESSION_CHECK_INTERVAL < 60:
        # 0 would send every page to the provider and back, for ever.
        missing.append("OIDC_SESSION_CHECK_MINUTES of at least 1")
    if missing:
        return [_error(6, f"OIDC_ENABLED=true needs {', '.join(missing)} (see docs/sso.md).")]
    return []


def log_format_problems(settings) -> list[CheckMessage]:
    if settings.LOG_FORMAT not in {"plain", "json"}:
        return [_error(7, f"LOG_FORMAT={settings.LOG_FORMAT!r}: use plain or json.")]
    return []


def time_zone_problems(settings) -> list[CheckMessage]:
    try:
        zoneinfo.ZoneInfo(settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [
            _error(
                8,
                f"DJANGO_TIME_ZONE={settings.TIME_ZONE!r} is not an IANA time zone "
                "(e.g. Europe/London, UTC).",
            )
        ]
    return []


def order_url_problems(settings) -> list[CheckMessage]:
    template = settings.ORDER_URL_TEMPLATE
    if template and (
        not re.fullmatch(r"https?://[^\s{}]+", template.replace("{order_id}", "x"))
        or "{order_id}" not in template
    ):
        return [
            _error(
                9,
                "ORDER_URL_TEMPLATE must be an http(s) URL holding {order_id} and no other "
                "braces, e.g. https://orders.example/{order_id}.",
            )
        ]
    return []


def embedding_problems(settings) -> list[CheckMessage]:
    errors = []
    bad = [origin for origin in settings.EMBED_ALLOWED_ORIGINS if not _ORIGIN.fullmatch(origin)]
    if bad:
        errors.append(
            _error(
                10,
                f"EMBED_ALLOWED_ORIGINS: {', '.join(bad)} is not an https origin such as "
                "https://acme.zendesk.com (scheme and host, no path).",
            )
        )
    if settings.SESSION_COOKIE_SAMESITE not in {"Strict", "Lax", "None"}:
        errors.append(_error(11, "SESSION_COOKIE_SAMESITE must be Strict, Lax or None."))
    elif settings.SESSION_COOKIE_SAMESITE == "None" and not settings.SESSION_COOKIE_SECURE:
        errors.append(
            _error(
                12,
                "SESSION_COOKIE_SAMESITE=None needs secure cookies (HTTPS, "
                "DJANGO_SECURE_COOKIES=true): browsers drop SameSite=None cookies that are not "
                "Secure.",
            )
        )
    return errors


# Every rule but production's, which only binds with DEBUG off or under --deploy.
RULES: tuple[Callable[[object], list[CheckMessage]], ...] = (
    table_problems,
    region_problems,
    sign_in_problems,
    log_format_problems,
    time_zone_problems,
    order_url_problems,
    embedding_problems,
)


def settings_problems(settings) -> list[CheckMessage]:
    """Every error of these settings, production's rules included when DEBUG is off."""
    production = [] if settings.DEBUG else production_problems(settings)
    return [*production, *(error for rule in RULES for error in rule(settings))]


def settings_refuse_invalid(settings) -> None:
    """Raise ImproperlyConfigured naming every error, if any: the start is refused."""
    errors = settings_problems(settings)
    if errors:
        raise ImproperlyConfigured(" ".join(f"{error.msg} ({error.id})" for error in errors))


def settings_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    from django.conf import settings

    return settings_problems(settings)


def settings_deploy_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Under --deploy a DEBUG configuration is held to production's rules too (with DEBUG off
    `settings_check` already applies them)."""
    from django.conf import settings

    return production_problems(settings) if settings.DEBUG else []


def checks_register() -> None:
    register(settings_check, Tags.security)
    register(settings_deploy_check, Tags.security, deploy=True)
