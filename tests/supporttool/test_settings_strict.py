"""Production settings refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", "import supporttool.settings"],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DJANGO_SECRET_KEY": "x" * 50},
        {"DJANGO_ALLOWED_HOSTS": "support.example.com"},
        {"DJANGO_SECRET_KEY": "", "DJANGO_ALLOWED_HOSTS": "support.example.com"},
    ],
)
def test_production_needs_secret_key_and_allowed_hosts(env):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr or "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_when_both_are_set():
    result = load_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="support.example.com")
    assert result.returncode == 0, result.stderr


def test_production_has_no_default_table_name():
    """Production's own table name as a default would let a forgotten setting write to it."""
    result = load_settings(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="support.example.com",
        DYNAMODB_TABLE_NAME="",
    )
    assert result.returncode != 0
    assert "Set DYNAMODB_TABLE_NAME" in result.stderr


def test_debug_keeps_the_local_table_name_default():
    code = "from supporttool import settings; print(settings.DYNAMODB_TABLE_NAME)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYNAMODB_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV_FILE": os.devnull, "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "phone-lookup", result.stderr
