"""Siyu's stack: the event bus, the HTTP API with its authorizer, the staff user pool, and one
construct per declared service."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk.aws_apigatewayv2_authorizers import HttpLambdaAuthorizer, HttpLambdaResponseType
from cdk_nag import AwsSolutionsChecks, NagSuppressions
from constructs import Construct

from infra.config import StageConfig
from infra.functions import Runtime
from infra.service import Platform, ServiceConstruct, pascal
from services.platform.service import AUTHORIZER_HANDLER
from services.registry import SERVICES
from shared.auth.roles import STAFF_ROLES
from shared.manifest import Service

__all__ = ["SiyuStack", "StageConfig"]


class SiyuStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        services: tuple[Service, ...] | None = None,  # default: every service of services/
    ) -> None:
        super().__init__(scope, construct_id, description=f"Siyu private-domain customer platform ({config.stage})")
        self.config = config
        retain = cdk.RemovalPolicy.RETAIN if config.production else cdk.RemovalPolicy.DESTROY

        self.bus = events.EventBus(self, "Bus", event_bus_name=f"siyu-{config.stage}")
        self.bus.archive(
            "Archive",
            archive_name=f"siyu-{config.stage}-all",
            event_pattern=events.EventPattern(account=[self.account]),
            retention=cdk.Duration.days(config.archive_retention_days),
            description="Every event on the bus, for replay",
        )

        self.token_secret = secretsmanager.Secret(
            self,
            "MemberTokenKey",
            description="HS256 key that signs member tokens",
            removal_policy=retain,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - an empty JSON template, not a secret
                generate_string_key="signing_key",
                password_length=64,
                exclude_punctuation=True,
            ),
        )
        self.wechat_secret = secretsmanager.Secret(
            self,
            "WechatAppSecrets",
            removal_policy=retain,
            description='WeChat mini-program app secrets: {"<tenant_id>/<app_id>": "<secret>"}',
            secret_object_value={},
        )
        for secret, why in (
            (
                self.token_secret,
                "Rotating the member-token key signs every member out; it is "
                "rotated by the operators' runbook with a planned sign-out, not on a timer.",
            ),
            (self.wechat_secret, "WeChat app secrets are rotated in WeChat's console, then here."),
        ):
            NagSuppressions.add_resource_suppressions(secret, [{"id": "AwsSolutions-SMG4", "reason": why}])

        self.user_pool, self.user_pool_client = self._staff_pool(retain)
        staff_issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool.user_pool_id}"

        self.alarm_topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"Siyu {config.stage} alarms",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
        )

        self.runtime = Runtime(self, "Runtime", config=config)
        self.http_api = self._http_api()
        authorizer_function = self.runtime.function(
            self,
            "Authorizer",
            handler=AUTHORIZER_HANDLER,
            service="platform",
            timeout_seconds=5,
            packages=("jwt", "cryptography"),  # PyJWT verifies member (HS256) and Cognito (RS256) tokens
            environment={
                "SIYU_TOKEN_SECRET_ARN": self.token_secret.secret_arn,
                "SIYU_STAFF_ISSUER": staff_issuer,
                "SIYU_STAFF_AUDIENCE": self.user_pool_client.user_pool_client_id,
            },
        )
        self.token_secret.grant_read(authorizer_function)
        # Always invoked (no identity source, no cache): a missing or bad token becomes an anonymous
        # context that the function answers with a problem+json 401 (see shared/auth/authorizer.py).
        self.authorizer = HttpLambdaAuthorizer(
            "Bearer",
            authorizer_function,
            response_types=[HttpLambdaResponseType.SIMPLE],
            identity_source=[],
            results_cache_ttl=cdk.Duration.seconds(0),
        )

        platform = Platform(
            runtime=self.runtime,
            bus=self.bus,
            http_api=self.http_api,
            authorizer=self.authorizer,
            token_secret=self.token_secret,
            wechat_secret=self.wechat_secret,
            alarm_topic=self.alarm_topic,
            extra_environment={},
        )
        self.services = {
            s.name: ServiceConstruct(self, pascal(s.name), service=s, platform=platform)
            for s in (SERVICES if services is None else services)
        }

        cdk.CfnOutput(self, "ApiUrl", value=self.http_api.api_endpoint)
        cdk.CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)
        cdk.CfnOutput(self, "StaffUserPoolId", value=self.user_pool.user_pool_id)
        cdk.CfnOutput(self, "StaffUserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        cdk.Aspects.of(self).add(AwsSolutionsChecks(verbose=True))
        self._stack_wide_suppressions()

    def _staff_pool(self, retain: cdk.RemovalPolicy) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        pool = cognito.UserPool(
            self,
            "StaffPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            custom_attributes={"tenant_id": cognito.StringAttribute(mutable=False, min_len=1, max_len=64)},
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            removal_policy=retain,
        )
        for role in sorted(STAFF_ROLES):
            cognito.CfnUserPoolGroup(
                self,
                f"Group{pascal(role)}",
                user_pool_id=pool.user_pool_id,
                group_name=role,
                description=f"Siyu staff role: {role}",
            )
        client = pool.add_client(
            "Console",
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            id_token_validity=cdk.Duration.hours(1),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
        )
        return pool, client

    def _http_api(self) -> apigw.HttpApi:
        api = apigw.HttpApi(
            self,
            "Api",
            api_name=f"siyu-{self.config.stage}",
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=["*"],
                allow_headers=["authorization", "content-type", "idempotency-key", "x-correlation-id"],
                allow_methods=[apigw.CorsHttpMethod.ANY],
                max_age=cdk.Duration.hours(1),
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=logs.RetentionDays.THREE_MONTHS if self.config.production else logs.RetentionDays.TWO_WEEKS,
        )
        stage = api.default_stage.node.default_child  # type: ignore[union-attr]
        assert isinstance(stage, apigw.CfnStage)
        stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format='{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":'
            '"$context.httpMethod","route":"$context.routeKey","status":"$context.status",'
            '"latency":"$context.responseLatency","error":"$context.integrationErrorMessage"}',
        )
        stage.default_route_settings = apigw.CfnStage.RouteSettingsProperty(
            throttling_burst_limit=500, throttling_rate_limit=1000
        )
        return api

    def _stack_wide_suppressions(self) -> None:
        NagSuppressions.add_stack_suppressions(
            self,
            [
                {
                    "id": "AwsSolutions-APIG4",
                    "reason": "Public routes (health, docs, OpenAPI, WeChat login) need no "
                    "token by design; every other route has the Lambda authorizer.",
                },
                {
                    "id": "AwsSolutions-L1",
                    "reason": "python3.13 is pinned: the Powertools layer Siyu uses is published "
                    "for it, and the local stack is tested against the same version line.",
                },
                {
                    "id": "AwsSolutions-COG3",
                    "reason": "Threat protection is enabled through the PLUS feature plan "
                    "(standardThreatProtectionMode FULL_FUNCTION); the rule checks the older property.",
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Stream reads need dynamodb:ListStreams on '*' (granted by "
                    "the event source mapping); every other wildcard is per-resource (index ARNs of the function's "
                    "own table).",
                    "appliesTo": ["Resource::*", {"regex": "/^Resource::<.*Table.*\\.Arn>/index/\\*$/g"}],
                },
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "Only CDK's own custom resources use AWS managed policies.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                },
            ],
        )
