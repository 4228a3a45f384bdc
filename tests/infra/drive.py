"""Each component's entry points, driven on a stack deployed from the template (moto), recorded.

The IAM proof does not rely on which other tests ran before it: it deploys the template on
moto's CloudFormation, points the app at the table and queue the stack created, and exercises
every entry point of each component as production would, recording the AWS calls of each:

* web: the search page, a customer page, unlink and restore (confirmation pages and their
  submits, one on a stale version), and the HTTP API creating a link and finding customers;
* worker: `consume_order_events --once` over a queue holding a raw event, an event in an SNS
  envelope, a duplicate and a bad event (which it rejects until SQS dead-letters it);
* batch: `backfill_phone_links` on a small file with a reject, `migrate_legacy_lookups` and
  `tombstones_index`, dry run first.
"""

import importlib
import io
import json
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from moto import mock_aws

from lookup.access import roles
from lookup.models import ApiClient
from lookup.repository import get_table
from lookup.repository.records import records_put
from tests import factories
from tests.aws_recorder import BATCH, WEB, WORKER, AwsCall, recorder
from tests.infra.template import REGION, TEMPLATE
from tests.ingestion.conftest import order_event, sns_envelope
from tests.lookups import links_of

STACK_NAME = "phone-lookup"
DESK = "+442079460018"  # an office desk: two customers' orders went there
MOBILE = "+447946095812"
LEGACY_PHONE = "+5511912345678"


@dataclass(frozen=True)
class ComponentCalls:
    """What each component did, and what the drive observed, to show it did what it says."""

    calls: dict[str, list[AwsCall]]
    outputs: dict[str, str]
    dead_letters: int
    legacy_left: int


def stack_deploy(*, parameters: dict[str, str] | None = None) -> dict[str, str]:
    """Create the stack on moto's CloudFormation (inside mock_aws); returns its outputs.

    What an organisation already has (a VPC with subnets in two zones, a certificate) is made
    in moto first. moto creates the table, queues, policies, topic, log groups, network,
    database, buckets, load balancer, launch templates, groups and the reminder function; it
    skips the alarms, metric filters, queue and bucket policies, subscriptions, secrets and the
    scaling policy with a warning (MOTO_SKIPS; their shape is tested on the template itself).
    """
    client = boto3.client("cloudformation", region_name=REGION)
    given = {**stack_prerequisites(), **(parameters or {})}
    with warnings.catch_warnings(), _moto_master_user_secret():
        warnings.filterwarnings("ignore", message="Tried to parse AWS::")
        client.create_stack(
            StackName=STACK_NAME,
            TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
            Parameters=[
                {"ParameterKey": key, "ParameterValue": value} for key, value in given.items()
            ],
            Capabilities=["CAPABILITY_IAM"],
        )
        # moto resolves the outputs when they are described.
        stack = client.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}


# Resource types of the template moto's CloudFormation does not create (it warns and skips).
MOTO_SKIPS = frozenset(
    {
        "AWS::AutoScaling::ScalingPolicy",
        "AWS::CloudWatch::Alarm",
        "AWS::Logs::MetricFilter",
        "AWS::S3::BucketPolicy",
        "AWS::SNS::Subscription",
        "AWS::SQS::QueuePolicy",
        "AWS::SecretsManager::Secret",
        "AWS::SecretsManager::SecretTargetAttachment",
    }
)


