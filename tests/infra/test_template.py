"""infra/phone-lookup.yaml: lint-clean, the key schema the app relies on, queues and alarms as
docs/deploy.md describes them, and deployable (on moto's CloudFormation) with the app running on
what it creates."""

import io
import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from lookup.queue import DLQ_SUFFIX
from lookup.repository import get_table
from lookup.repository.schema import table_ensure
from tests.infra.drive import aws_sandbox, stack_deploy
from tests.infra.iam import COMPONENT_POLICIES
from tests.infra.template import REGION, TEMPLATE, Stack

TOPIC = "arn:aws:sns:us-east-1:210987654321:order-committed"


def test_cfn_lint_passes_with_informational_checks():
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _table_shape(description: dict) -> dict:
    """The parts of a table that are the contract with the other services' writes."""
    return {
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in description["AttributeDefinitions"]
        ),
        "keys": [(k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]],
        "indexes": [
            (
                index["IndexName"],
                [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]],
                index["Projection"]["ProjectionType"],
            )
            for index in description["GlobalSecondaryIndexes"]
        ],
    }


def test_the_table_has_the_key_schema_the_app_creates_locally(moto_table):
    """Same keys, index and projection as `ensure_table` (the local stack's table) makes."""
    local = moto_table.client.describe_table(TableName=moto_table.name)["Table"]
    table = Stack(parameters={"IndexName": settings.DYNAMODB_INDEX_NAME}).properties("Table")
    assert _table_shape(table) == _table_shape(local)
    assert _table_shape(table) == {
        "attributes": [("pk", "S"), ("pk2", "S"), ("sk", "S"), ("sk2", "S")],
        "keys": [("pk", "HASH"), ("sk", "RANGE")],
        "indexes": [("gsi1", [("pk2", "HASH"), ("sk2", "RANGE")], "ALL")],
    }


def test_the_table_is_protected_encrypted_and_on_demand():
    stack = Stack()
    table = stack.properties("Table")
    assert table["TableName"] == "phone-lookup"
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True
    assert table["SSESpecification"] == {"SSEEnabled": True}
    resource = stack.resources()["Table"]
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_an_existing_table_is_referenced_not_created():
    stack = Stack(parameters={"CreateTable": "false", "TableName": "shared-users"})
    assert "Table" not in stack.resources()
    assert stack.outputs()["TableArn"] == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/shared-users"
    )
    web = stack.properties("WebPolicy")["PolicyDocument"]["Statement"]
    assert web[1]["Resource"] == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/shared-users/index/gsi1"
    )


def test_the_queue_dead_letters_after_the_receives_the_worker_expects():
    stack = Stack()
    queue = stack.properties("OrderEventsQueue")
    dlq = stack.properties("DeadLetterQueue")
    assert dlq["QueueName"] == f"{queue['QueueName']}{DLQ_SUFFIX}"
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": ("arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events-dlq"),
        # The local stack's defaults (ensure_queues), so both behave alike.
        "maxReceiveCount": str(settings.ORDER_EVENTS_MAX_RECEIVE_COUNT),
    }
    assert queue["VisibilityTimeout"] == str(settings.ORDER_EVENTS_VISIBILITY_TIMEOUT)
    # Fourteen days each, the most SQS allows: a long weekend with a stuck worker loses nothing.
    assert queue["MessageRetentionPeriod"] == dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert dlq["RedriveAllowPolicy"] == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": ["arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events"],
    }

    tuned = Stack(parameters={"MaxReceiveCount": "8", "VisibilityTimeout": "120"})
    queue = tuned.properties("OrderEventsQueue")
    assert (queue["RedrivePolicy"]["maxReceiveCount"], queue["VisibilityTimeout"]) == ("8", "120")


