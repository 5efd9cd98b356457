"""One construct per service, built from its declaration (``services/<name>/service.py``)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.functions import Runtime
from shared.manifest import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Consumer, Service
from shared.settings import dlq_env_name, table_env_name

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
    """What the services plug into, created once by the stack."""

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
    ) -> None:
        self.runtime = runtime
        self.bus = bus
        self.http_api = http_api
        self.authorizer = authorizer
        self.token_secret = token_secret
        self.wechat_secret = wechat_secret
        self.alarm_topic = alarm_topic
        self.extra_environment = extra_environment


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


class ServiceConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, service: Service, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.service = service
        self.platform = platform
        self.functions: dict[str, lambda_.Function] = {}
        self.queues: dict[str, sqs.Queue] = {}
        self.table = self._table() if service.table is not None else None
        if service.api_handler and any(not route.local_only for route in service.routes):
            self._api()
        if service.publisher_handler and self.table is not None:
            self._publisher()
        for consumer in service.consumers:
            self._consumer(consumer)
        for schedule in service.schedules:
            self._schedule(schedule.name, schedule.handler, schedule.expression)

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

    def _function(
        self,
        construct_id: str,
        handler: str,
        environment: dict[str, str] | None = None,
        timeout_seconds: int = 10,
        packages: tuple[str, ...] = (),
    ) -> lambda_.Function:
        env = dict(self.platform.extra_environment)
        if self.table is not None:
            env[table_env_name(self.service.name)] = self.table.table_name
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
        self.functions[construct_id] = function
        self._alarm(f"{construct_id}Errors", function.metric_errors(period=cdk.Duration.minutes(5)))
        return function

    def _alarm(self, construct_id: str, metric: cloudwatch.Metric) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.platform.alarm_topic))

    # API ---------------------------------------------------------------------------------------
    def _api(self) -> None:
        service = self.service
        environment: dict[str, str] = {}
        if service.reads_token_secret:
            environment["SIYU_TOKEN_SECRET_ARN"] = self.platform.token_secret.secret_arn
        if service.reads_wechat_secret:
            environment["SIYU_WECHAT_SECRET_ARN"] = self.platform.wechat_secret.secret_arn
            environment["SIYU_WECHAT_GATEWAY"] = "wechat"
        assert service.api_handler is not None
        function = self._function("Api", service.api_handler, environment, packages=service.layers)
        if service.reads_token_secret:
            self.platform.token_secret.grant_read(function)
        if service.reads_wechat_secret:
            self.platform.wechat_secret.grant_read(function)
        integration = HttpLambdaIntegration(f"{pascal(service.name)}Integration", function)
        for route in service.routes:
            if route.local_only:
                continue
            self.platform.http_api.add_routes(
                path=route.path,
                methods=[apigw.HttpMethod(route.method)],
                integration=integration,
                authorizer=None if route.access == "public" else self.platform.authorizer,
            )

    # Outbox publisher --------------------------------------------------------------------------
    def _publisher(self) -> None:
        assert self.table is not None
        assert self.service.publisher_handler is not None
        dlq = self._dead_letter_queue("PublisherFailures")
        NagSuppressions.add_resource_suppressions(
            dlq,
            [
                {
                    "id": "AwsSolutions-SQS3",
                    "reason": "This queue is the stream event source's on-failure destination, "
                    "a dead-letter queue itself.",
                }
            ],
        )
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
        self._alarm("PublisherErrors", function.metric_errors(period=cdk.Duration.minutes(5)))
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
                batch_size=100,
                # Retry until the record would leave the stream: an event is never skipped; what
                # still fails is reported to the DLQ, and the outbox item stays in the table for redrive.
                retry_attempts=10000,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(dlq),
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

    def _dead_letter_queue(self, construct_id: str) -> sqs.Queue:
        dlq = sqs.Queue(
            self,
            construct_id,
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self._alarm(
            f"{construct_id}Messages",
            dlq.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(1)),
        )
        return dlq

    # Consumers ---------------------------------------------------------------------------------
    def _consumer(self, consumer: Consumer) -> None:
        name = pascal(consumer.name)
        dlq = self._dead_letter_queue(f"{name}Dlq")
        queue = sqs.Queue(
            self,
            f"{name}Queue",
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
            timeout_seconds=min(30, consumer.visibility_timeout_seconds // 2),
        )
        dlq.grant_send_messages(function)  # malformed events go there directly, with their reason
        function.add_event_source(
            sources.SqsEventSource(queue, batch_size=consumer.batch_size, report_batch_item_failures=True)
        )
        for index, pattern in enumerate(consumer.patterns):
            events.Rule(
                self,
                f"{name}Rule{index}",
                event_bus=self.platform.bus,
                event_pattern=_pattern(pattern),
                targets=[targets.SqsQueue(queue)],
                description=f"{consumer.name}: {index}",
            )

    # Schedules ---------------------------------------------------------------------------------
    def _schedule(self, name: str, handler: str, expression: str) -> None:
        function = self._function(pascal(name), handler, timeout_seconds=300)
        role = iam.Role(
            self, f"{pascal(name)}SchedulerRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com")
        )
        # Only the function itself (grant_invoke would add its versions with a wildcard).
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        scheduler.CfnSchedule(
            self,
            f"{pascal(name)}Schedule",
            schedule_expression=expression,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(arn=function.function_arn, role_arn=role.role_arn),
        )
