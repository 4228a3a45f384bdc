"""The reminder function of the template (RepeatNotifier), run against moto's CloudWatch and SNS:
an alarm left in ALARM is notified again; alarms that cleared, fired too recently or belong to
someone else are not; a pager subscription filtering out reminders gets none."""

import datetime
import json
import types

import boto3

from tests.infra.drive import aws_sandbox
from tests.infra.template import REGION, template_load

TOPIC_NAME = "phone-lookup-alarms"


def _reminder_module() -> types.ModuleType:
    code = template_load()["Resources"]["RepeatNotifier"]["Properties"]["Code"]["ZipFile"]
    module = types.ModuleType("reminders")
    exec(compile(code, "RepeatNotifier", "exec"), module.__dict__)  # noqa: S102
    return module


def _alarm(cloudwatch, *, name: str, topic: str, state: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        AlarmDescription=f"{name}: docs/deploy.md",
        Namespace="PhoneLookup/phone-lookup",
        MetricName="WorkerHeartbeats",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=2,
        ComparisonOperator="LessThanThreshold",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def _subscribed_queue(sqs, sns, *, topic: str, name: str, filter_policy: dict | None) -> str:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    attributes = {"RawMessageDelivery": "true"}
    if filter_policy:
        attributes |= {
            "FilterPolicyScope": "MessageAttributes",
            "FilterPolicy": json.dumps(filter_policy),
        }
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    return url


def _received(sqs, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [message["Body"] for message in messages]


def test_an_alarm_left_firing_is_notified_again_and_only_that_one():
    reminders = _reminder_module()
    pager_filter = template_load()["Resources"]["PagerSubscription"]["Properties"]["FilterPolicy"]
    with aws_sandbox():
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
        other_topic = sns.create_topic(Name="someone-else")["TopicArn"]
        person = _subscribed_queue(sqs, sns, topic=topic, name="person", filter_policy=None)
        pager = _subscribed_queue(sqs, sns, topic=topic, name="pager", filter_policy=pager_filter)

        _alarm(cloudwatch, name="phone-lookup-worker-heartbeat-missing", topic=topic, state="ALARM")
        _alarm(cloudwatch, name="phone-lookup-database-cpu", topic=topic, state="OK")
        _alarm(cloudwatch, name="phone-lookup-elsewhere", topic=other_topic, state="ALARM")
        _alarm(cloudwatch, name="billing-alarm", topic=topic, state="ALARM")

        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=61)
        result = reminders.alarms_renotify(
            cloudwatch=cloudwatch,
            sns=sns,
            prefix="phone-lookup-",
            topic_arn=topic,
            min_age=datetime.timedelta(minutes=60),
            now=later,
        )
        assert result == {"repeated": ["phone-lookup-worker-heartbeat-missing"]}
        (body,) = _received(sqs, person)
        assert body.startswith("phone-lookup-worker-heartbeat-missing has been in ALARM for 6")
        assert _received(sqs, pager) == []

        # Within the interval of entering ALARM: CloudWatch's own notification is enough.
        just_now = reminders.alarms_renotify(
            cloudwatch=cloudwatch,
            sns=sns,
            prefix="phone-lookup-",
            topic_arn=topic,
            min_age=datetime.timedelta(minutes=60),
            now=datetime.datetime.now(datetime.UTC),
        )
        assert just_now == {"repeated": []}
