"""Failures never go silent: every function's errors and throttles, the API's 5xx rate and every
failure path raise an alarm; alarms reach a topic CloudWatch can publish to, and from there email
and a WeCom group; each service has a dashboard.

The stage's template is checked as deployed; the platform helpers of infra/monitoring.py are also
checked on a small stack of their own, so what they build is proven whoever calls them.
"""

from __future__ import annotations

import json
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra import monitoring
from infra.functions import Runtime
from infra.service import pascal
from services.registry import SERVICES
from tests.infra.conftest import refs, resources
from tests.infra.test_wiring import deployed_functions, wiring_problems


def alarms(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [alarm["Properties"] for _, alarm in resources(template, "AWS::CloudWatch::Alarm")]


def metrics_of(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm watches: its own, or those of its math expression."""
    if "MetricName" in alarm:
        return [{"Namespace": alarm["Namespace"], "MetricName": alarm["MetricName"], "Dimensions": alarm["Dimensions"]}]
    return [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]


def watched(template: dict[str, Any], namespace: str, metric_name: str) -> set[str]:
    """Logical ids whose ``metric_name`` has an alarm that notifies someone."""
    return {
        ref
        for alarm in alarms(template)
        if alarm.get("AlarmActions")
        for metric in metrics_of(alarm)
        if metric["Namespace"] == namespace and metric["MetricName"] == metric_name
        for ref in refs(metric.get("Dimensions", []))
    }


# The stage as deployed ---------------------------------------------------------------------------
def test_every_function_has_error_and_throttle_alarms(template: dict[str, Any]) -> None:
    """The authorizer's too (wired by the platform stack with ``monitoring.authorizer_alarms``)."""
    functions = {logical_id for logical_id, _ in deployed_functions(template)}
    assert functions - watched(template, "AWS/Lambda", "Errors") == set()
    assert functions - watched(template, "AWS/Lambda", "Throttles") == set()


def test_every_alarm_notifies_when_it_fires_and_when_it_ends(template: dict[str, Any]) -> None:
    found = alarms(template)
    assert len(found) >= 80
    for alarm in found:
        assert alarm["AlarmActions"], alarm
        assert alarm["OKActions"] == alarm["AlarmActions"], alarm
        assert "Runbook: docs/operations.md" in alarm["AlarmDescription"]
        assert alarm["TreatMissingData"] == "notBreaching"


def test_the_api_has_a_5xx_rate_alarm(template: dict[str, Any]) -> None:
    """Wired by the platform stack with ``monitoring.api_alarms``."""
    [api] = [logical_id for logical_id, _ in resources(template, "AWS::ApiGatewayV2::Api")]
    assert api in watched(template, "AWS/ApiGateway", "5xx")


def test_the_alarm_topic_is_one_cloudwatch_can_publish_to(template: dict[str, Any]) -> None:
    """With SNS's AWS managed key CloudWatch cannot publish: built by ``monitoring.alarm_topic``."""
    [(_, topic)] = list(resources(template, "AWS::SNS::Topic"))
    assert "alias/aws/sns" not in json.dumps(topic["Properties"].get("KmsMasterKeyId", ""))


def test_each_service_has_a_dashboard_of_its_functions_and_queues(template: dict[str, Any]) -> None:
    dashboards = {
        dashboard["Properties"]["DashboardName"]: refs(dashboard["Properties"]["DashboardBody"])
        for _, dashboard in resources(template, "AWS::CloudWatch::Dashboard")
    }
    for service in SERVICES:
        prefix = pascal(service.name)
        shown = dashboards[f"siyu-prod-{service.name}"]
        functions = {i for i, _ in deployed_functions(template) if i.startswith(prefix) and "Authorizer" not in i}
        queues = {i for i, _ in resources(template, "AWS::SQS::Queue") if i.startswith(prefix)}
        assert functions, service.name
        assert functions | queues <= shown, service.name


def test_one_invoke_permission_per_api_function_for_the_whole_api(template: dict[str, Any]) -> None:
    """Not one per route: the cases API carried 31 statements against the 20 KB policy limit."""
    permissions: dict[str, list[dict[str, Any]]] = {}
    for _, permission in resources(template, "AWS::Lambda::Permission"):
        properties = permission["Properties"]
        if properties["Principal"] == "apigateway.amazonaws.com":
            permissions.setdefault(refs(properties["FunctionName"]).pop(), []).append(properties)
    api_functions = {f"{pascal(s.name)}Api" for s in SERVICES if any(not r.local_only for r in s.routes)}
    for prefix in api_functions:
        [function] = [logical_id for logical_id in permissions if logical_id.startswith(prefix)]
        [permission] = permissions[function]
        source = json.dumps(permission["SourceArn"])
        assert "execute-api" in source
        assert "AWS::Partition" in source
        assert permission["SourceArn"]["Fn::Join"][1][-1].endswith("/*/*")
    assert all(len(found) == 1 for found in permissions.values())


def test_routes_live_in_the_stack_of_their_service(templates: dict[str, dict[str, Any]]) -> None:
    """Each route, its integration and its function's permission are in the service's stack: a
    route added on the platform's API would make the platform stack depend on every service."""
    routes = 0
    for name, stack_template in templates.items():
        integrations = {logical_id for logical_id, _ in resources(stack_template, "AWS::ApiGatewayV2::Integration")}
        for logical_id, route in resources(stack_template, "AWS::ApiGatewayV2::Route"):
            routes += 1
            assert refs(route["Properties"]["Target"]) <= integrations, (name, logical_id)
            assert refs(route["Properties"]["Target"]), (name, logical_id)
    assert routes == sum(1 for s in SERVICES for r in s.routes if not r.local_only)


def test_no_arn_is_written_for_one_partition(templates: dict[str, dict[str, Any]]) -> None:
    for name, stack_template in templates.items():
        assert "arn:aws:" not in json.dumps(stack_template), name


# The platform helpers, on a stack of their own -----------------------------------------------------
class InlineRuntime:
    """Stands in for infra.functions.Runtime: a function with inline code, so that this stack
    bundles no asset."""

    def function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        service: str,
        environment: dict[str, str],
        timeout_seconds: int = 10,
        memory_mb: int = 512,
        packages: tuple[str, ...] = (),
    ) -> lambda_.Function:
        assert not packages
        return lambda_.Function(
            scope,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler=handler,
            code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
            timeout=cdk.Duration.seconds(timeout_seconds),
            memory_size=memory_mb,
            environment={"POWERTOOLS_SERVICE_NAME": service, **environment},
        )


@pytest.fixture(scope="module")
def helpers_template() -> dict[str, Any]:
    app = cdk.App()
    stack = cdk.Stack(app, "Helpers")
    topic = monitoring.alarm_topic(stack, "Alarms", stage="test")
    authorizer = InlineRuntime().function(
        stack, "Authorizer", handler="shared.auth.authorizer.handler", service="platform", environment={}
    )
    monitoring.authorizer_alarms(stack, authorizer, topic)
    api = apigw.HttpApi(stack, "Api")
    monitoring.api_alarms(stack, api, topic)
    monitoring.AlarmSubscriptions(
        stack,
        "AlarmSubscriptions",
        topic=topic,
        runtime=cast(Runtime, InlineRuntime()),
        stage="test",
        emails=("ops@example.com", "oncall@example.com"),
        wecom_webhook_secret_name="siyu/test/wecom-alarm-webhook",
    )
    without_robot = sns.Topic(stack, "Quiet")
    monitoring.AlarmSubscriptions(
        stack,
        "EmailOnly",
        topic=without_robot,
        runtime=cast(Runtime, InlineRuntime()),
        stage="test",
        emails=("ops@example.com",),
    )
    return dict(assertions.Template.from_stack(stack).to_json())


def test_the_alarm_topic_key_lets_cloudwatch_publish(helpers_template: dict[str, Any]) -> None:
    [(key_id, key)] = list(resources(helpers_template, "AWS::KMS::Key"))
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert any(
        s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(s["Action"])
        for s in statements
    )
    [topic] = [t for i, t in resources(helpers_template, "AWS::SNS::Topic") if i.startswith("Alarms")]
    assert key_id in refs(topic["Properties"]["KmsMasterKeyId"])


def test_the_authorizer_and_api_alarm_helpers(helpers_template: dict[str, Any]) -> None:
    [authorizer] = [i for i, _ in resources(helpers_template, "AWS::Lambda::Function") if i.startswith("Authorizer")]
    assert authorizer in watched(helpers_template, "AWS/Lambda", "Errors")
    assert authorizer in watched(helpers_template, "AWS/Lambda", "Throttles")
    [api] = [i for i, _ in resources(helpers_template, "AWS::ApiGatewayV2::Api")]
    assert api in watched(helpers_template, "AWS/ApiGateway", "5xx")
    [rate] = [a for a in alarms(helpers_template) if any(m["MetricName"] == "5xx" for m in metrics_of(a))]
    assert rate["Threshold"] == monitoring.API_5XX_PERCENT
    assert rate["EvaluationPeriods"] == rate["DatapointsToAlarm"] == 2


def test_alarms_reach_each_email_and_the_wecom_robot_through_its_forwarder(helpers_template: dict[str, Any]) -> None:
    subscriptions = [s["Properties"] for _, s in resources(helpers_template, "AWS::SNS::Subscription")]
    emails = sorted(s["Endpoint"] for s in subscriptions if s["Protocol"] == "email")
    assert emails == ["oncall@example.com", "ops@example.com", "ops@example.com"]
    [robot] = [s for s in subscriptions if s["Protocol"] == "lambda"]
    [(forwarder_id, forwarder)] = [
        (i, f)
        for i, f in resources(helpers_template, "AWS::Lambda::Function")
        if f["Properties"]["Handler"] == monitoring.ALARM_FORWARDER_HANDLER
    ]
    assert forwarder_id in refs(robot["Endpoint"])
    variables = forwarder["Properties"]["Environment"]["Variables"]
    assert variables["SIYU_ALARM_WEBHOOK_SECRET"] == "siyu/test/wecom-alarm-webhook"
    # The forwarder has what its code reads, and may read the webhook's secret (by name).
    assert wiring_problems(helpers_template, forwarder_id, forwarder) == []
    broken = json.loads(json.dumps(helpers_template))
    for _, policy in resources(broken, "AWS::IAM::Policy"):
        policy["Properties"]["PolicyDocument"]["Statement"] = []
    assert wiring_problems(broken, forwarder_id, forwarder) != []
    assert forwarder_id in watched(helpers_template, "AWS/Lambda", "Errors")
    # An alarm it cannot post after Lambda's retries waits in an alarmed failure queue.
    [invoke] = [c["Properties"] for _, c in resources(helpers_template, "AWS::Lambda::EventInvokeConfig")]
    [failures] = refs(invoke["DestinationConfig"]["OnFailure"]["Destination"])
    assert helpers_template["Resources"][failures]["Type"] == "AWS::SQS::Queue"
    assert failures in watched(helpers_template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")


def test_a_wecom_robot_without_any_email_is_refused() -> None:
    """Its forwarder's own failures are mailed: with no address they would reach nobody."""
    stack = cdk.Stack(cdk.App(), "RobotOnly")
    with pytest.raises(ValueError, match="alarm_emails"):
        monitoring.AlarmSubscriptions(
            stack,
            "AlarmSubscriptions",
            topic=sns.Topic(stack, "Topic"),
            runtime=cast(Runtime, InlineRuntime()),
            stage="test",
            wecom_webhook_secret_name="siyu/test/wecom-alarm-webhook",
        )
