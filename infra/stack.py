"""Siyu's stacks, per stage: ``Siyu-<stage>-platform`` (the event bus and its archive, the HTTP API
with its authorizer, staff sign-in, the shared secrets, the alarm topic and the platform service) and
one ``Siyu-<stage>-<service>`` per other declared service, which depends on the platform stack.

A service stack holds everything of its service (table, functions, queues, rules, schedules, routes
and their integration) and its own layers: a layer shared through a stack export could never be
replaced (CloudFormation refuses to change an export another stack imports), while a layer per
stack with the same content costs nothing but a second version.

Siyu issues staff tokens itself in every stage (WeCom sign-in), signed with a key derived from the
``StaffSigningKeys`` secret (issuer ``siyu-<stage>``, audience ``siyu-console``); the authorizer
verifies them, and, where Cognito exists, Cognito's ID tokens too. AWS China (``cn-north-1``,
``cn-northwest-1``) has no Cognito user pools: there Siyu's own tokens are the only staff tokens.
Only the authorizer, the platform function (the JWKS) and the functions in ``STAFF_TOKEN_ISSUERS``
(the WeCom sign-in) may read the seed.

The web frontends (infra/frontends.py) are in the platform stack too: the API's CORS names their
origins, the console's Cognito client their sign-in URLs, and their ``config.json`` the API's URL.
In the global partition the console signs in through the Cognito hosted UI (authorization code
with PKCE) with the same app client as SRP, so the authorizer's single audience covers both.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_events as events
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.aws_apigatewayv2_authorizers import HttpLambdaAuthorizer, HttpLambdaResponseType
from cdk_nag import AwsSolutionsChecks, NagSuppressions
from constructs import Construct

from infra import monitoring
from infra.config import StageConfig
from infra.files import files_bucket, files_origin
from infra.frontends import CORS_EXPOSED, CORS_HEADERS, CORS_MAX_AGE, CORS_METHODS, Frontends
from infra.functions import Runtime
from infra.service import Platform, ServiceConstruct, pascal
from services.platform.service import AUTHORIZER_HANDLER
from services.registry import PLATFORM, SERVICES
from shared.auth.roles import STAFF_ROLES
from shared.auth.staff_keys import STAFF_AUDIENCE, staff_issuer_name
from shared.manifest import Service

__all__ = ["PlatformStack", "ServiceStack", "StageConfig", "build_stacks"]

# The services whose code reads SIYU_ENTRY_URL, and the function that does: channel codes are
# minted by the campaigns API (services/campaigns/logic/codes.py). tests/infra/test_stack.py
# checks that nothing else reads the setting.
ENTRY_URL_READERS = {"campaigns": "Api"}
# The functions that issue staff tokens from Siyu's own issuer (WeCom sign-in:
# services/wecom/logic/signin.py): they alone of the services may read the staff signing seed.
STAFF_TOKEN_ISSUERS = {"wecom": "Api"}
# The platform function writes the OpenAPI document and the docs page with Powertools (the only
# function that imports it at run time).
OPENAPI_LAYER = "aws_lambda_powertools"


def build_stacks(
    app: cdk.App, config: StageConfig, services: tuple[Service, ...] | None = None
) -> tuple[PlatformStack, dict[str, ServiceStack]]:
    """The stage's stacks: ``services`` defaults to every service found in services/."""
    chosen = SERVICES if services is None else services
    env = cdk.Environment(account=config.account, region=config.region) if config.region or config.account else None
    platform = PlatformStack(
        app,
        config.stack_name(PLATFORM),
        config=config,
        env=env,
        service=next((s for s in chosen if s.name == PLATFORM), None),
    )
    stacks = {
        service.name: ServiceStack(
            app, config.stack_name(service.name), config=config, env=env, service=service, platform=platform
        )
        for service in chosen
        if service.name != PLATFORM
    }
    return platform, stacks


