"""The IAM policies of infra/phone-lookup.yaml allow exactly what each component does.

Each component's AWS calls are recorded (tests/aws_recorder.py) while drive.py runs its entry
points on a stack deployed from the template; each call becomes the (action, ARN) pairs IAM
authorises it with (tests/infra/iam.py). A policy passes when it allows every one of its
component's requests on the right ARN, and grants no (action, resource) pair the component never
used. The last test repeats the first half over every call the whole run recorded.
"""

import copy

import pytest

from tests.aws_recorder import (
    BATCH,
    COMPONENTS,
    DEAD_LETTER,
    WEB,
    WORKER,
    AwsCall,
    AwsResource,
)
from tests.infra.iam import COMPONENT_POLICIES, Deployment, policy_report
from tests.infra.template import Stack, template_load

# The drive signs a lead in and creates an API client (rolled back afterwards).
pytestmark = pytest.mark.django_db

STACK = Stack()
DEPLOYMENT = Deployment.of(STACK)
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/phone-lookup"
INDEX = f"{TABLE}/index/gsi1"
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events"


def policy_of(component: str, stack: Stack = STACK) -> dict:
    return stack.properties(COMPONENT_POLICIES[component])["PolicyDocument"]


def test_the_drive_ran_every_path_it_claims(component_calls):
    """The bad event reached the dead-letter queue and the legacy records were migrated."""
    assert component_calls.dead_letters == 1
    assert component_calls.legacy_left == 0
    for component in COMPONENTS:
        assert component_calls.calls[component], f"{component} made no AWS call"


def test_the_names_in_the_stack_are_the_ones_the_policies_are_checked_on(component_calls):
    """The drive ran on the stack's own table and queue, so recorded names map literally."""
    outputs = component_calls.outputs
    assert (outputs["TableArn"], outputs["QueueArn"]) == (TABLE, QUEUE)
    made = [call for calls in component_calls.calls.values() for call in calls]
    assert all(resource.configured for call in made for resource in call.resources)


@pytest.mark.parametrize("component", COMPONENTS)
def test_the_policy_allows_every_call_and_nothing_more(component_calls, component):
    requests = DEPLOYMENT.requests(component_calls.calls[component])
    report = policy_report(document=policy_of(component), requests=requests)
    assert report.denied == frozenset(), f"{component} policy refuses calls it makes"
    assert report.unused == frozenset(), f"{component} policy grants what it never uses"
    assert report.wildcards == frozenset()


def test_each_policy_is_what_the_component_needs(component_calls):
    """The recorded needs, spelled out: the documentation in docs/deploy.md says the same."""
    needs = {
        component: DEPLOYMENT.requests(component_calls.calls[component]) for component in COMPONENTS
    }
    assert needs[WEB] == {
        ("dynamodb:Query", INDEX),  # search by phone
        ("dynamodb:BatchGetItem", TABLE),  # the matched customers' profiles
        ("dynamodb:Query", TABLE),  # customer page; a first link's legacy check (API)
        ("dynamodb:UpdateItem", TABLE),  # unlink, restore
        ("dynamodb:GetItem", TABLE),  # a refused unlink re-reads; API link creation reads
        ("dynamodb:PutItem", TABLE),  # API link creation
    }
    assert needs[WORKER] == {
        ("sqs:GetQueueAttributes", QUEUE),  # the redrive policy, checked at start
        ("sqs:ReceiveMessage", QUEUE),
        ("sqs:DeleteMessage", QUEUE),  # DeleteMessageBatch
        ("sqs:ChangeMessageVisibility", QUEUE),  # ChangeMessageVisibilityBatch: retry, reject
        ("dynamodb:UpdateItem", TABLE),  # an order recorded in one write
        ("dynamodb:GetItem", TABLE),  # ... or read, folded and written back
        ("dynamodb:Query", TABLE),  # a first link's legacy check
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:Query", INDEX),  # a first link re-evaluates its number's review queue
    }
    assert needs[BATCH] == {
        ("dynamodb:UpdateItem", TABLE),  # backfill: an order recorded in one write
        ("dynamodb:GetItem", TABLE),
        ("dynamodb:Query", TABLE),
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:Scan", TABLE),  # migrate_legacy_lookups finds legacy records
        ("dynamodb:DeleteItem", TABLE),  # ... and removes them
        ("dynamodb:Query", INDEX),  # backfill: a first link re-evaluates the review queue
        ("dynamodb:Scan", INDEX),  # review_scan
    }


