"""Failures never go silent: alarms on every failure path, the alarm topic and who hears it, and
a dashboard per service.

Every alarm sends to the stage's alarm topic and names, in its description, the runbook entry
(docs/operations.md, "Alarms") that says what it means and what to do. The helpers here are used
by the service constructs (infra/service.py) and by the platform stack (the authorizer, the API,
the topic and its subscriptions).
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.functions import Runtime
from shared.settings import VARIABLES

PERIOD = cdk.Duration.minutes(5)
# What shared/consumer.py emits for each message it hands back to SQS as a batch item failure: the
# Lambda succeeds, so its Errors metric never sees these.
METRICS_NAMESPACE = "Siyu"
CONSUMER_FAILURES = "ConsumerFailures"
MALFORMED_OUTBOX_ITEMS = "MalformedOutboxItems"  # shared/publisher.py: an outbox item it could not read
CONSUMER_DIMENSION = "consumer"
# A consumer failing in three consecutive five-minute periods is failing, not retrying a blip.
CONSUMER_FAILING_PERIODS = 3
# The outbox publisher is behind by more than this: events reach their consumers late.
ITERATOR_AGE_LIMIT = cdk.Duration.minutes(5)
# API 5xx as a share of requests, over two consecutive periods; periods with fewer requests than
# this are too small for a rate to mean anything (a single 5xx still shows on the function's alarms).
API_5XX_PERCENT = 1
API_MIN_REQUESTS = 20
ALARM_FORWARDER_HANDLER = "services.platform.alarm_forwarder.handler"
RUNBOOK = "docs/operations.md, Alarms"


class Alarms:
    """Creates alarms in one scope, each sending to the alarm topic when it fires and when it ends."""

    def __init__(self, scope: Construct, topic: sns.ITopic) -> None:
        self.scope = scope
        self.topic = topic

    def on(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        *,
        meaning: str,
        threshold: float = 1,
        periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self.scope,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{meaning} Runbook: {RUNBOOK}.",
        )
        action = cw_actions.SnsAction(self.topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
        return alarm

    # What each kind of failure path alarms on ---------------------------------------------------
    def function(self, construct_id: str, function: lambda_.IFunction) -> None:
        """Errors (a handler raised or timed out) and throttles (a run refused for concurrency)."""
        self.on(
            f"{construct_id}Errors",
            function.metric_errors(period=PERIOD),
            meaning=f"Function errors: {construct_id} raised or timed out.",
        )
        self.on(
            f"{construct_id}Throttles",
            function.metric_throttles(period=PERIOD),
            meaning=f"Function throttles: {construct_id} was refused a run for lack of concurrency.",
        )

    def dead_letters(self, construct_id: str, queue: sqs.IQueue, what: str) -> None:
        self.on(
            f"{construct_id}Messages",
            queue.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(1), statistic="Maximum"),
            meaning=f"Dead letters: {what}",
        )

    def iterator_age(self, construct_id: str, function: lambda_.IFunction) -> None:
        self.on(
            f"{construct_id}IteratorAge",
            function.metric("IteratorAge", period=cdk.Duration.minutes(1), statistic="Maximum"),
            threshold=ITERATOR_AGE_LIMIT.to_milliseconds(),
            periods=3,
            meaning=f"Stream iterator age: {construct_id} is more than "
            f"{ITERATOR_AGE_LIMIT.to_minutes()} minutes behind its table's stream.",
        )

    def rule_delivery(self, construct_id: str, rule: events.IRule, bus: events.IEventBus) -> None:
        """EventBridge gave up delivering to the rule's target: the events are in the DLQ
        (FailedInvocations), or lost if even that failed (InvocationsFailedToBeSentToDlq)."""

        def metric(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/Events",
                metric_name=name,
                dimensions_map={"EventBusName": bus.event_bus_name, "RuleName": rule.rule_name},
                statistic="Sum",
                period=PERIOD,
            )

        self.on(
            f"{construct_id}DeliveryFailures",
            cloudwatch.MathExpression(
                expression="FILL(failed, 0) + FILL(lost, 0)",
                using_metrics={"failed": metric("FailedInvocations"), "lost": metric("InvocationsFailedToBeSentToDlq")},
                label="undelivered",
                period=PERIOD,
            ),
            meaning=f"Rule delivery: {construct_id} could not deliver events to its queue.",
        )

    def malformed_outbox_items(self, construct_id: str, service: str) -> None:
        """The publisher sets an outbox item it cannot read aside rather than block the stream: it is
        never published, so it must be looked at (the item stays in the table until its TTL)."""
        self.on(
            f"{construct_id}MalformedOutboxItems",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=MALFORMED_OUTBOX_ITEMS,
                dimensions_map={"service": service},
                statistic="Sum",
                period=PERIOD,
            ),
            meaning=f"Outbox items of {service} the publisher could not read and did not publish.",
        )

    def consumer_failures(self, construct_id: str, consumer: str) -> None:
        self.on(
            f"{construct_id}Failing",
            consumer_failures_metric(consumer),
            periods=CONSUMER_FAILING_PERIODS,
            meaning=f"Consumer failing: {consumer} handed messages back for retry in each of "
            f"{CONSUMER_FAILING_PERIODS} consecutive periods.",
        )


def consumer_failures_metric(consumer: str, period: cdk.Duration = PERIOD) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=CONSUMER_FAILURES,
        dimensions_map={CONSUMER_DIMENSION: consumer},
        statistic="Sum",
        period=period,
    )


# The platform stack's part ---------------------------------------------------------------------
def alarm_topic(scope: Construct, construct_id: str, *, stage: str) -> sns.Topic:
    """The alarm topic, encrypted with a key CloudWatch may use: with SNS's AWS managed key
    (alias/aws/sns) CloudWatch alarms cannot publish at all, and every alarm would fail silently."""
    key = kms.Key(
        scope,
        f"{construct_id}Key",
        description=f"Siyu {stage} alarm topic",
        enable_key_rotation=True,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],  # a key policy's resource is the key itself
        )
    )
    return sns.Topic(scope, construct_id, display_name=f"Siyu {stage} alarms", enforce_ssl=True, master_key=key)


def authorizer_alarms(scope: Construct, function: lambda_.IFunction, topic: sns.ITopic) -> None:
    """The Lambda authorizer's errors and throttles: either answers every caller 500 or 503."""
    Alarms(scope, topic).function("Authorizer", function)