def test_without_a_topic_there_is_no_subscription_and_only_tls_is_allowed():
    stack = Stack()
    assert "OrderEventsSubscription" not in stack.resources()
    statements = stack.properties("QueuePolicy")["PolicyDocument"]["Statement"]
    assert [s["Sid"] for s in statements] == ["DenyInsecureTransport"]
    assert statements[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("raw", ["true", "false"])
def test_the_order_topic_subscription_delivers_raw_or_in_an_envelope(raw):
    stack = Stack(parameters={"OrderEventsTopicArn": TOPIC, "RawMessageDelivery": raw})
    subscription = stack.properties("OrderEventsSubscription")
    assert subscription == {
        "TopicArn": TOPIC,
        "Region": "us-east-1",
        "Protocol": "sqs",
        "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events",
        "RawMessageDelivery": raw,
        "FilterPolicyScope": "MessageBody",
        "FilterPolicy": {"type": ["order.committed"]},
    }
    sends = stack.properties("QueuePolicy")["PolicyDocument"]["Statement"][1]
    assert sends == {
        "Sid": "OrderEventsTopicSends",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:123456789012:phone-lookup-order-events",
        "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}},
    }


def test_the_subscription_filter_can_be_turned_off():
    stack = Stack(parameters={"OrderEventsTopicArn": TOPIC, "OnlyOrderCommitted": "false"})
    subscription = stack.properties("OrderEventsSubscription")
    assert "FilterPolicy" not in subscription and "FilterPolicyScope" not in subscription


def _alarms(stack: Stack) -> dict[str, dict]:
    return {
        logical: stack.properties(logical)
        for logical in stack.resources_of_type("AWS::CloudWatch::Alarm")
    }


def _watched(alarm: dict) -> set[tuple[str, str]]:
    """(namespace, metric) pairs an alarm reads, directly or through metric math."""
    if "MetricName" in alarm:
        return {(alarm["Namespace"], alarm["MetricName"])}
    return {
        (query["MetricStat"]["Metric"]["Namespace"], query["MetricStat"]["Metric"]["MetricName"])
        for query in alarm["Metrics"]
        if "MetricStat" in query
    }


def test_every_tier_is_alarmed_and_every_alarm_tells_the_topic_when_it_fires_and_clears():
    stack = Stack(parameters={"ReleaseVersion": "v1"})
    alarms = _alarms(stack)
    topic = stack.resolve({"Ref": "AlarmTopic"})
    watched = set().union(*(_watched(alarm) for alarm in alarms.values()))
    assert watched == {
        ("AWS/ApplicationELB", "RequestCount"),
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/ApplicationELB", "HealthyHostCount"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/DynamoDB", "ThrottledRequests"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/DynamoDB", "SystemErrors"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("PhoneLookup/phone-lookup", "WorkerErrors"),
        ("PhoneLookup/phone-lookup", "WorkerHeartbeats"),
        ("PhoneLookup/phone-lookup", "DailyJobErrors"),
    }
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
        assert alarm["AlarmName"].startswith("phone-lookup-")


def test_the_throttle_and_error_alarms_cover_every_operation_the_policies_grant():
    stack = Stack()
    granted = {
        action.split(":", 1)[1]
        for policy in ("WebPolicy", "WorkerPolicy", "BatchPolicy")
        for statement in stack.properties(policy)["PolicyDocument"]["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
        if action.startswith("dynamodb:")
    }
    for logical in ("TableThrottlesAlarm", "TableSystemErrorsAlarm"):
        metrics = stack.properties(logical)["Metrics"]
        operations = {
            dimension["Value"]
            for query in metrics
            if "MetricStat" in query
            for dimension in query["MetricStat"]["Metric"]["Dimensions"]
            if dimension["Name"] == "Operation"
        }
        assert operations == granted
        assert [q["Expression"] for q in metrics if "Expression" in q] == ["SUM(METRICS())"]
    index = stack.properties("IndexThrottlesAlarm")["Metrics"]
    assert {
        (d["Name"], d["Value"])
        for q in index
        if "MetricStat" in q
        for d in q["MetricStat"]["Metric"]["Dimensions"]
    } == {("TableName", "phone-lookup"), ("GlobalSecondaryIndexName", "gsi1")}


def test_worker_liveness_fires_on_missing_beats_even_with_an_idle_queue():
    stack = Stack(parameters={"ReleaseVersion": "v1", "ExpectedWorkers": "3"})
    metric_filter = stack.properties("WorkerHeartbeatMetricFilter")
    assert metric_filter["LogGroupName"] == "/phone-lookup/worker"
    assert metric_filter["FilterPattern"] == '{ $.message = "worker heartbeat" }'
    (transformation,) = metric_filter["MetricTransformations"]
    alarm = stack.properties("WorkerHeartbeatAlarm")
    assert (transformation["MetricNamespace"], transformation["MetricName"]) == (
        alarm["Namespace"],
        alarm["MetricName"],
    )
    # A dead worker sends nothing at all: no data must count as a missing beat.
    assert alarm["TreatMissingData"] == "breaching"
    assert (alarm["Statistic"], alarm["Period"], alarm["ComparisonOperator"]) == (
        "Sum",
        60,
        "LessThanThreshold",
    )
    assert alarm["Threshold"] == "3"
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == "5"
    # As many worker hosts (one process each) as beats expected.
    group = stack.properties("WorkerGroup")
    assert group["MinSize"] == group["MaxSize"] == "3"
    # Before the first release there are no workers, and nothing to miss.
    assert "WorkerHeartbeatAlarm" not in Stack().resources()


def test_worker_and_daily_job_errors_are_counted_from_their_log_groups():
    stack = Stack()
    for filter_name, group in (
        ("WorkerErrorsMetricFilter", "/phone-lookup/worker"),
        ("DailyJobErrorsMetricFilter", "/phone-lookup/daily"),
    ):
        metric_filter = stack.properties(filter_name)
        assert metric_filter["LogGroupName"] == group
        assert metric_filter["FilterPattern"] == '{ ($.level = "ERROR") || ($.level = "CRITICAL") }'
    daily = stack.properties("DailyJobFailedAlarm")
    assert (daily["MetricName"], daily["Threshold"], daily["Period"]) == (
        "DailyJobErrors",
        0,
        86400,
    )


def test_every_log_group_has_the_retention_parameter():
    stack = Stack(parameters={"LogRetentionDays": "90"})
    groups = {
        logical: stack.properties(logical)
        for logical in stack.resources_of_type("AWS::Logs::LogGroup")
    }
    assert {g["LogGroupName"] for g in groups.values()} == {
        "/phone-lookup/web",
        "/phone-lookup/worker",
        "/phone-lookup/daily",
        "/phone-lookup/release-job",
        "/phone-lookup/alarm-reminders",
    }
    assert {g["RetentionInDays"] for g in groups.values()} == {"90"}


def test_load_balancer_access_logs_go_to_a_bucket_that_expires_them():
    stack = Stack(parameters={"AccessLogRetentionDays": "30"})
    attributes = {
        a["Key"]: a["Value"] for a in stack.properties("LoadBalancer")["LoadBalancerAttributes"]
    }
    bucket = stack.resolve({"Ref": "AccessLogBucket"})
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == bucket
    (rule,) = stack.properties("AccessLogBucket")["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["ExpirationInDays"]) == ("Enabled", "30")
    writes = stack.properties("AccessLogBucketPolicy")["PolicyDocument"]["Statement"][0]
    # eu-west-1 opened before August 2022: its Elastic Load Balancing account writes the logs.
    assert writes["Principal"] == {"AWS": "arn:aws:iam::156460612806:root"}
    assert writes["Resource"] == f"arn:aws:s3:::{bucket}/alb/AWSLogs/123456789012/*"
    newer = Stack(region="ap-southeast-5").properties("AccessLogBucketPolicy")
    assert newer["PolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }


def test_https_with_the_certificate_and_plain_http_redirected():
    stack = Stack(
        parameters={"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}
    )
    https = stack.properties("HttpsListener")
    assert (https["Protocol"], https["Port"]) == ("HTTPS", 443)
    assert https["Certificates"] == [
        {"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}
    ]
    redirect = stack.properties("HttpRedirectListener")
    assert (redirect["Protocol"], redirect["Port"]) == ("HTTP", 80)
    assert redirect["DefaultActions"] == [
        {
            "Type": "redirect",
            "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
        }
    ]
    target_group = stack.properties("WebTargetGroup")
    assert (target_group["HealthCheckPath"], target_group["Port"]) == ("/readyz", 8000)


def test_security_groups_admit_only_the_tier_in_front():
    stack = Stack()
    web = stack.properties("WebSecurityGroup")["SecurityGroupIngress"]
    assert [(r["FromPort"], r["SourceSecurityGroupId"]) for r in web] == [
        (8000, "sg-loadbalancersecuritygroup")
    ]
    database = stack.properties("DatabaseSecurityGroup")["SecurityGroupIngress"]
    assert {(r["FromPort"], r["SourceSecurityGroupId"]) for r in database} == {
        (5432, "sg-websecuritygroup"),
        (5432, "sg-workersecuritygroup"),
        (5432, "sg-releasejobsecuritygroup"),
    }
    for closed in ("WorkerSecurityGroup", "ReleaseJobSecurityGroup"):
        assert "SecurityGroupIngress" not in stack.properties(closed)


def test_the_database_password_is_managed_and_hosts_connect_as_the_app_role_with_verify_full():
    stack = Stack(parameters={"ReleaseVersion": "v1"})
    database = stack.properties("Database")
    assert database["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in database
    assert database["StorageEncrypted"] is True and database["PubliclyAccessible"] is False
    app_secret = stack.properties("AppDatabaseSecret")["GenerateSecretString"]
    assert json.loads(app_secret["SecretStringTemplate"])["username"] == "supporttool_app"
    host_secrets = stack.properties("HostPolicy")["PolicyDocument"]["Statement"][0]
    master = stack.resolve({"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]})
    assert host_secrets["Resource"] == [
        stack.resolve({"Ref": "DjangoSecretKeySecret"}),
        stack.resolve({"Ref": "AppDatabaseSecret"}),
    ]
    assert master not in host_secrets["Resource"]
    assert (
        master in stack.properties("ReleaseJobPolicy")["PolicyDocument"]["Statement"][0]["Resource"]
    )
    for template in ("WebLaunchTemplate", "WorkerLaunchTemplate"):
        user_data = stack.properties(template)["LaunchTemplateData"]["UserData"]
        assert "sslmode=verify-full&sslrootcert=/etc/phone-lookup/rds-ca.pem" in user_data
        assert f"DATABASE_SECRET_ARN={stack.resolve({'Ref': 'AppDatabaseSecret'})}" in user_data
        assert "PASSWORD" not in user_data.upper().replace("PASSWORD_LOGIN", "")


def _settings_block(user_data: str) -> str:
    return user_data.split("<<'SETTINGS'\n", 1)[1].split("SETTINGS\n", 1)[0]


def test_every_launch_template_writes_the_same_settings():
    stack = Stack(parameters={"ReleaseVersion": "v1", "ExtraSettings": "PHONE_REGIONS=GB,IE"})
    blocks = {
        logical: _settings_block(stack.properties(logical)["LaunchTemplateData"]["UserData"])
        for logical in ("WebLaunchTemplate", "WorkerLaunchTemplate", "ReleaseJobLaunchTemplate")
    }
    assert len(set(blocks.values())) == 1, blocks
    assert (
        "ORDER_EVENTS_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/" in blocks["WebLaunchTemplate"]
    )


def test_alarm_email_is_required_and_the_pager_gets_no_reminders():
    assert "Default" not in Stack().template["Parameters"]["AlarmEmail"]
    plain = Stack(parameters={"AlarmEmail": "oncall@example.com"})
    assert plain.properties("AlarmEmailSubscription")["Endpoint"] == "oncall@example.com"
    assert "PagerSubscription" not in plain.resources()
    paged = Stack(
        parameters={"PagerEndpoint": "https://events.pagerduty.com/integration/x/enqueue"}
    )
    pager = paged.properties("PagerSubscription")
    assert (pager["Protocol"], pager["FilterPolicy"]) == ("https", {"repeat": [{"exists": False}]})
    assert "RepeatNotifier" not in Stack(parameters={"RepeatNotificationMinutes": "0"}).resources()
    schedule = Stack(parameters={"RepeatNotificationMinutes": "30"}).properties(
        "RepeatNotifierSchedule"
    )
    assert schedule["ScheduleExpression"] == "rate(30 minutes)"


# --- deployed on moto's CloudFormation -----------------------------------------------------------


def _deployed_policy(outputs: dict[str, str], component: str) -> dict:
    iam = boto3.client("iam", region_name=REGION)
    arn = outputs[f"{COMPONENT_POLICIES[component]}Arn"]
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def test_the_stack_deploys_and_the_app_runs_on_what_it_created():
    stack = Stack()
    with aws_sandbox():
        outputs = stack_deploy()
        # CloudFormation's own reading of the template agrees with the one the tests check.
        for component in COMPONENT_POLICIES:
            assert (
                _deployed_policy(outputs, component)
                == stack.properties(COMPONENT_POLICIES[component])["PolicyDocument"]
            )
        expected = stack.outputs()
        for name in ("TableName", "TableArn", "IndexName", "QueueUrl", "QueueArn"):
            assert outputs[name] == expected[name]
        assert outputs["DeadLetterQueueUrl"] == expected["DeadLetterQueueUrl"]

        with override_settings(
            DYNAMODB_TABLE_NAME=outputs["TableName"],
            DYNAMODB_INDEX_NAME=outputs["IndexName"],
            ORDER_EVENTS_QUEUE_URL=outputs["QueueUrl"],
            ORDER_EVENTS_WAIT_SECONDS=0,
        ):
            get_table.cache_clear()
            # The table is complete as the app needs it: ensure_table has nothing to do.
            assert table_ensure(table=get_table()) == []
            out = io.StringIO()
            call_command("consume_order_events", "--once", stdout=out)
            assert "dead-letter queue after 5 receives" in out.getvalue()


def test_with_an_existing_table_the_stack_creates_none():
    with aws_sandbox():
        outputs = stack_deploy(parameters={"CreateTable": "false"})
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            boto3.client("dynamodb", region_name=REGION).describe_table(
                TableName=outputs["TableName"]
            )
        assert outputs["TableArn"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/phone-lookup"


def test_on_moto_the_platform_is_created_as_the_template_says():
    with aws_sandbox():
        outputs = stack_deploy(parameters={"ReleaseVersion": "v1", "LogRetentionDays": "60"})
        elbv2 = boto3.client("elbv2", region_name=REGION)
        (balancer,) = elbv2.describe_load_balancers()["LoadBalancers"]
        assert balancer["DNSName"] == outputs["LoadBalancerDnsName"]
        listeners = {
            listener["Port"]: listener
            for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])[
                "Listeners"
            ]
        }
        assert listeners[443]["Protocol"] == "HTTPS"
        assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
        (group,) = elbv2.describe_target_groups()["TargetGroups"]
        assert (group["HealthCheckPath"], group["Port"]) == ("/readyz", 8000)

        logs = boto3.client("logs", region_name=REGION)
        retention = {
            g["logGroupName"]: g.get("retentionInDays")
            for g in logs.describe_log_groups(logGroupNamePrefix="/phone-lookup/")["logGroups"]
        }
        assert retention == {
            "/phone-lookup/web": 60,
            "/phone-lookup/worker": 60,
            "/phone-lookup/daily": 60,
            "/phone-lookup/release-job": 60,
            "/phone-lookup/alarm-reminders": 60,
        }

        # moto creates the buckets but not their lifecycle rules (checked on the template).
        s3 = boto3.client("s3", region_name=REGION)
        assert s3.head_bucket(Bucket=outputs["AccessLogBucketName"])
        assert s3.head_bucket(Bucket=outputs["ArtifactBucketName"])

        autoscaling = boto3.client("autoscaling", region_name=REGION)
        sizes = sorted(
            (g["MinSize"], g["MaxSize"])
            for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
        )
        assert sizes == [(2, 2), (2, 4)]

        rds = boto3.client("rds", region_name=REGION)
        (database,) = rds.describe_db_instances()["DBInstances"]
        assert (database["Engine"], database["StorageEncrypted"]) == ("postgres", True)
        assert database["Endpoint"]["Address"] == outputs["DatabaseAddress"]
        assert outputs["DatabaseMasterSecretArn"].startswith(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-"
        )
