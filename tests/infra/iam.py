"""Recorded AWS calls as IAM requests, and the check of a policy against them.

A call becomes the (action, resource ARN) pairs IAM authorises it with: the action is the
operation's name under the service's prefix, except SQS's batch calls, which IAM authorises
with the single-message action (DeleteMessageBatch needs sqs:DeleteMessage); the resource is
the table, the index (a Query or Scan with IndexName is authorised on the index ARN only) or
the queue.

The policy check evaluates identity-policy statements as IAM does for one account (an explicit
Deny wins, then any Allow; `*` and `?` wildcards, actions case-insensitive) and refuses
elements it does not model (NotAction, NotResource, Condition), so a policy cannot pass by
using something the check ignores.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from lookup.queue import DLQ_SUFFIX
from tests.aws_recorder import CONFIGURED, DEAD_LETTER, OTHER, AwsCall, AwsResource
from tests.infra.template import Stack

# SQS authorises a batch call with the single-message action.
_SQS_BATCH_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

# Each component's policy in the template.
COMPONENT_POLICIES = {"web": "WebPolicy", "worker": "WorkerPolicy", "batch": "BatchPolicy"}

IamRequest = tuple[str, str]  # (action, resource ARN)


def iam_action(*, service: str, operation: str) -> str:
    if service == "sqs":
        operation = _SQS_BATCH_ACTIONS.get(operation, operation)
    return f"{service}:{operation}"


@dataclass(frozen=True)
class Deployment:
    """Where the stack's table, index and queue are: "the configured" resource of a call is
    this deployment's; any other name is taken literally (and no policy should allow it)."""

    table: str
    index: str
    queue: str  # the queue's name
    account: str
    region: str
    partition: str = "aws"

    @classmethod
    def of(cls, stack: Stack) -> "Deployment":
        return cls(
            table=stack.values["TableName"],
            index=stack.values["IndexName"],
            queue=stack.values["QueueName"],
            account=stack.account,
            region=stack.region,
            partition=stack.partition,
        )

    def arn(self, resource: AwsResource) -> str:
        if resource.kind == "table":
            table = self.table if resource.configured else resource.name
            arn = f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{table}"
            if resource.index:
                arn += f"/index/{self.index if resource.configured else resource.index}"
            return arn
        if resource.kind == "queue":
            queue_arn = f"arn:{self.partition}:sqs:{self.region}:{self.account}:{self.queue}"
            if resource.role == CONFIGURED:
                return queue_arn
            if resource.role == DEAD_LETTER:
                return f"{queue_arn}{DLQ_SUFFIX}"
            return self._queue_arn(resource.name)
        raise ValueError(f"Unknown resource kind {resource.kind}")

    def _queue_arn(self, url_or_name: str) -> str:
        """https://sqs.<region>.amazonaws.com/<account>/<name> (or a bare name) as an ARN."""
        parts = url_or_name.rstrip("/").split("/")
        name = parts[-1]
        account = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else self.account
        host = re.match(r"https?://sqs\.([a-z0-9-]+)\.amazonaws\.com/", url_or_name)
        region = host.group(1) if host else self.region
        return f"arn:{self.partition}:sqs:{region}:{account}:{name}"

    def requests(
        self, calls: Iterable[AwsCall], *, any_main_queue: bool = False
    ) -> set[IamRequest]:
        """The (action, ARN) pairs IAM would authorise these calls with.

        With `any_main_queue`, a queue other than the configured one and its dead-letter queue
        counts as the deployment's queue: the worker reads the queue it is given
        (`--queue-url` as well as settings), and tests give it others; which kind of queue a
        call is about is what matters then.
        """
        requests = set()
        for call in calls:
            if (call.service, call.operation) in _NO_PERMISSION_NEEDED:
                continue
            action = iam_action(service=call.service, operation=call.operation)
            for resource in call.resources or ():
                if any_main_queue and resource.kind == "queue" and resource.role == OTHER:
                    resource = replace(resource, role=CONFIGURED)
                requests.add((action, self.arn(resource)))
            if not call.resources:
                requests.add((action, "*"))
        return requests


# Calls IAM authorises for anyone, with no policy able to deny them: the commands ask STS which
# account they are about to write to (`sts:GetCallerIdentity` needs no permission).
_NO_PERMISSION_NEEDED = frozenset({("sts", "GetCallerIdentity")})


@dataclass(frozen=True)
class PolicyReport:
    denied: frozenset[IamRequest]  # made by the component, not allowed by the policy
    unused: frozenset[IamRequest]  # (action, resource) granted, never made by the component
    wildcards: frozenset[IamRequest]  # grants with * or ?: never least privilege here

    @property
    def exact(self) -> bool:
        return not (self.denied or self.unused or self.wildcards)


def policy_report(*, document: dict[str, Any], requests: set[IamRequest]) -> PolicyReport:
    """Judge one identity policy by the requests its component made."""
    statements = _statements(document)
    denied = {request for request in requests if not _allowed(statements, *request)}
    granted = {
        (action, resource)
        for statement in statements
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    }
    wildcards = {grant for grant in granted if any(c in "".join(grant) for c in "*?")}
    unused = {
        (action, resource)
        for action, resource in granted - wildcards
        if not any(
            _matches(action, made_action, case_sensitive=False)
            and _matches(resource, made_resource, case_sensitive=True)
            for made_action, made_resource in requests
        )
    }
    return PolicyReport(frozenset(denied), frozenset(unused), frozenset(wildcards))


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = _as_list(document["Statement"])
    for statement in statements:
        unsupported = set(statement) - {"Sid", "Effect", "Action", "Resource"}
        if unsupported:
            raise ValueError(
                f"Statement {statement.get('Sid', '?')} uses {sorted(unsupported)}, which this "
                "check does not model: extend the check before relying on it"
            )
        if statement["Effect"] not in {"Allow", "Deny"}:
            raise ValueError(f"Effect {statement['Effect']!r}")
    return statements


def _allowed(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    def applies(statement: dict[str, Any]) -> bool:
        return any(
            _matches(pattern, action, case_sensitive=False)
            for pattern in _as_list(statement["Action"])
        ) and any(
            _matches(pattern, resource, case_sensitive=True)
            for pattern in _as_list(statement["Resource"])
        )

    if any(s["Effect"] == "Deny" and applies(s) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and applies(s) for s in statements)


def _matches(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, value, flags) is not None


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]