def test_the_worker_running_with_the_web_policy_is_refused(component_calls):
    """The negative case: the check tells which of the worker's calls the web policy lacks."""
    worker = DEPLOYMENT.requests(component_calls.calls[WORKER])
    report = policy_report(document=policy_of(WEB), requests=worker)
    assert report.denied == {
        ("sqs:GetQueueAttributes", QUEUE),
        ("sqs:ReceiveMessage", QUEUE),
        ("sqs:DeleteMessage", QUEUE),
        ("sqs:ChangeMessageVisibility", QUEUE),
    }
    # ...and which of its grants the worker never needs.
    assert report.unused == {("dynamodb:BatchGetItem", TABLE)}


def test_a_missing_action_an_extra_one_and_a_wildcard_are_reported(component_calls):
    template = copy.deepcopy(template_load())
    resources = template["Resources"]
    worker_sqs = resources["WorkerPolicy"]["Properties"]["PolicyDocument"]["Statement"][1]
    worker_sqs["Action"].remove("sqs:ChangeMessageVisibility")
    batch = resources["BatchPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    batch["Action"].append("dynamodb:BatchWriteItem")
    web = resources["WebPolicy"]["Properties"]["PolicyDocument"]["Statement"][1]
    web["Resource"] = {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:*:*:table/*"}
    stack = Stack(template=template)

    worker = policy_report(
        document=policy_of(WORKER, stack),
        requests=DEPLOYMENT.requests(component_calls.calls[WORKER]),
    )
    assert worker.denied == {("sqs:ChangeMessageVisibility", QUEUE)}
    batch_report = policy_report(
        document=policy_of(BATCH, stack),
        requests=DEPLOYMENT.requests(component_calls.calls[BATCH]),
    )
    assert batch_report.unused == {("dynamodb:BatchWriteItem", TABLE)}
    web_report = policy_report(
        document=policy_of(WEB, stack), requests=DEPLOYMENT.requests(component_calls.calls[WEB])
    )
    assert web_report.wildcards == {("dynamodb:Query", "arn:aws:dynamodb:*:*:table/*")}


def test_a_call_on_a_table_or_queue_other_than_the_configured_one_is_refused():
    web_calls = [
        AwsCall(WEB, "dynamodb", "GetItem", (AwsResource("table", "someone-elses-table"),)),
        AwsCall(WEB, "dynamodb", "Query", (AwsResource("table", "phone-lookup", index="other"),)),
    ]
    web = policy_report(document=policy_of(WEB), requests=DEPLOYMENT.requests(web_calls))
    assert web.denied == {
        ("dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/someone-elses-table"),
        ("dynamodb:Query", f"{TABLE}/index/other"),
    }
    sqs = "https://sqs.eu-west-1.amazonaws.com/123456789012"
    dead_letters = AwsResource("queue", f"{sqs}/phone-lookup-order-events-dlq", role=DEAD_LETTER)
    given = AwsResource("queue", f"{sqs}/given-with-queue-url")
    worker_calls = [
        AwsCall(WORKER, "sqs", "ReceiveMessage", (dead_letters,)),
        AwsCall(WORKER, "sqs", "ReceiveMessage", (given,)),
    ]
    worker = policy_report(document=policy_of(WORKER), requests=DEPLOYMENT.requests(worker_calls))
    assert worker.denied == {
        ("sqs:ReceiveMessage", f"{QUEUE}-dlq"),
        ("sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:123456789012:given-with-queue-url"),
    }
    # Judging the whole run, any queue but a dead-letter queue is the one the worker was given.
    requests = DEPLOYMENT.requests(worker_calls, any_main_queue=True)
    assert policy_report(document=policy_of(WORKER), requests=requests).denied == {
        ("sqs:ReceiveMessage", f"{QUEUE}-dlq")
    }


def test_an_existing_table_gets_the_same_policies():
    existing = Stack(parameters={"CreateTable": "false"})
    for component in COMPONENTS:
        assert policy_of(component, existing) == policy_of(component)


@pytest.mark.after_all_aws_calls
def test_every_call_the_whole_run_recorded_is_allowed(component_calls, aws_recorder):
    """Over the whole test run, not only the drive: no component calls what its policy refuses.

    Run after every other test (the recorder's `after_all_aws_calls` marker), so the views',
    API, worker, backfill and migration tests, on moto and on dynalite, all count. A table or
    index other than the configured one maps to its own ARN, and fails here; so does a
    dead-letter queue (any other queue is the one the worker was given).
    """
    problems = []
    for component in COMPONENTS:
        document = policy_of(component)
        for call in aws_recorder.calls(component):
            requests = DEPLOYMENT.requests([call], any_main_queue=True)
            denied = policy_report(document=document, requests=requests).denied
            if denied:
                problems.append(
                    f"{component}: {sorted(denied)} first made by "
                    f"{aws_recorder.first_seen[call] or '(outside a test)'}"
                )
    assert not problems, "\n".join(problems)
