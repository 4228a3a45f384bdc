"""Secrets read from AWS Secrets Manager or SSM Parameter Store at start-up (settings.py).

A setting ending in `_SECRET_ARN` names where a secret lives instead of holding it, so no host
keeps the secret key, the database password or the OIDC client secret in a file:

* a Secrets Manager ARN (`arn:aws:secretsmanager:<region>:<account>:secret:<name>`) or a bare
  secret name (in AWS_DEFAULT_REGION);
* an SSM parameter ARN (`arn:aws:ssm:<region>:<account>:parameter/<path>`), a SecureString
  decrypted with the role's KMS permission.

Read once per process, at start-up: a rotated secret reaches a process when it restarts. A
secret that cannot be read stops the start with a message naming the setting and the secret,
never a value. Without the setting, the plain environment variable is used (local runs, tests).
"""

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def secret_read(*, setting: str, reference: str, key: str | None = None) -> str:
    """The text of the secret or parameter `reference` names; `setting` is for the message.

    With `key`, a secret holding a JSON object gives that member (Secrets Manager's generated
    secrets are `{"<key>": "<value>"}`, as infra/phone-lookup.yaml makes the secret key's); any
    other text is the secret itself.
    """
    text = _secret_text(setting=setting, reference=reference)
    if key is not None and text.lstrip().startswith("{"):
        try:
            fields = json.loads(text)
        except ValueError:
            return text
        if isinstance(fields, dict):
            if not isinstance(fields.get(key), str):
                raise ImproperlyConfigured(f"{setting}: {reference} holds no {key!r} member")
            return fields[key]
    return text


def _secret_text(*, setting: str, reference: str) -> str:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    service, region, name = _reference_parse(reference)
    client = boto3.session.Session().client(
        service,
        region_name=region,
        # Start-up only: a vault that does not answer should fail the start within seconds.
        config=Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 3}),
    )
    try:
        if service == "ssm":
            return client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        return client.get_secret_value(SecretId=name)["SecretString"]
    except (BotoCoreError, ClientError, KeyError) as exc:
        detail = "it holds no text" if isinstance(exc, KeyError) else str(exc)
        raise ImproperlyConfigured(f"{setting}: could not read {reference}: {detail}") from None


def _reference_parse(reference: str) -> tuple[str, str | None, str]:
    """(service, region or None for the default, the name or id to ask for)."""
    parts = reference.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "ssm":
        # GetParameter wants the parameter's name: the ARN's resource without "parameter".
        name = parts[5].removeprefix("parameter")
        return "ssm", parts[3], name if name.startswith("/") else f"/{name}"
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "secretsmanager":
        return "secretsmanager", parts[3], reference
    return "secretsmanager", None, reference


def database_with_secret(*, database: dict[str, Any], secret: str, setting: str) -> dict[str, Any]:
    """DATABASES["default"] with the credentials (and address, where given) of a secret.

    The secret is either JSON, as RDS writes it (`username` and `password` for a master user
    secret it manages; `host`, `port`, `dbname` and `engine` too in the rotation format), or a
    URL shaped like DATABASE_URL. JSON keeps DATABASE_URL's address and options (sslmode,
    sslrootcert, connect_timeout) for whatever the secret does not say.
    """
    import environ

    text = secret.strip()
    if not text.startswith("{"):
        config = environ.Env.db_url_config(text) if "://" in text else {}
        if not config.get("ENGINE"):
            raise ImproperlyConfigured(
                f"{setting}: the secret is neither JSON (username, password, ...) nor a "
                "database URL (postgres://user:password@host:5432/name)."
            )
        options = config.get("OPTIONS") or database.get("OPTIONS", {})
        return {**database, **config, "OPTIONS": options}
    try:
        fields = json.loads(text)
        merged = {**database, "USER": fields["username"], "PASSWORD": fields["password"]}
    except (ValueError, KeyError, TypeError):
        raise ImproperlyConfigured(
            f"{setting}: the secret's JSON must hold username and password."
        ) from None
    if fields.get("host"):
        merged["HOST"] = fields["host"]
        merged["PORT"] = str(fields.get("port") or merged.get("PORT") or "5432")
    if fields.get("dbname"):
        merged["NAME"] = fields["dbname"]
    postgres = str(fields.get("engine", "")).startswith("postgres") or bool(fields.get("host"))
    if postgres and not merged.get("ENGINE", "").endswith("postgresql"):
        merged["ENGINE"] = "django.db.backends.postgresql"
        merged["OPTIONS"] = {}  # DATABASE_URL's options were for another engine
    if merged.get("ENGINE", "").endswith("sqlite3"):
        raise ImproperlyConfigured(
            f"{setting}: the secret holds credentials only: set DATABASE_URL to the database's "
            "address (postgres://<host>:5432/<name>?sslmode=verify-full&...)."
        )
    return merged
