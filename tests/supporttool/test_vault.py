"""Secrets from AWS Secrets Manager or SSM Parameter Store, read by the settings at start-up, on
moto; the plain environment stays the fallback."""

import json
import os
import runpy
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from moto import mock_aws

SETTINGS = Path(__file__).resolve().parents[2] / "supporttool" / "settings.py"
SECRET_KEY = "vault-secret-key-" + "k" * 50
ENV_KEY = "environment-secret-key-" + "e" * 50


@pytest.fixture
def production(monkeypatch):
    """A production environment with no secret in it, and moto as AWS."""
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "DATABASE_", "OIDC_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DJANGO_ENV_FILE", os.devnull)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "support.example.com")
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", "phone-lookup")
    with mock_aws():
        yield monkeypatch


def load_settings() -> dict:
    """supporttool/settings.py run afresh with the current environment (not the test's own)."""
    return runpy.run_path(str(SETTINGS))


def secret_create(name: str, value: str) -> str:
    return boto3.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]


def parameter_create(name: str, value: str) -> str:
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=name, Value=value, Type="SecureString")
    return ssm.get_parameter(Name=name)["Parameter"]["ARN"]


def test_the_secret_key_database_credentials_and_oidc_secret_come_from_secrets_manager(
    production,
):
    production.setenv("DJANGO_SECRET_KEY_SECRET_ARN", secret_create("app/secret-key", SECRET_KEY))
    # What RDS writes for a master user password it manages: the credentials only.
    rds = json.dumps({"username": "supporttool_app", "password": "p@ss:w/rd?#"})
    production.setenv("DATABASE_SECRET_ARN", secret_create("rds!db-1234", rds))
    production.setenv(
        "DATABASE_URL",
        "postgres://db.internal:5432/supporttool?connect_timeout=3&sslmode=verify-full"
        "&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem",
    )
    production.setenv("OIDC_RP_CLIENT_SECRET_ARN", secret_create("app/oidc", "oidc-secret-1"))

    settings = load_settings()

    assert settings["SECRET_KEY"] == SECRET_KEY
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"]) == ("supporttool_app", "p@ss:w/rd?#")
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5432,
        "supporttool",
    )
    assert database["OPTIONS"] == {
        "connect_timeout": 3,
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ssl/certs/rds-global-bundle.pem",
    }
    assert settings["OIDC_RP_CLIENT_SECRET"] == "oidc-secret-1"


def test_a_secret_with_the_address_gives_the_whole_database(production):
    secret = {
        "engine": "postgres",
        "host": "phone-lookup.abc.eu-west-1.rds.amazonaws.com",
        "port": 5432,
        "dbname": "supporttool",
        "username": "app",
        "password": "pw",
    }
    production.setenv("DJANGO_SECRET_KEY", ENV_KEY)
    production.setenv("DATABASE_SECRET_ARN", secret_create("db", json.dumps(secret)))

    database = load_settings()["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "phone-lookup.abc.eu-west-1.rds.amazonaws.com"
    assert (database["PORT"], database["NAME"], database["USER"]) == ("5432", "supporttool", "app")


def test_a_database_url_shaped_secret(production):
    production.setenv("DJANGO_SECRET_KEY", ENV_KEY)
    production.setenv(
        "DATABASE_SECRET_ARN",
        secret_create("db-url", "postgres://app:s%40cret@db.internal:5433/lookup?sslmode=require"),
    )

    database = load_settings()["DATABASES"]["default"]

    assert (database["USER"], database["PASSWORD"], database["HOST"]) == (
        "app",
        "s@cret",
        "db.internal",
    )
    assert (database["PORT"], database["NAME"]) == (5433, "lookup")
    assert database["OPTIONS"] == {"sslmode": "require"}


def test_an_ssm_securestring_parameter_by_its_arn(production):
    production.setenv(
        "DJANGO_SECRET_KEY_SECRET_ARN", parameter_create("/phone-lookup/secret-key", SECRET_KEY)
    )
    assert load_settings()["SECRET_KEY"] == SECRET_KEY


def test_the_vault_wins_over_the_plain_environment_which_is_the_fallback(production):
    production.setenv("DJANGO_SECRET_KEY", ENV_KEY)
    production.setenv("OIDC_RP_CLIENT_SECRET", "from-the-environment")
    fallback = load_settings()
    assert fallback["SECRET_KEY"] == ENV_KEY
    assert fallback["OIDC_RP_CLIENT_SECRET"] == "from-the-environment"

    production.setenv("DJANGO_SECRET_KEY_SECRET_ARN", secret_create("key", SECRET_KEY))
    assert load_settings()["SECRET_KEY"] == SECRET_KEY


def test_a_short_secret_key_from_the_vault_is_refused_like_any_other(production):
    production.setenv("DJANGO_SECRET_KEY_SECRET_ARN", secret_create("short", "too-short"))
    with pytest.raises(ImproperlyConfigured, match="at least 50"):
        load_settings()


def test_a_secret_that_cannot_be_read_stops_the_start_naming_it_and_no_value(production):
    arn = secret_create("app/secret-key", SECRET_KEY)
    missing = arn.replace("app/secret-key", "app/no-such-secret")
    production.setenv("DJANGO_SECRET_KEY_SECRET_ARN", missing)
    with pytest.raises(ImproperlyConfigured) as refused:
        load_settings()
    message = str(refused.value)
    assert message.startswith(f"DJANGO_SECRET_KEY_SECRET_ARN: could not read {missing}: ")
    assert "ResourceNotFoundException" in message
    assert SECRET_KEY not in message


def test_credentials_without_an_address_are_refused(production):
    production.setenv("DJANGO_SECRET_KEY", ENV_KEY)
    production.setenv(
        "DATABASE_SECRET_ARN", secret_create("rds", '{"username": "u", "password": "p"}')
    )
    with pytest.raises(ImproperlyConfigured, match="set DATABASE_URL to the database's address"):
        load_settings()


def test_a_secret_that_is_neither_json_nor_a_url_is_refused(production):
    production.setenv("DJANGO_SECRET_KEY", ENV_KEY)
    production.setenv("DATABASE_SECRET_ARN", secret_create("rds", "just-a-password"))
    with pytest.raises(ImproperlyConfigured, match="neither JSON .* nor a database URL"):
        load_settings()


def test_a_generated_json_secret_gives_its_member_as_the_stack_makes_them(production):
    """infra/phone-lookup.yaml generates the secret key as {"DJANGO_SECRET_KEY": "…"}."""
    production.setenv(
        "DJANGO_SECRET_KEY_SECRET_ARN",
        secret_create("stack/django-secret-key", json.dumps({"DJANGO_SECRET_KEY": SECRET_KEY})),
    )
    production.setenv(
        "OIDC_RP_CLIENT_SECRET_ARN",
        secret_create("stack/oidc", json.dumps({"OIDC_RP_CLIENT_SECRET": "oidc-secret-2"})),
    )
    production.setenv("DJANGO_SECRET_KEY", ENV_KEY)

    settings = load_settings()

    assert settings["SECRET_KEY"] == SECRET_KEY
    assert settings["OIDC_RP_CLIENT_SECRET"] == "oidc-secret-2"


def test_a_json_secret_without_its_member_stops_the_start(production):
    production.setenv(
        "DJANGO_SECRET_KEY_SECRET_ARN",
        secret_create("stack/other", json.dumps({"password": "x" * 60})),
    )
    with pytest.raises(ImproperlyConfigured, match="holds no 'DJANGO_SECRET_KEY' member"):
        load_settings()
