"""One construct per service, built from its declaration (``services/<name>/service.py``).

Every asynchronous path it builds ends somewhere an operator sees (docs/operations.md, "Alarms"):

- EventBridge rule → consumer queue: retried by EventBridge for a day, then the consumer's DLQ;
- consumer queue → function: retried ``max_receive_count`` times, then the DLQ; malformed events
  go to the DLQ at once with their reason (shared/consumer.py);
- table stream → outbox publisher: bounded retries with bisection, then the on-failure queue
  (the outbox item itself stays in the table for redrive);
- schedule → function: Scheduler's retries then the schedule's failure queue; the run's own
  failure (async invocation) → its retries then the same queue.

Each DLQ and failure queue, each function's errors and throttles, the publisher's lag, the rules'
delivery failures and each consumer's retried failures have an alarm.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagSuppressions
from constructs import Construct

from infra import files
from infra.functions import Runtime
from infra.monitoring import Alarms, ServiceDashboard
from shared.manifest import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Consumer, Schedule, Service
from shared.settings import VARIABLES, dlq_env_name, table_env_name

# The outbox publisher's stream mapping. A record that still fails after this many retries (or is
# this old) goes to the on-failure queue, which records its shard and sequence numbers; the outbox
# item itself stays in the table (shared/outbox.py keeps it 7 days), so no event is lost: the
# redrive republishes it. Bisection isolates a record that makes the function fail within
# log2(batch) retries, so a poison record holds its shard back for seconds, not the stream's
# 24 hours; the age limit reports records well before the stream trims them at 24 hours.
PUBLISHER_BATCH_SIZE = 100
PUBLISHER_RETRY_ATTEMPTS = 20
PUBLISHER_MAX_RECORD_AGE = cdk.Duration.hours(6)
# EventBridge → queue: retry as long as EventBridge allows (the queue is ours; a failure is a
# policy or quota problem an operator fixes), then the consumer's DLQ.
RULE_RETRY_ATTEMPTS = 185
RULE_MAX_EVENT_AGE = cdk.Duration.hours(24)
# Schedules: a run is worth retrying until the next run is due, which does its work anyway.
SCHEDULE_RETRY_ATTEMPTS = 2
SCHEDULE_MIN_EVENT_AGE_SECONDS = 60  # the least Scheduler and Lambda accept
DLQ_RETENTION = cdk.Duration.days(14)

# What request paths and consumers do with their own table: no Scan, no stream reads.
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


class Platform:
    """What the services plug into, created once by the platform stack. ``authorizer`` is bound
    to the API in the API's own scope on first use (see ``HttpRoute``), so a service construct in
    another stack only refers to it."""

    def __init__(
        self,
        *,
        runtime: Runtime,
        bus: events.EventBus,
        http_api: apigw.HttpApi,
        authorizer: apigw.IHttpRouteAuthorizer,
        token_secret: secretsmanager.ISecret,
        wechat_secret: secretsmanager.ISecret,
        alarm_topic: sns.ITopic,
        extra_environment: dict[str, str],
        secrets: dict[str, secretsmanager.ISecret] | None = None,
        files_bucket: s3.IBucket | None = None,
    ) -> None:
        self.runtime = runtime
        self.files_bucket = files_bucket  # the file store (infra/files.py), for Service(files=True)
        self.bus = bus
        self.http_api = http_api
        self.authorizer = authorizer
        self.token_secret = token_secret
        self.wechat_secret = wechat_secret
        self.alarm_topic = alarm_topic
        self.extra_environment = extra_environment
        # Settings field (shared.settings) → the secret it names, for what a service declares it reads.
        self.secrets = {"token_secret_arn": token_secret, "wechat_secret_arn": wechat_secret, **(secrets or {})}

    def secret(self, setting: str) -> secretsmanager.ISecret:
        try:
            return self.secrets[setting]
        except KeyError:
            raise ValueError(f"the platform has no secret for the setting {setting!r}") from None


def _pattern(raw: dict[str, object]) -> events.EventPattern:
    known = {
        "source": "source",
        "detail-type": "detail_type",
        "detail": "detail",
        "account": "account",
        "region": "region",
        "resources": "resources",
    }
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"unsupported event pattern keys: {sorted(unknown)}")
    return events.EventPattern(**{known[key]: _matchers(value) for key, value in raw.items()})  # type: ignore[arg-type]


def _matchers(values: object) -> object:
    """Content filters (``{"prefix": "partner."}``) become CDK's Match tokens; plain values stay."""
    if not isinstance(values, list) or not any(isinstance(v, dict) for v in values):
        return values
    matched: list[str] = []
    for value in values:
        if isinstance(value, dict) and set(value) == {"prefix"}:
            matched.extend(events.Match.prefix(str(value["prefix"])))
        elif isinstance(value, dict):
            raise ValueError(f"unsupported content filter: {value}")
        else:
            matched.append(str(value))
    return matched