def stack_prerequisites() -> dict[str, str]:
    """What the template takes as given, made in moto: network, certificate, alarm email."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}"
        )["Subnet"]["SubnetId"]
        for i, zone in enumerate("abab")
    ]
    certificate = boto3.client("acm", region_name=REGION).request_certificate(
        DomainName="support.example.com"
    )["CertificateArn"]
    return {
        "VpcId": vpc,
        "PublicSubnetIds": ",".join(subnets[:2]),
        "PrivateSubnetIds": ",".join(subnets[2:]),
        "DomainName": "support.example.com",
        "CertificateArn": certificate,
        "AlarmEmail": "oncall@example.com",
    }


@contextmanager
def _moto_master_user_secret() -> Iterator[None]:
    """moto's RDS model lacks the attribute MasterUserSecret.SecretArn (ManageMasterUserPassword):
    give it, from moto's own RDS-managed secret, for the length of a stack creation."""
    from moto.rds import models as rds

    original_get, original_has = rds.DBInstance.get_cfn_attribute, rds.DBInstance.has_cfn_attr

    def get_cfn_attribute(self, attribute_name: str):
        if attribute_name == "MasterUserSecret.SecretArn":
            if getattr(self, "master_user_secret", None) is None:
                self.master_user_secret = rds.MasterUserSecret(self, None)
            return self.master_user_secret.secret_arn
        return original_get(self, attribute_name)

    def has_cfn_attr(cls, attribute: str) -> bool:
        return attribute == "MasterUserSecret.SecretArn" or original_has(attribute)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rds.DBInstance, "get_cfn_attribute", get_cfn_attribute)
        patch.setattr(rds.DBInstance, "has_cfn_attr", classmethod(has_cfn_attr))
        yield


