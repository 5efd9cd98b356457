"""The file store's bucket (shared/files.py): CSV imports the console uploads, exports and PIPL
bundles it downloads, through presigned URLs.

One bucket per stage, in the platform stack: private (public access blocked, objects owned by the
bucket), encrypted (SSE-S3), TLS only, every object expiring after ``RETENTION_DAYS`` (these are
transit copies: the data lives in the services' tables), unfinished multipart uploads aborted
after a day. CORS admits the frontends' origins for GET and PUT, which is how a browser uses a
presigned URL. A service that declares ``Service(files=True)`` gets ``SIYU_FILES_BUCKET`` in each
of its functions and may Get/Put objects under ``<service>/`` only (``grant``), and Get those
under the prefixes it declares in ``reads_files`` (contacts: the other services' PIPL export
parts): no listing, no deletion, no other write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from cdk_nag import NagSuppressions
from constructs import Construct

from shared.files import RETENTION_DAYS
from shared.settings import VARIABLES

FILES_ACTIONS = ("s3:GetObject", "s3:PutObject")
BUCKET_VARIABLE = VARIABLES["files_bucket"].name


def files_bucket_name(stage: str) -> str:
    """The bucket's name, fixed by the stage, account and region (not generated), so that the
    console's CSP can name the one origin its presigned URLs use before the bucket exists: the
    bucket's CORS names the frontends' origins, so the frontends cannot refer to the bucket."""
    return f"siyu-{stage}-files-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}"


def files_origin(stage: str) -> str:
    """The origin of the bucket's presigned URLs: virtual-hosted on the regional endpoint, as the
    S3 client signs them (shared/aws.py: SigV4, regional even in us-east-1)."""
    return f"https://{files_bucket_name(stage)}.s3.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"


def files_bucket(
    scope: Construct, construct_id: str, *, stage: str, production: bool, origins: Sequence[str]
) -> s3.Bucket:
    bucket = s3.Bucket(
        scope,
        construct_id,
        bucket_name=files_bucket_name(stage),
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=False,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="transit-files-expire",
                expiration=cdk.Duration.days(RETENTION_DAYS),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )
        ],
        cors=[
            s3.CorsRule(
                allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.PUT],
                allowed_origins=list(origins),
                allowed_headers=["Content-Type"],
                max_age=600,
            )
        ],
        # Transit copies only: a development stack takes them with it; production keeps the bucket.
        removal_policy=cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY,
        auto_delete_objects=not production,
    )
    NagSuppressions.add_resource_suppressions(
        bucket,
        [
            {
                "id": "AwsSolutions-S1",
                "reason": "Transit files that expire within a week; every URL to one is handed out by an "
                "authorised API call, which the API's access logs record.",
            }
        ],
    )
    return bucket


def grant(function: lambda_.Function, bucket: s3.IBucket, service: str, reads: tuple[str, ...] = ()) -> None:
    """The function may read and write its service's prefix of the files bucket and read the
    other prefixes in ``reads`` (``Service.reads_files``), nothing more."""
    function.add_environment(BUCKET_VARIABLE, bucket.bucket_name)
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(FILES_ACTIONS), resources=[bucket.arn_for_objects(f"{service}/*")])
    )
    suppressed = [f"{service}/"]
    if reads:
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in reads]
            )
        )
        suppressed += reads
    assert function.role is not None
    NagSuppressions.add_resource_suppressions(
        function.role,
        [
            {
                "id": "AwsSolutions-IAM5",
                "reason": "Objects under the service's own prefix of the files bucket, and the prefixes it "
                "reads of others' (keys are per file).",
                "appliesTo": [
                    {"regex": f"/^Resource::<Files[0-9A-F]{{8}}\\.Arn>/{re.escape(prefix)}\\*$/g"}
                    for prefix in suppressed
                ],
            }
        ],
        apply_to_children=True,
    )
