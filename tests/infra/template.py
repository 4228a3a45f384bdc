"""The CloudFormation template as a deployed stack would see it, for a fixed account and region.

`Stack` evaluates the template's parameters, conditions and intrinsic functions (`Ref`,
`Fn::GetAtt`, `Fn::Sub`, `Fn::If`, `Fn::Join`, `Fn::Select`, `Fn::Split`) the way
CloudFormation does, so tests read the policies, queues and alarms with every ARN spelled out.
Anything it does not know raises: a test must never pass on an expression it could not read.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "phone-lookup.yaml"
ACCOUNT = "123456789012"  # moto's default account, so ARNs from moto and from here agree
REGION = "eu-west-1"
PARTITION = "aws"

_NO_VALUE = object()

# What an organisation already has, which the template takes without defaults.
EXAMPLE_PARAMETERS = {
    "VpcId": "vpc-0example",
    "PublicSubnetIds": "subnet-public-a,subnet-public-b",
    "PrivateSubnetIds": "subnet-private-a,subnet-private-b",
    "DomainName": "support.example.com",
    "CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0example",
    "AlarmEmail": "oncall@example.com",
}


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !Sub, !GetAtt a.b, ...) as long forms."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _short_form)


def template_load(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506


@dataclass
class Stack:
    """One deployment of the template: parameter values over the defaults, resolved."""

    template: dict[str, Any] = field(default_factory=template_load)
    parameters: dict[str, str] = field(default_factory=dict)
    name: str = "phone-lookup"
    account: str = ACCOUNT
    region: str = REGION
    partition: str = PARTITION

    def __post_init__(self) -> None:
        declared = self.template.get("Parameters", {})
        unknown = set(self.parameters) - set(declared)
        if unknown:
            raise KeyError(f"Not parameters of the template: {sorted(unknown)}")
        values = {**EXAMPLE_PARAMETERS, **self.parameters}
        self.values = {
            name: str(values.get(name, spec.get("Default", ""))) for name, spec in declared.items()
        }
        self.lists = {name for name, spec in declared.items() if spec["Type"].startswith("List<")}

    # --- conditions and resources ---------------------------------------------------------------

    def condition(self, name: str) -> bool:
        return bool(self._condition(self.template["Conditions"][name]))

    def _condition(self, expression: Any) -> bool:
        (function, argument), *rest = expression.items()
        assert not rest, expression
        if function == "Fn::Equals":
            left, right = (self.resolve(value) for value in argument)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self._condition(argument[0])
        if function == "Fn::And":
            return all(self._condition(item) for item in argument)
        if function == "Fn::Or":
            return any(self._condition(item) for item in argument)
        if function == "Condition":
            return self.condition(argument)
        raise ValueError(f"Unsupported condition function {function}")

    def resources(self) -> dict[str, dict[str, Any]]:
        """The resources this deployment creates (their conditions hold)."""
        return {
            logical: resource
            for logical, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical: resource
            for logical, resource in self.resources().items()
            if resource["Type"] == resource_type
        }

    def properties(self, logical: str) -> dict[str, Any]:
        """A created resource's properties, every intrinsic function resolved."""
        resource = self.resources().get(logical)
        if resource is None:
            raise KeyError(f"{logical} is not created by this deployment")
        return self.resolve(resource.get("Properties", {}))

    def outputs(self) -> dict[str, Any]:
        return {
            name: self.resolve(output["Value"])
            for name, output in self.template.get("Outputs", {}).items()
            if "Condition" not in output or self.condition(output["Condition"])
        }

    # --- intrinsic functions --------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = (self._resolve(item) for item in value)
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), *_ = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        items = ((key, self._resolve(item)) for key, item in value.items())
        return {key: item for key, item in items if item is not _NO_VALUE}

    def _function(self, function: str, argument: Any) -> Any:
        if function == "Fn::If":
            name, when_true, when_false = argument
            return self._resolve(when_true if self.condition(name) else when_false)
        if function == "Fn::GetAtt":
            logical, attribute = argument
            return self._attribute(logical, attribute)
        if function == "Fn::Sub":
            if isinstance(argument, str):
                return self._substitute(argument, {})
            text, variables = argument
            return self._substitute(text, self._resolve(variables))
        if function == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self._resolve(items))
        if function == "Fn::Select":
            index, items = argument
            return self._resolve(items)[int(self._resolve(index))]
        if function == "Fn::Split":
            separator, text = argument
            return str(self._resolve(text)).split(separator)
        if function == "Fn::FindInMap":
            mapping, key, name = (self._resolve(item) for item in argument)
            return self.template["Mappings"][mapping][key][name]
        if function == "Fn::Base64":
            # Kept as text: the tests read user data, CloudFormation encodes it.
            return self._resolve(argument)
        raise ValueError(f"Unsupported intrinsic function {function}")

    def _substitute(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name:
                logical, attribute = name.split(".", 1)
                return str(self._attribute(logical, attribute))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::StackName": self.name,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.lists:
            return self.values[name].split(",") if self.values[name] else []
        if name in self.values:
            return self.values[name]
        resource = self._resource(name)
        kind = resource["Type"]
        if kind == "AWS::DynamoDB::Table":
            return self._name(name, "TableName")
        if kind == "AWS::SQS::Queue":
            return (
                f"https://sqs.{self.region}.amazonaws.com/{self.account}/"
                f"{self._name(name, 'QueueName')}"
            )
        if kind == "AWS::SNS::Topic":
            return f"arn:{self.partition}:sns:{self.region}:{self.account}:{self.name}-{name}"
        if kind == "AWS::IAM::ManagedPolicy":
            return f"arn:{self.partition}:iam::{self.account}:policy/{self.name}-{name}"
        if kind == "AWS::Logs::LogGroup":
            return self._name(name, "LogGroupName")
        if kind == "AWS::SecretsManager::Secret":
            secret = self._name(name, "Name")
            return (
                f"arn:{self.partition}:secretsmanager:{self.region}:{self.account}:"
                f"secret:{secret}-AbCdEf"
            )
        generated = {
            # Physical ids CloudFormation generates: their shape, not their value, matters here.
            "AWS::EC2::SecurityGroup": f"sg-{name.lower()}",
            "AWS::RDS::DBInstance": f"{self.name}-{name.lower()}",
            "AWS::RDS::DBSubnetGroup": f"{self.name}-{name.lower()}",
            "AWS::S3::Bucket": f"{self.name}-{name.lower()}",
            "AWS::IAM::Role": f"{self.name}-{name}",
            "AWS::IAM::InstanceProfile": f"{self.name}-{name}",
            "AWS::EC2::LaunchTemplate": f"lt-{name.lower()}",
            "AWS::AutoScaling::AutoScalingGroup": f"{self.name}-{name}",
            "AWS::Lambda::Function": f"{self.name}-{name}",
            "AWS::ElasticLoadBalancingV2::LoadBalancer": (
                f"arn:{self.partition}:elasticloadbalancing:{self.region}:{self.account}:"
                f"loadbalancer/app/{self.name}-{name}/0123456789abcdef"
            ),
            "AWS::ElasticLoadBalancingV2::TargetGroup": (
                f"arn:{self.partition}:elasticloadbalancing:{self.region}:{self.account}:"
                f"targetgroup/{self.name}-{name}/0123456789abcdef"
            ),
        }
        if kind in generated:
            return generated[kind]
        raise ValueError(f"Ref of a {kind} is not modelled")

    def _attribute(self, logical: str, attribute: str) -> Any:
        kind = self._resource(logical)["Type"]
        if kind == "AWS::DynamoDB::Table" and attribute == "Arn":
            table = self._name(logical, "TableName")
            return f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{table}"
        if kind == "AWS::SQS::Queue":
            queue = self._name(logical, "QueueName")
            if attribute == "Arn":
                return f"arn:{self.partition}:sqs:{self.region}:{self.account}:{queue}"
            if attribute == "QueueName":
                return queue
            if attribute == "QueueUrl":
                return self._ref(logical)
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            group = self._name(logical, "LogGroupName")
            return f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{group}:*"
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:{self.partition}:s3:::{self._ref(logical)}"
        if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            full_name = self._ref(logical).split(":loadbalancer/", 1)[1]
            if attribute == "LoadBalancerFullName":
                return full_name
            if attribute == "DNSName":
                return f"{self.name}-{logical}-1234567890.{self.region}.elb.amazonaws.com"
            if attribute == "CanonicalHostedZoneID":
                return "Z32O12XQLNTSW2"
        if (
            kind == "AWS::ElasticLoadBalancingV2::TargetGroup"
            and attribute == "TargetGroupFullName"
        ):
            return self._ref(logical).split(":", 5)[5]
        if kind == "AWS::RDS::DBInstance":
            instance = self._ref(logical)
            if attribute == "Endpoint.Address":
                return f"{instance}.abcdefghijkl.{self.region}.rds.amazonaws.com"
            if attribute == "Endpoint.Port":
                return "5432"
            if attribute == "MasterUserSecret.SecretArn":
                return (
                    f"arn:{self.partition}:secretsmanager:{self.region}:{self.account}:"
                    f"secret:rds!db-0123-AbCdEf"
                )
        if attribute == "Arn" and kind in {
            "AWS::IAM::Role",
            "AWS::IAM::InstanceProfile",
            "AWS::Lambda::Function",
            "AWS::Events::Rule",
        }:
            service = {"AWS::Lambda::Function": "lambda", "AWS::Events::Rule": "events"}
            return f"arn:{self.partition}:{service.get(kind, 'iam')}::{self.account}:{logical}"
        if kind == "AWS::EC2::LaunchTemplate" and attribute == "LatestVersionNumber":
            return "1"
        raise ValueError(f"GetAtt {logical}.{attribute} of a {kind} is not modelled")

    def _resource(self, logical: str) -> dict[str, Any]:
        resource = self.template["Resources"].get(logical)
        if resource is None:
            raise KeyError(f"No resource or parameter {logical}")
        if "Condition" in resource and not self.condition(resource["Condition"]):
            raise ValueError(f"{logical} is referenced but not created by this deployment")
        return resource

    def _name(self, logical: str, name_property: str) -> str:
        name = self.resolve(self._resource(logical)["Properties"].get(name_property))
        if not name:
            raise ValueError(f"{logical} has no {name_property}: its physical name is generated")
        return str(name)
