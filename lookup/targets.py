"""What a writing command is about to touch, said before it touches it.

An engineer with admin credentials and a forgotten endpoint override must read "DynamoDB table
phone-lookup (eu-west-1) in AWS account 123456789012" before anything is written, not find out
afterwards. A local endpoint (dynalite, moto's server) is named as such without asking STS,
which would either fail or answer for a real account the local data has nothing to do with.
"""

from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.db import connection

# Hosts of AWS's own endpoints (the China regions have their own domain).
_AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws")


def endpoint_is_aws(*, endpoint_url: str) -> bool:
    host = (urlsplit(endpoint_url).hostname or "").lower()
    return any(host == domain or host.endswith(f".{domain}") for domain in _AWS_DOMAINS)


def aws_account_describe(*, endpoint_url: str) -> str:
    """ "AWS account <id> as <arn>", or "local endpoint <url>" without calling STS."""
    if not endpoint_is_aws(endpoint_url=endpoint_url):
        return f"local endpoint {endpoint_url}"
    client = boto3.session.Session().client(
        "sts",
        config=Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 2}),
    )
    try:
        identity = client.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        return f"an AWS account STS would not name ({exc})"
    return f"AWS account {identity['Account']} as {identity['Arn']}"


def table_target_describe(*, table) -> str:
    meta = table.client.meta
    where = aws_account_describe(endpoint_url=meta.endpoint_url)
    return f"DynamoDB table {table.name} ({meta.region_name}) in {where}"


def queue_target_describe(*, client, url: str) -> str:
    where = aws_account_describe(endpoint_url=client.meta.endpoint_url)
    return f"SQS queue {url} ({client.meta.region_name}) in {where}"


def database_target_describe() -> str:
    """The relational database by engine, name and server (never its credentials)."""
    db = connection.settings_dict
    server = f" on {db['HOST']}:{db['PORT'] or 'default port'}" if db.get("HOST") else ""
    return f"{connection.vendor} database {db['NAME']}{server}"