class LambdaProxyIntegration(apigw.HttpRouteIntegration):
    """The service's one API integration: its function, payload 2.0. Unlike CDK's
    HttpLambdaIntegration it grants nothing per route: the function carries one permission for the
    whole API (``ServiceConstruct._api``), where one per route reached 31 statements for cases
    against the 20 KB policy limit."""

    def __init__(self, construct_id: str, function: lambda_.IFunction) -> None:
        super().__init__(construct_id)
        self._function = function

    def bind(self, *, route: apigw.IHttpRoute, scope: Construct) -> apigw.HttpRouteIntegrationConfig:
        return apigw.HttpRouteIntegrationConfig(
            type=apigw.HttpIntegrationType.AWS_PROXY,
            uri=self._function.function_arn,
            payload_format_version=apigw.PayloadFormatVersion.VERSION_2_0,
        )


class ServiceConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, service: Service, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.service = service
        self.platform = platform
        self.alarms = Alarms(self, platform.alarm_topic)
        self.functions: dict[str, lambda_.Function] = {}
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.rules: dict[str, events.Rule] = {}
        self.publisher: lambda_.Function | None = None
        self.table = self._table() if service.table is not None else None
        if service.api_handler and any(not route.local_only for route in service.routes):
            self._api()
        if service.publisher_handler and self.table is not None:
            self._publisher()
        for consumer in service.consumers:
            self._consumer(consumer)
        for schedule in service.schedules:
            self._schedule(schedule)
        if self.functions:
            ServiceDashboard(
                self,
                "Monitoring",
                dashboard_name=f"siyu-{platform.runtime.config.stage}-{service.name}",
                functions=dict(self.functions),
                queues=dict(self.queues),
                dead_letter_queues=dict(self.dead_letter_queues),
                consumers=[consumer.name for consumer in service.consumers],
                publisher=self.publisher,
            )

    # Table -------------------------------------------------------------------------------------
    def _table(self) -> dynamodb.Table:
        spec = self.service.table
        assert spec is not None
        production = self.platform.runtime.config.production
        table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=production,
            removal_policy=cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.partition_key, type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING),
            )
        return table

    # Functions ---------------------------------------------------------------------------------
    def _function(
        self,
        construct_id: str,
        handler: str,
        environment: dict[str, str] | None = None,
        timeout_seconds: int = 10,
        packages: tuple[str, ...] = (),
    ) -> lambda_.Function:
        """A function of the service: its table, and every secret the service declares it reads
        (with the right to read it), whatever kind of function it is."""
        env = dict(self.platform.extra_environment)
        if self.table is not None:
            env[table_env_name(self.service.name)] = self.table.table_name
        secrets = {setting: self.platform.secret(setting) for setting in self.service.secrets}
        env.update({VARIABLES[setting].name: secret.secret_arn for setting, secret in secrets.items()})
        env.update(environment or {})
        function = self.platform.runtime.function(
            self,
            construct_id,
            handler=handler,
            service=self.service.name,
            environment=env,
            timeout_seconds=timeout_seconds,
            packages=packages,
        )
        if self.table is not None:
            self.table.grant(function, *TABLE_ACTIONS)
        for secret in secrets.values():
            secret.grant_read(function)
        if self.service.keeps_secrets:
            self._grant_own_secrets(function, self.service.keeps_secrets)
        if self.service.files:
            if self.platform.files_bucket is None:
                raise ValueError(f"{self.service.name} uses the file store, but the platform has no files bucket")
            files.grant(function, self.platform.files_bucket, self.service.name, self.service.reads_files)
        self.functions[construct_id] = function
        self.alarms.function(construct_id, function)
        return function

    def _grant_own_secrets(self, function: lambda_.Function, segment: str) -> None:
        """Create, read and write the secrets named ``siyu-<stage>/<segment>/…`` (and no other):
        the service keeps tenants' credentials there (encrypted with Secrets Manager's key)."""
        stage = self.platform.runtime.config.stage
        arn = cdk.Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"siyu-{stage}/{segment}/*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "secretsmanager:CreateSecret",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret",
                ],
                resources=[arn],
            )
        )
        assert function.role is not None
        NagSuppressions.add_resource_suppressions(
            function.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": f"Tenants' {segment} secrets are created per tenant at run time: the grant "
                    f"is limited to the siyu-{stage}/{segment}/ prefix.",
                    # The region is a token in global regions and a literal in the China partition.
                    "appliesTo": [
                        {"regex": f"/^Resource::arn:.*:secretsmanager:.*:secret:siyu-{stage}/{segment}/\\*$/"}
                    ],
                }
            ],
            apply_to_children=True,
        )

    # API ---------------------------------------------------------------------------------------
    def _api(self) -> None:
        """The service's routes, built here rather than on the API (``http_api.add_routes``) so that
        they live in the service's stack; only the authorizer, bound once, lives with the API."""
        service = self.service
        assert service.api_handler is not None
        function = self._function("Api", service.api_handler, packages=service.layers)
        http_api = self.platform.http_api
        integration = LambdaProxyIntegration(f"{pascal(service.name)}Integration", function)
        for route in service.routes:
            if route.local_only:
                continue
            apigw.HttpRoute(
                self,
                f"Route {route.key.replace('/', '|')}",
                http_api=http_api,
                route_key=apigw.HttpRouteKey.with_(route.path, apigw.HttpMethod(route.method)),
                integration=integration,
                authorizer=None if route.access == "public" else self.platform.authorizer,
            )
        function.add_permission(
            "ApiInvoke",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=cdk.Stack.of(self).format_arn(
                service="execute-api", resource=http_api.api_id, resource_name="*/*"
            ),
        )

    # Outbox publisher --------------------------------------------------------------------------
    def _publisher(self) -> None:
        assert self.table is not None
        assert self.service.publisher_handler is not None
        failures = self._dead_letter_queue(
            "PublisherFailures",
            "outbox records the publisher gave up on (shard and sequence numbers).",
            self._queue_name(f"{self.service.name}-publisher-dlq"),
        )
        NagSuppressions.add_resource_suppressions(
            failures,
            [
                {
                    "id": "AwsSolutions-SQS3",
                    "reason": "This queue is the stream event source's on-failure destination, "
                    "a dead-letter queue itself.",
                }
            ],
        )
        # Shared code that reads only the bus: none of the service's secrets, not even its table.
        function = self.platform.runtime.function(
            self,
            "Publisher",
            handler=self.service.publisher_handler,
            service=self.service.name,
            environment={
                "SIYU_EVENT_BUS": self.platform.bus.event_bus_name,
                **self.platform.extra_environment,
            },
            timeout_seconds=30,
        )
        self.functions["Publisher"] = function
        self.publisher = function
        self.alarms.function("Publisher", function)
        self.alarms.iterator_age("Publisher", function)
        self.alarms.malformed_outbox_items("Publisher", self.service.name)
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["events:PutEvents"],
                resources=[self.platform.bus.event_bus_arn],
                conditions={"StringEquals": {"events:source": [self.service.source]}},
            )
        )
        function.add_event_source(
            sources.DynamoEventSource(
                self.table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=PUBLISHER_BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=PUBLISHER_RETRY_ATTEMPTS,
                max_record_age=PUBLISHER_MAX_RECORD_AGE,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(failures),
                filters=[
                    lambda_.FilterCriteria.filter(
                        {
                            "eventName": lambda_.FilterRule.is_equal("INSERT"),
                            "dynamodb": {"NewImage": {"kind": {"S": lambda_.FilterRule.is_equal("outbox")}}},
                        }
                    )
                ],
            )
        )

    def _queue_name(self, what: str) -> str:
        """``siyu-<stage>-<what>``: the name the operator's commands (ops/target.py) and the local
        stack (local/provision.py) use for the same queue."""
        return f"siyu-{self.platform.runtime.config.stage}-{what}"

    def _dead_letter_queue(self, construct_id: str, what: str, queue_name: str) -> sqs.Queue:
        dlq = sqs.Queue(
            self,
            construct_id,
            queue_name=queue_name,
            retention_period=DLQ_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.dead_letter_queues[construct_id] = dlq
        self.alarms.dead_letters(construct_id, dlq, what)
        return dlq

    # Consumers ---------------------------------------------------------------------------------
    def _consumer(self, consumer: Consumer) -> None:
        name = pascal(consumer.name)
        dlq = self._dead_letter_queue(
            f"{name}Dlq",
            f"events {consumer.name} could not take: malformed (with a reason), failing after "
            f"{consumer.max_receive_count} receives, or undeliverable from its rules.",
            self._queue_name(f"{consumer.name}-dlq"),
        )
        queue = sqs.Queue(
            self,
            f"{name}Queue",
            queue_name=self._queue_name(consumer.name),
            visibility_timeout=cdk.Duration.seconds(consumer.visibility_timeout_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=consumer.max_receive_count),
        )
        self.queues[consumer.name] = queue
        function = self._function(
            name,
            consumer.handler,
            {dlq_env_name(consumer.name): dlq.queue_url},
            timeout_seconds=consumer.timeout_seconds,
        )
        dlq.grant_send_messages(function)  # malformed events go there directly, with their reason
        function.add_event_source(
            sources.SqsEventSource(queue, batch_size=consumer.batch_size, report_batch_item_failures=True)
        )
        self.alarms.consumer_failures(name, consumer.name)
        for index, pattern in enumerate(consumer.patterns):
            # An event EventBridge cannot deliver to the queue lands in the consumer's DLQ, whose
            # redrive sends it to the very queue it missed (CDK adds the DLQ's policy for the rule).
            rule = events.Rule(
                self,
                f"{name}Rule{index}",
                event_bus=self.platform.bus,
                event_pattern=_pattern(pattern),
                targets=[
                    targets.SqsQueue(
                        queue,
                        dead_letter_queue=dlq,
                        retry_attempts=RULE_RETRY_ATTEMPTS,
                        max_event_age=RULE_MAX_EVENT_AGE,
                    )
                ],
                description=f"{consumer.name}: {index}",
            )
            self.rules[f"{name}Rule{index}"] = rule
            self.alarms.rule_delivery(f"{name}Rule{index}", rule, self.platform.bus)

    # Schedules ---------------------------------------------------------------------------------
    def _schedule(self, schedule: Schedule) -> None:
        """A scheduled job. Runs never overlap: the function may run once at a time (reserved
        concurrency 1) and times out before the next run is due (``Schedule.timeout_seconds``);
        a run Scheduler cannot start, or that fails after its retries, lands in the schedule's
        failure queue."""
        name = pascal(schedule.name)
        failures = self._dead_letter_queue(
            f"{name}Failures",
            f"runs of {schedule.name} that could not start or failed after retries.",
            self._queue_name(f"{schedule.name}-failures"),
        )
        NagSuppressions.add_resource_suppressions(
            failures,
            [{"id": "AwsSolutions-SQS3", "reason": "The schedule's dead-letter queue and failure destination."}],
        )
        function = self._function(name, schedule.handler, timeout_seconds=schedule.timeout_seconds)
        cfn_function = function.node.default_child
        assert isinstance(cfn_function, lambda_.CfnFunction)
        cfn_function.reserved_concurrent_executions = 1
        event_age_seconds = max(SCHEDULE_MIN_EVENT_AGE_SECONDS, min(schedule.interval_seconds, 6 * 3600))
        function.configure_async_invoke(
            on_failure=destinations.SqsDestination(failures),
            retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
            max_event_age=cdk.Duration.seconds(event_age_seconds),
        )
        role = iam.Role(self, f"{name}SchedulerRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"))
        # Only the function itself (grant_invoke would add its versions with a wildcard).
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        failures.grant_send_messages(role)
        scheduler.CfnSchedule(
            self,
            f"{name}Schedule",
            schedule_expression=schedule.expression,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function_arn,
                role_arn=role.role_arn,
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(arn=failures.queue_arn),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_event_age_in_seconds=event_age_seconds,
                    maximum_retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
                ),
            ),
        )