@contextmanager
def aws_sandbox() -> Iterator[None]:
    """moto, with fake credentials and no endpoint overrides, whatever the environment holds."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("AWS_ENDPOINT_URL") or name in {"AWS_PROFILE", "AWS_SESSION_TOKEN"}:
                patch.delenv(name)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        get_table.cache_clear()
        try:
            with mock_aws():
                yield
        finally:
            get_table.cache_clear()


def components_drive(*, work_dir: Path) -> ComponentCalls:
    """Deploy the stack, run every component on it, and roll the database back afterwards."""
    with aws_sandbox(), transaction.atomic():
        outputs = stack_deploy()
        with override_settings(
            DYNAMODB_TABLE_NAME=outputs["TableName"],
            DYNAMODB_INDEX_NAME=outputs["IndexName"],
            ORDER_EVENTS_QUEUE_URL=outputs["QueueUrl"],
            ORDER_EVENTS_WAIT_SECONDS=0,
            # Every component keeps the review queue as deployed (the test settings turn it off).
            REVIEW_QUEUE_ON_INGEST=True,
        ):
            get_table.cache_clear()
            customers = _records_seed()
            calls = {}
            # Each component is a process of its own in production, with a client of its own
            # that has learnt nothing from the others' calls.
            with recorder.capture() as calls[WEB]:
                get_table.cache_clear()
                _web_drive(customers)
            with recorder.capture() as calls[WORKER]:
                get_table.cache_clear()
                _worker_drive(outputs["QueueUrl"])
            with recorder.capture() as calls[BATCH]:
                get_table.cache_clear()
                _batch_drive(work_dir)
            sqs = boto3.client("sqs", region_name=REGION)
            dead = sqs.get_queue_attributes(
                QueueUrl=outputs["DeadLetterQueueUrl"],
                AttributeNames=["ApproximateNumberOfMessages"],
            )["Attributes"]["ApproximateNumberOfMessages"]
            legacy_left = links_of(customers["ana"])
        transaction.set_rollback(True)
    return ComponentCalls(
        calls={
            component: [call for call in made if call.component == component]
            for component, made in calls.items()
        },
        outputs=outputs,
        dead_letters=int(dead),
        legacy_left=sum(1 for link in legacy_left if link.legacy_id is not None),
    )


def _records_seed() -> dict[str, str]:
    """Written as the users service and the old code wrote them (test set-up, no component)."""
    ana = factories.profile(name="Ana Souza", country="BR")
    sam = factories.profile(name="Sam Carter")
    kim = factories.profile(name="Kim Wu")
    records_put(
        table=get_table(),
        profiles=[ana, sam, kim],
        links=[
            factories.profile_link(sam.customer_id, MOBILE),
            factories.order_link(sam.customer_id, DESK),
            factories.order_link(kim.customer_id, DESK),
            factories.legacy_link(ana.customer_id, LEGACY_PHONE),
            factories.legacy_link(ana.customer_id, LEGACY_PHONE, created=factories.NOW),
        ],
    )
    return {"ana": ana.customer_id, "sam": sam.customer_id, "kim": kim.customer_id}


def _expect(response, status: int):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response


def _web_drive(customers: dict[str, str]) -> None:
    sam = customers["sam"]
    browser = Client()
    browser.force_login(_lead())
    _expect(browser.get(reverse("lookup:search"), {"phone": "020 7946 0018", "country": "GB"}), 200)
    _expect(browser.get(reverse("lookup:customer", args=[sam])), 200)

    unlink = reverse("lookup:unlink", args=[sam, DESK])
    version = _expect(browser.get(unlink), 200).context["form"].initial["version"]
    reason = {"reason": "number_reassigned", "details": "Ticket 4411"}
    # Another lead's edit got there first: the stale version is refused and the link re-read.
    _expect(browser.post(unlink, {**reason, "version": version + 1}), 200)
    _expect(browser.post(unlink, {**reason, "version": version}), 302)

    restore = reverse("lookup:restore", args=[sam, DESK])
    version = _expect(browser.get(restore), 200).context["form"].initial["version"]
    _expect(browser.post(restore, {"reason": "Unlinked by mistake", "version": version}), 302)

    api_client = ApiClient(
        name="order-service",
        scopes=[ApiClient.Scope.LINKS_WRITE, ApiClient.Scope.CUSTOMERS_READ],
    )
    key = api_client.issue_key()
    api_client.save()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    event = order_event(customer=customers["kim"], phone="07946 095899", order_id="ord_api")
    body = json.dumps(event)
    for status in (201, 200):  # created, then already linked
        _expect(
            browser.post(
                reverse("api:phone-links"), body, content_type="application/json", **headers
            ),
            status,
        )
    _expect(browser.get(reverse("api:customers"), {"phone": DESK, "region": "GB"}, **headers), 200)


def _lead():
    if not Group.objects.filter(name=roles.SUPPORT_LEAD).exists():
        # A transactional (browser) test flushed the tables: put the roles back as migrate does.
        importlib.import_module("lookup.migrations.0002_roles").create_roles(apps, None)
    lead = get_user_model().objects.create_user("iam.lead", password="iam-lead-password-1")
    lead.groups.add(Group.objects.get(name=roles.SUPPORT_LEAD))
    return lead


def _worker_drive(queue_url: str) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    raw = order_event(customer="cust-worker-1", phone="07946 095812", order_id="ord_w1")
    bodies = [
        json.dumps(raw),
        json.dumps(raw),  # delivered twice
        sns_envelope(order_event(customer="cust-worker-2", phone="07946 095812")),
        json.dumps(order_event(customer="cust-worker-3", phone="not a phone")),
    ]
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    call_command("consume_order_events", "--once", stdout=io.StringIO())


def _batch_drive(work_dir: Path) -> None:
    history = work_dir / "orders.jsonl"
    history.write_text(
        "\n".join(
            [
                json.dumps(order_event(customer="cust-batch-1", phone="07946 095812")),
                sns_envelope(order_event(customer="cust-batch-2", phone="+44 7946 095813")),
                "{truncated",
            ]
        )
        + "\n"
    )
    out = io.StringIO()
    call_command("backfill_phone_links", str(history), "--no-progress", stdout=out)
    call_command("migrate_legacy_lookups", stdout=out)  # the plan only
    call_command("migrate_legacy_lookups", "--apply", stdout=out)
    call_command("tombstones_index", "--no-progress", stdout=out)  # counts only
    call_command("tombstones_index", "--apply", "--no-progress", stdout=out)
    # moto keeps a number's index items together only in one segment.
    call_command("review_scan", "--segments", "1", "--no-progress", stdout=out)