class SiyuStack(cdk.Stack):
    """What every Siyu stack shares: its stage, cdk-nag's checks and their reasons."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, env: cdk.Environment | None, description: str
    ) -> None:
        super().__init__(scope, construct_id, env=env, description=f"Siyu {description} ({config.stage})")
        self.config = config
        self.retain = cdk.RemovalPolicy.RETAIN if config.production else cdk.RemovalPolicy.DESTROY
        cdk.Aspects.of(self).add(AwsSolutionsChecks(verbose=True))
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
                    "reason": "python3.13 is pinned: the layers are built from uv.lock for it, and the "
                    "local stack is tested against the same version line.",
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


class PlatformStack(SiyuStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        env: cdk.Environment | None = None,
        service: Service | None = None,  # the platform service (health, OpenAPI, docs), if deployed
    ) -> None:
        super().__init__(scope, construct_id, config=config, env=env, description="private-domain customer platform")
        self.bus = events.EventBus(self, "Bus", event_bus_name=f"siyu-{config.stage}")
        # No event pattern: every event is archived (replayed ones excepted), Siyu's own and those
        # partners put from their accounts, so `make replay` can send any of them again.
        events.CfnArchive(
            self,
            "Archive",
            archive_name=f"siyu-{config.stage}-all",
            source_arn=self.bus.event_bus_arn,
            retention_days=config.archive_retention_days,
            description="Every event on the bus, for replay",
        )
        self.token_secret = self._generated_secret(
            "MemberTokenKey",
            "HS256 key that signs member tokens",
            "signing_key",
            "Rotating the member-token key signs every member out; it is rotated by the operators' "
            "runbook with a planned sign-out, not on a timer.",
        )
        self.wechat_secret = secretsmanager.Secret(
            self,
            "WechatAppSecrets",
            removal_policy=self.retain,
            description='WeChat mini-program app secrets: {"<tenant_id>/<app_id>": "<secret>"}',
            secret_object_value={},
        )
        NagSuppressions.add_resource_suppressions(
            self.wechat_secret,
            [{"id": "AwsSolutions-SMG4", "reason": "WeChat app secrets are rotated in WeChat's console, then here."}],
        )
        self.alarm_topic = monitoring.alarm_topic(self, "Alarms", stage=config.stage)
        self.runtime = Runtime(self, "Runtime", config=config)
        self.http_api = self._http_api()

        # Staff tokens: Siyu's own (ES256) in every stage; Cognito's ID tokens too in the global partition.
        self.user_pool: cognito.UserPool | None = None
        self.user_pool_client: cognito.UserPoolClient | None = None
        self.user_pool_domain: cognito.UserPoolDomain | None = None
        if not config.china:
            self.user_pool, self.user_pool_domain = self._staff_pool()
        self.frontends = self._frontends()
        self.staff_signing_keys = self._generated_secret(
            "StaffSigningKeys",
            "Seed of the ES256 (P-256) key that signs staff tokens; its public key is published as the JWKS",
            "signing_seed",
            "Rotating the staff signing seed signs every staff member out; it is rotated by the "
            "operators' runbook with a planned sign-out, not on a timer.",
        )
        if config.china:
            staff_environment = {
                "SIYU_STAFF_KEYS_SECRET_ARN": self.staff_signing_keys.secret_arn,
                "SIYU_STAFF_ISSUER": staff_issuer_name(config.stage),
                "SIYU_STAFF_AUDIENCE": STAFF_AUDIENCE,
            }
        else:
            assert self.user_pool is not None
            self.user_pool_client = self._console_client(self.user_pool)
            staff_environment = {
                "SIYU_STAFF_KEYS_SECRET_ARN": self.staff_signing_keys.secret_arn,
                "SIYU_STAFF_ISSUER": f"https://cognito-idp.{self.region}.{self.url_suffix}/{self.user_pool.user_pool_id}",
                "SIYU_STAFF_AUDIENCE": self.user_pool_client.user_pool_client_id,
            }

        self.authorizer_function = self.runtime.function(
            self,
            "Authorizer",
            handler=AUTHORIZER_HANDLER,
            service=PLATFORM,
            timeout_seconds=5,
            # PyJWT verifies member (HS256) and staff tokens (Siyu's ES256, and Cognito's RS256 outside China)
            packages=("jwt", "cryptography"),
            environment={"SIYU_TOKEN_SECRET_ARN": self.token_secret.secret_arn, **staff_environment},
        )
        self.token_secret.grant_read(self.authorizer_function)
        self.staff_signing_keys.grant_read(self.authorizer_function)
        monitoring.authorizer_alarms(self, self.authorizer_function, self.alarm_topic)
        monitoring.api_alarms(self, self.http_api, self.alarm_topic)
        monitoring.AlarmSubscriptions(
            self,
            "AlarmSubscriptions",
            topic=self.alarm_topic,
            runtime=self.runtime,
            stage=config.stage,
            emails=config.alarm_emails,
            wecom_webhook_secret_name=config.alarm_wecom_webhook_secret,
        )
        # Always invoked (no identity source, no cache): a missing or bad token becomes an anonymous
        # context that the function answers with a problem+json 401 (see shared/auth/authorizer.py).
        # Routes bind it under the API, so the authorizer and its permission live in this stack.
        self.authorizer = HttpLambdaAuthorizer(
            "Bearer",
            self.authorizer_function,
            response_types=[HttpLambdaResponseType.SIMPLE],
            identity_source=[],
            results_cache_ttl=cdk.Duration.seconds(0),
        )

        self.service = (
            ServiceConstruct(self, pascal(PLATFORM), service=service, platform=self.platform_for(self.runtime))
            if service is not None
            else None
        )
        if self.service is not None and "Api" in self.service.functions:
            api = self.service.functions["Api"]
            if OPENAPI_LAYER not in self.service.service.layers:
                # It builds the OpenAPI document and the docs page with Powertools, on request.
                api.add_layers(self.runtime.package_layer(OPENAPI_LAYER))
            # It publishes the staff JWKS.
            api.add_environment("SIYU_STAFF_KEYS_SECRET_ARN", self.staff_signing_keys.secret_arn)
            self.staff_signing_keys.grant_read(api)

        self._deploy_frontends()

        cdk.CfnOutput(self, "ApiUrl", value=self.http_api.api_endpoint)
        cdk.CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.alarm_topic.topic_arn)
        if self.user_pool is not None and self.user_pool_client is not None:
            cdk.CfnOutput(self, "StaffUserPoolId", value=self.user_pool.user_pool_id)
            cdk.CfnOutput(self, "StaffUserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        if self.user_pool_domain is not None:
            cdk.CfnOutput(self, "StaffSignInUrl", value=self.user_pool_domain.base_url())
        cdk.CfnOutput(self, "StaffSigningKeysSecretArn", value=self.staff_signing_keys.secret_arn)

    def _frontends(self) -> Frontends:
        """The console and the member H5, and the API's CORS for exactly their origins. The CSP can
        name the API's own origin only when the CORS refers to no distribution (a reference cycle
        otherwise): when both have custom domains."""
        config = self.config
        frontends = Frontends(
            self,
            "Web",
            config=config,
            api_origin=self.http_api.api_endpoint if config.console_domain and config.member_domain else None,
            auth_origins=[self.user_pool_domain.base_url()] if self.user_pool_domain is not None else [],
            file_origins=[files_origin(config.stage)],
        )
        api = self.http_api.node.default_child
        assert isinstance(api, apigw.CfnApi)
        api.cors_configuration = apigw.CfnApi.CorsProperty(
            allow_origins=frontends.origins,
            allow_headers=list(CORS_HEADERS),
            allow_methods=list(CORS_METHODS),
            expose_headers=list(CORS_EXPOSED),
            max_age=CORS_MAX_AGE.to_seconds(),
        )
        # The file store (shared/files.py, infra/files.py): the frontends upload imports to it and
        # download exports from it with presigned URLs, so its CORS names their origins too.
        self.files_bucket = files_bucket(
            self, "Files", stage=config.stage, production=config.production, origins=frontends.origins
        )
        return frontends

    def _deploy_frontends(self) -> None:
        """The builds with their config.json, and the frontends' URLs as outputs."""
        self.frontends.deploy(api_url=self.http_api.api_endpoint, console_auth=self._console_auth())
        if self.config.member_domain is None:
            # The campaigns stack reads the member H5's domain for SIYU_ENTRY_URL. Exported whatever
            # reads it, so that setting a custom domain later (which ends the import) does not make
            # this stack drop an export the deployed campaigns stack still imports.
            self.export_value(self.frontends.member.distribution.distribution_domain_name)
        cdk.CfnOutput(self, "ConsoleUrl", value=self.frontends.console.url)
        cdk.CfnOutput(self, "MemberUrl", value=self.frontends.member.url)

    def platform_for(self, runtime: Runtime, extra_environment: dict[str, str] | None = None) -> Platform:
        """What a service plugs into: this stack's shared resources, with its own stack's runtime."""
        return Platform(
            runtime=runtime,
            bus=self.bus,
            http_api=self.http_api,
            authorizer=self.authorizer,
            token_secret=self.token_secret,
            wechat_secret=self.wechat_secret,
            alarm_topic=self.alarm_topic,
            extra_environment=extra_environment or {},
            secrets={"staff_keys_secret_arn": self.staff_signing_keys},
            files_bucket=self.files_bucket,
        )

    def _generated_secret(
        self, construct_id: str, description: str, key: str, why_not_rotated: str
    ) -> secretsmanager.Secret:
        """A secret generated by Secrets Manager as ``{"<key>": "<64 letters and digits>"}``."""
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            removal_policy=self.retain,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - an empty JSON template, not a secret
                generate_string_key=key,
                password_length=64,
                exclude_punctuation=True,
            ),
        )
        NagSuppressions.add_resource_suppressions(secret, [{"id": "AwsSolutions-SMG4", "reason": why_not_rotated}])
        return secret

    def _staff_pool(self) -> tuple[cognito.UserPool, cognito.UserPoolDomain]:
        """The staff user pool, and its hosted sign-in domain for the console."""
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
            removal_policy=self.retain,
        )
        for role in sorted(STAFF_ROLES):
            cognito.CfnUserPoolGroup(
                self,
                f"Group{pascal(role)}",
                user_pool_id=pool.user_pool_id,
                group_name=role,
                description=f"Siyu staff role: {role}",
            )
        NagSuppressions.add_resource_suppressions(
            pool,
            [
                {
                    "id": "AwsSolutions-COG3",
                    "reason": "Threat protection is enabled through the PLUS feature plan "
                    "(standardThreatProtectionMode FULL_FUNCTION); the rule checks the older property.",
                }
            ],
        )
        domain = pool.add_domain(
            "ConsoleSignIn",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=self.config.cognito_domain_prefix or f"siyu-{self.config.stage}-{cdk.Aws.ACCOUNT_ID}"
            ),
        )
        return pool, domain

    def _console_client(self, pool: cognito.UserPool) -> cognito.UserPoolClient:
        """The console's app client: public (no secret), the hosted UI's authorization code flow
        (the console sends a PKCE challenge) back to the console, SRP, and admin password auth (IAM
        credentials only) for `make smoke`'s smoke user. One client, so one audience for the
        authorizer (SIYU_STAFF_AUDIENCE) whichever way staff sign in."""
        console = self.frontends.console.url
        return pool.add_client(
            "Console",
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            generate_secret=False,
            id_token_validity=cdk.Duration.hours(1),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=[self.frontends.console_callback_url, console],
                logout_urls=[console],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
        )

    def _console_auth(self) -> dict[str, object]:
        """The console's sign-in settings in its config.json: the hosted UI in the global partition;
        in China, WeCom sign-in (it comes with the WeCom issue)."""
        if self.user_pool is None or self.user_pool_client is None or self.user_pool_domain is None:
            return {"mode": "wecom"}
        return {
            "mode": "cognito",
            "region": self.region,
            "userPoolId": self.user_pool.user_pool_id,
            "clientId": self.user_pool_client.user_pool_client_id,
            "domain": self.user_pool_domain.base_url(),
            "redirectUri": self.frontends.console_callback_url,
            "logoutUri": self.frontends.console.url,
            "scopes": ["openid", "email", "profile"],
        }

    def _http_api(self) -> apigw.HttpApi:
        # Its CORS names the frontends' origins: set once they exist (see __init__).
        api = apigw.HttpApi(self, "Api", api_name=f"siyu-{self.config.stage}")
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


