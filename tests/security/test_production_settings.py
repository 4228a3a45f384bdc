"""Production settings: HTTPS only, a real secret key, `check --deploy` clean as documented.

Each case loads the settings in a subprocess with a clean environment, as a deploy would.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def documented_production_environment() -> dict[str, str]:
    """The variables docs/deploy.md's "Production environment" block sets (with a real secret)."""
    runbook = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"### Production environment\n.*?```sh\n(.*?)```", runbook, re.S)
    assert block, "docs/deploy.md lost its production environment block"
    env = dict(
        line.split("=", 1)
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert env["DJANGO_SECRET_KEY"].startswith("<")  # a placeholder, never a real key
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(code_or_args: list[str], **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "TRUST_", "SECURE_", "TEST_"))
    }
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def settings_value(name: str, **env) -> str:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'supporttool.settings'; "
        f"from django.conf import settings; print(repr(settings.{name}))"
    )
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_with_the_documented_production_environment():
    env = documented_production_environment()
    assert env["TRUST_PROXY_HEADERS"] == "true"
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_when_the_proxy_does_https_itself():
    env = {
        **documented_production_environment(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_still_catches_what_was_not_chosen():
    env = {**documented_production_environment(), "DJANGO_SECURE_COOKIES": "false"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_production_defaults_are_https_only():
    env = documented_production_environment()
    assert settings_value("SECURE_SSL_REDIRECT", **env) == "True"
    assert settings_value("SECURE_HSTS_SECONDS", **env) == "31536000"
    assert settings_value("SECURE_HSTS_INCLUDE_SUBDOMAINS", **env) == "True"
    assert settings_value("SESSION_COOKIE_SECURE", **env) == "True"
    assert settings_value("SESSION_COOKIE_AGE", **env) == "1800"
    assert settings_value("SESSION_ABSOLUTE_TIMEOUT", **env) == str(12 * 3600)


@pytest.mark.parametrize("key", ["abc", "x" * 49])
def test_production_refuses_a_short_secret_key(key):
    result = run(
        ["-c", "import supporttool.settings"],
        DJANGO_SECRET_KEY=key,
        DJANGO_ALLOWED_HOSTS="support.example.com",
    )
    assert result.returncode != 0
    assert "at least 50" in result.stderr


@pytest.mark.parametrize(
    ("trusted", "expected"), [("true", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("false", "None")]
)
def test_the_proxy_ssl_header_is_trusted_only_with_trusted_proxy_headers(trusted, expected):
    env = {**documented_production_environment(), "TRUST_PROXY_HEADERS": trusted}
    assert settings_value("SECURE_PROXY_SSL_HEADER", **env) == expected