def api_alarms(scope: Construct, http_api: apigw.IHttpApi, topic: sns.ITopic) -> cloudwatch.Alarm:
    """The share of the API's requests answered 5xx (the authorizer's and every service's)."""
    errors = http_api.metric_server_error(period=PERIOD, statistic="Sum")
    requests = http_api.metric_count(period=PERIOD, statistic="SampleCount")
    rate = cloudwatch.MathExpression(
        expression=f"IF(requests >= {API_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)",
        using_metrics={"errors": errors, "requests": requests},
        label="5xx %",
        period=PERIOD,
    )
    return Alarms(scope, topic).on(
        "Api5xxRate",
        rate,
        threshold=API_5XX_PERCENT,
        periods=2,
        meaning=f"API 5xx rate: at least {API_5XX_PERCENT}% of requests answered 5xx for 10 minutes.",
    )


class AlarmSubscriptions(Construct):
    """Who hears the alarm topic: email addresses (each confirms once, from the mail SNS sends),
    and a WeCom group robot. The robot's webhook takes its own JSON, not SNS's envelope, so a
    small function (services/platform/alarm_forwarder.py) is subscribed and posts each alarm there;
    the webhook URL, which carries the robot's key, stays in a Secrets Manager secret created by
    the operator (its name in the stage config; the value the URL)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        runtime: Runtime,
        stage: str,
        emails: Sequence[str] = (),
        wecom_webhook_secret_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if wecom_webhook_secret_name and not emails:
            # The forwarder's own failures are alarms on the same topic: with no email they would
            # reach nobody when the robot is what fails.
            raise ValueError("alarm_wecom_webhook_secret needs at least one of alarm_emails as well")
        for email in emails:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        self.forwarder: lambda_.Function | None = None
        if wecom_webhook_secret_name:
            secret = secretsmanager.Secret.from_secret_name_v2(self, "WecomWebhook", wecom_webhook_secret_name)
            forwarder = runtime.function(
                self,
                "AlarmForwarder",
                handler=ALARM_FORWARDER_HANDLER,
                service="platform",
                environment={VARIABLES["alarm_webhook_secret"].name: wecom_webhook_secret_name},
                timeout_seconds=15,
                memory_mb=256,
            )
            secret.grant_read(forwarder)
            assert forwarder.role is not None
            NagSuppressions.add_resource_suppressions(
                forwarder.role,
                [
                    {
                        "id": "AwsSolutions-IAM5",
                        "reason": "A secret named rather than created here is granted by its ARN pattern "
                        "(name-??????: Secrets Manager's random suffix).",
                        "appliesTo": [{"regex": "/^Resource::arn:<AWS::Partition>:secretsmanager:.*-\\?{6}$/g"}],
                    }
                ],
                apply_to_children=True,
            )
            topic.add_subscription(subscriptions.LambdaSubscription(forwarder))
            # SNS invokes it asynchronously: an alarm it still cannot post after Lambda's retries is
            # kept in a failure queue (alarmed) instead of dropped.
            failures = sqs.Queue(
                self,
                "AlarmForwarderFailures",
                queue_name=f"siyu-{stage}-alarm-forwarder-failures",
                retention_period=cdk.Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            NagSuppressions.add_resource_suppressions(
                failures,
                [{"id": "AwsSolutions-SQS3", "reason": "The forwarder's on-failure destination, a dead-letter queue."}],
            )
            forwarder.configure_async_invoke(
                on_failure=destinations.SqsDestination(failures),
                retry_attempts=2,
                max_event_age=cdk.Duration.hours(6),
            )
            alarms = Alarms(self, topic)
            # Its own failures still reach the email subscribers through the same topic.
            alarms.function("AlarmForwarder", forwarder)
            alarms.dead_letters("AlarmForwarderFailures", failures, "alarms the WeCom robot never got.")
            self.forwarder = forwarder


# Dashboards ------------------------------------------------------------------------------------
class ServiceDashboard(Construct):
    """One CloudWatch dashboard per service: its functions' invocations, errors, throttles and p99
    duration; its queues' depth and age; its dead letters; its publisher's lag; its consumers'
    failures."""

    WIDTH = 12

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dashboard_name: str,
        functions: dict[str, lambda_.IFunction],
        queues: dict[str, sqs.IQueue],
        dead_letter_queues: dict[str, sqs.IQueue],
        consumers: Sequence[str],
        publisher: lambda_.IFunction | None,
    ) -> None:
        super().__init__(scope, construct_id)
        minute = cdk.Duration.minutes(1)

        def each(metric: str, statistic: str) -> list[cloudwatch.IMetric]:
            return [
                function.metric(metric, statistic=statistic, period=minute, label=name)
                for name, function in functions.items()
            ]

        widgets: list[cloudwatch.IWidget] = [
            self._graph("Invocations", each("Invocations", "Sum")),
            self._graph("Errors", each("Errors", "Sum")),
            self._graph("Throttles", each("Throttles", "Sum")),
            self._graph("Duration p99 (ms)", each("Duration", "p99")),
        ]
        if queues:
            widgets.append(
                self._graph(
                    "Queue depth",
                    [
                        q.metric_approximate_number_of_messages_visible(period=minute, label=name)
                        for name, q in queues.items()
                    ],
                )
            )
            widgets.append(
                self._graph(
                    "Oldest message (s)",
                    [
                        q.metric_approximate_age_of_oldest_message(period=minute, label=name)
                        for name, q in queues.items()
                    ],
                )
            )
        if consumers:
            widgets.append(
                self._graph("Consumer failures", [consumer_failures_metric(name, minute) for name in consumers])
            )
        if dead_letter_queues:
            widgets.append(
                self._graph(
                    "Dead letters",
                    [
                        q.metric_approximate_number_of_messages_visible(period=minute, statistic="Maximum", label=name)
                        for name, q in dead_letter_queues.items()
                    ],
                )
            )
        if publisher is not None:
            widgets.append(
                self._graph(
                    "Publisher iterator age (ms)",
                    [publisher.metric("IteratorAge", statistic="Maximum", period=minute, label="IteratorAge")],
                )
            )
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name)
        for start in range(0, len(widgets), 2):
            dashboard.add_widgets(*widgets[start : start + 2])

    def _graph(self, title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(title=title, left=metrics, width=self.WIDTH, height=6)