class ServiceStack(SiyuStack):
    """One service: its ServiceConstruct (see infra/service.py) with this stack's own layers."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        env: cdk.Environment | None = None,
        service: Service,
        platform: PlatformStack,
    ) -> None:
        super().__init__(scope, construct_id, config=config, env=env, description=f"service {service.name}")
        self.add_stack_dependency(
            platform, reason="services plug into the platform's bus, API, secrets and alarm topic"
        )
        name = pascal(service.name)
        # Named after the service so that logical ids stay unique across the stage's stacks.
        self.runtime = Runtime(self, f"{name}Runtime", config=config)
        self.service = ServiceConstruct(self, name, service=service, platform=platform.platform_for(self.runtime))
        reader = ENTRY_URL_READERS.get(service.name)
        if reader and reader in self.service.functions:
            # A channel code opens the member H5's landing page unless the stage names another.
            entry_url = config.entry_url or platform.frontends.entry_url
            self.service.functions[reader].add_environment("SIYU_ENTRY_URL", entry_url)
        issuer = STAFF_TOKEN_ISSUERS.get(service.name)
        if issuer and issuer in self.service.functions:
            # It signs staff tokens (WeCom sign-in) with the platform's staff signing key.
            function = self.service.functions[issuer]
            function.add_environment("SIYU_STAFF_KEYS_SECRET_ARN", platform.staff_signing_keys.secret_arn)
            platform.staff_signing_keys.grant_read(function)
