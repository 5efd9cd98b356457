"""Lambda functions as Siyu deploys them: python3.13 on arm64 with the Powertools layer, the
project's code as one asset (no Docker, no bundling), one IAM role and log group each."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import StageConfig
from infra.layers import ROOT, layer

# Only the runtime code is shipped: services/ and shared/ (without the local stack).
ASSET_EXCLUDE = ["*", "!services", "!services/**", "!shared", "!shared/**", "local", "**/__pycache__"]


class Runtime(Construct):
    """What every function shares: the code asset, the layer and the stage's settings."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.code = lambda_.Code.from_asset(str(ROOT), exclude=ASSET_EXCLUDE)
        region = cdk.Stack.of(self).region
        self._package_layers: dict[str, lambda_.ILayerVersion] = {}
        self.layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            f"arn:{cdk.Aws.PARTITION}:lambda:{region}:017000801446:layer:"
            f"AWSLambdaPowertoolsPythonV3-python313-arm64:{config.powertools_layer_version}",
        )

    def package_layer(self, package: str) -> lambda_.ILayerVersion:
        """One layer per package (see infra/layers.py), shared by the functions that need it."""
        if package not in self._package_layers:
            self._package_layers[package] = layer(self, package)
        return self._package_layers[package]

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
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{service}: {construct_id} only",
        )
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}Logs",
            retention=logs.RetentionDays.THREE_MONTHS if self.config.production else logs.RetentionDays.TWO_WEEKS,
            removal_policy=cdk.RemovalPolicy.RETAIN if self.config.production else cdk.RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            scope,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=self.code,
            layers=[self.layer, *(self.package_layer(package) for package in packages)],
            role=role,
            log_group=log_group,
            timeout=cdk.Duration.seconds(timeout_seconds),
            memory_size=memory_mb,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "SIYU_STAGE": self.config.stage,
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": "Siyu",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **environment,
            },
        )
        log_group.grant_write(role)
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "X-Ray's PutTraceSegments/PutTelemetryRecords accept no resource but '*'; "
                    "log stream names are created by Lambda at run time under the function's own group.",
                    "appliesTo": ["Resource::*", {"regex": "/^Resource::<.*Logs.*\\.Arn>:\\*$/g"}],
                }
            ],
            apply_to_children=True,
        )
        return function
