"""The settings' rules are Django system checks, with ids, over the settings as they end up."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]


def errors_by_id() -> dict[str, str]:
    return {
        message.id: message.msg
        for message in run_checks()
        if message.id.startswith("supporttool.") and message.is_serious()
    }


def test_the_loaded_test_settings_pass_every_check():
    assert errors_by_id() == {}


def test_a_bad_setting_changed_after_loading_is_an_error_naming_it(settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://acme.zendesk.com/agent"]
    settings.ORDER_URL_TEMPLATE = "https://orders.example/"

    errors = errors_by_id()

    assert set(errors) == {"supporttool.E010", "supporttool.E009"}
    assert "https://acme.zendesk.com/agent is not an https origin" in errors["supporttool.E010"]
    assert (
        "ORDER_URL_TEMPLATE must be an http(s) URL holding {order_id}"
        in (errors["supporttool.E009"])
    )


def test_samesite_none_over_plain_http_is_an_error(settings):
    settings.SESSION_COOKIE_SAMESITE = "None"
    settings.SESSION_COOKIE_SECURE = False

    assert "needs secure cookies" in errors_by_id()["supporttool.E012"]


def test_production_rules_bind_without_debug(settings):
    settings.SECRET_KEY = "short"

    assert "at least 50 random characters" in errors_by_id()["supporttool.E002"]


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_holds_a_debug_configuration_to_production_rules():
    """The local key passes a DEBUG check but not --deploy: what is deployed is production."""
    assert run("manage.py", "check", DJANGO_DEBUG="true").returncode == 0

    deploy = run("manage.py", "check", "--deploy", DJANGO_DEBUG="true")

    assert deploy.returncode != 0
    assert "supporttool.E002" in deploy.stderr


def test_a_refused_start_names_every_bad_setting_at_once():
    result = run(
        "-c",
        "import supporttool.settings",
        DJANGO_DEBUG="true",
        PHONE_REGIONS="UK",
        LOG_FORMAT="xml",
    )

    assert result.returncode != 0
    assert "PHONE_REGIONS: UK is not an ISO 3166 alpha-2 region code" in result.stderr
    assert "LOG_FORMAT='xml': use plain or json. (supporttool.E007)" in result.stderr
