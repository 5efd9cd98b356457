"""The web frontends in AWS: the staff console (``web/console``) and the member H5 (``web/member``).

Each is a private S3 bucket behind its own CloudFront distribution, built in the platform stack
(the HTTP API's CORS names the distributions, and a reference back from a later stack would be a
cycle). Vite builds each with its base path (``/console/``, ``/m/``); the build is deployed under
the same key prefix, and ``config.json`` is written next to ``index.html`` at deploy time with what
the build cannot know (the API's URL, the sign-in settings), so one build runs locally and in AWS.

- **Access:** the bucket blocks all public access and takes TLS only; CloudFront reads it with an
  origin access control (the bucket policy allows ``cloudfront.amazonaws.com`` for this
  distribution's ARN only). AWS China has no origin access control: an origin access identity
  there.
- **Routes:** a CloudFront Function rewrites a path under the base without a file extension
  (``/m/scan``) to the app's ``index.html`` and redirects ``/`` to the base. AWS China has no
  CloudFront Functions (and no Lambda@Edge): there the S3 403 of a missing key answers the index
  with a 200, which also covers a missing asset (it then fails to load as a script, visibly).
- **Caching:** files under ``assets/`` are content-hashed by Vite: cached a year, immutable;
  everything else (``index.html``, ``config.json``, icons) is ``no-cache`` and the cache policy's
  minimum TTL is 0, so a deploy is visible at once without an invalidation. Old assets are not
  pruned: a tab opened before a deploy can still load its lazy routes.
- **Headers:** HSTS, ``nosniff``, ``DENY`` framing, a strict referrer policy and a CSP: scripts and
  styles from the site itself (styles also inline: Ant Design injects its CSS-in-JS at run time),
  images from the site, ``data:`` and ``blob:`` (QR previews), fetches to the site and the API
  (and, for the console, the Cognito hosted UI's token endpoint). The API's exact origin needs the
  API id; when the API's CORS in turn names CloudFront's generated domains, that would be a
  reference cycle, so unless both frontends have custom domains the CSP allows the region's
  execute-api hosts (``https://*.execute-api.<region>.<suffix>``) instead.
- **Domains:** CloudFront's own name by default; a custom domain with its certificate (an ACM
  certificate in us-east-1; in China an IAM server certificate id, as CloudFront there takes no
  ACM certificate). China requires them (StageConfig): CloudFront may not serve *.cloudfront.cn.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import FrontendDomain, StageConfig
from infra.web_spec import (
    ASSET_CACHE_CONTROL,
    ASSETS_DIR,
    CONFIG_FILE,
    CONSOLE,
    CONSOLE_CALLBACK,
    FRONTENDS,
    HSTS_MAX_AGE_SECONDS,
    MEMBER,
    MEMBER_LANDING,
    PERMISSIONS_POLICY,
    UNSERVED,
    Frontend,
    csp,
    runtime_config,
)

WEB_ROOT = Path(__file__).resolve().parents[1] / "web"
HSTS_MAX_AGE = cdk.Duration.seconds(HSTS_MAX_AGE_SECONDS)
# The headers a frontend sends the API (shared/http.py reads Idempotency-Key and x-correlation-id),
# the methods its routes use, and what a frontend may read back (the id to quote in a support call).
CORS_HEADERS = ("authorization", "content-type", "idempotency-key", "x-correlation-id")
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CORS_EXPOSED = ("x-correlation-id",)
CORS_MAX_AGE = cdk.Duration.hours(1)


def spa_function_code(base: str) -> str:
    """A viewer-request function: ``/`` → 302 to ``/<base>/``; the base itself (``/m``, with any
    query: ``/m?tenant=…``) and a path under it whose last segment has no dot → the app's
    index.html (the SPA's own routes, the query kept); anything else unchanged."""
    return f"""function handler(event) {{
  var request = event.request;
  var uri = request.uri;
  if (uri === '/') {{
    return {{statusCode: 302, statusDescription: 'Found', headers: {{location: {{value: '/{base}/'}}}}}};
  }}
  var route = uri.indexOf('/{base}/') === 0 && uri.substring(uri.lastIndexOf('/') + 1).indexOf('.') === -1;
  if (uri === '/{base}' || route) {{
    request.uri = '/{base}/index.html';
  }}
  return request;
}}
"""


def dist_directory(frontend: Frontend, *, placeholder: bool) -> Path:
    """``web/<name>/dist``; when it is missing, a placeholder page if allowed, else a clear stop."""
    dist = WEB_ROOT / frontend.name / "dist"
    if (dist / "index.html").is_file():
        return dist
    if not placeholder:
        raise SystemExit(
            f"{dist.relative_to(WEB_ROOT.parent)} is missing: run `make web` to build the frontends before "
            "synthesizing (or set the context web_placeholder=true to deploy a placeholder page)"
        )
    # Deterministic content at a fixed place, so the asset hash does not change between synths.
    stand_in = Path(tempfile.gettempdir()) / "siyu-web-placeholder" / frontend.name
    (stand_in / ASSETS_DIR).mkdir(parents=True, exist_ok=True)
    (stand_in / "index.html").write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Siyu</title>'
        f'<script type="module" src="/{frontend.base}/{ASSETS_DIR}/placeholder.js"></script></head>'
        f"<body><p>Siyu {frontend.name}: placeholder (the build was missing at synth time).</p></body></html>\n"
    )
    (stand_in / ASSETS_DIR / "placeholder.js").write_text("export {};\n")
    return stand_in


class Site(Construct):
    """One frontend: its bucket, its distribution and their headers; ``deploy`` adds the files."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        frontend: Frontend,
        config: StageConfig,
        domain: FrontendDomain | None,
        connect: Sequence[str],
        cache_policy: cloudfront.ICachePolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.frontend = frontend
        self.config = config
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Built output, deployed again from the repository at will: kept in production like the
            # stage's data, emptied and removed with a development stack.
            removal_policy=cdk.RemovalPolicy.RETAIN if config.production else cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=not config.production,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment=f"Siyu {frontend.name} ({config.stage}): security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp(connect=connect), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value=PERMISSIONS_POLICY,
                        override=True,
                    ),
                    cloudfront.ResponseCustomHeader(
                        header="Cross-Origin-Opener-Policy", value="same-origin", override=True
                    ),
                ]
            ),
        )
        index = f"/{frontend.base}/index.html"
        function_associations = None
        error_responses = None
        if config.china:
            # No CloudFront Functions in AWS China: S3 answers a missing key 403 (no list permission).
            origin = origins.S3BucketOrigin.with_origin_access_identity(self.bucket)
            error_responses = [
                cloudfront.ErrorResponse(
                    http_status=status, response_http_status=200, response_page_path=index, ttl=cdk.Duration.seconds(0)
                )
                for status in (403, 404)
            ]
        else:
            origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
            routes = cloudfront.Function(
                self,
                "Routes",
                code=cloudfront.FunctionCode.from_inline(spa_function_code(frontend.base)),
                runtime=cloudfront.FunctionRuntime.JS_2_0,
                comment=f"Siyu {frontend.name}: SPA routes under /{frontend.base}/ to its index.html",
            )
            function_associations = [
                cloudfront.FunctionAssociation(function=routes, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)
            ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Siyu {frontend.name} ({config.stage})",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cache_policy,
                response_headers_policy=headers,
                function_associations=function_associations,
                compress=True,
            ),
            # The China options are the conservative ones its documentation confirms.
            http_version=cloudfront.HttpVersion.HTTP2 if config.china else cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=not config.china,
            default_root_object=None if function_associations else index.lstrip("/"),
            error_responses=error_responses,
            domain_names=[domain.host] if domain is not None and not config.china else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate)
                if domain is not None and not config.china
                else None
            ),
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if domain is not None and not config.china else None
            ),
        )
        if domain is not None and config.china:
            # The L2 takes ACM certificates only; CloudFront in China takes an IAM server certificate.
            distribution = self.distribution.node.default_child
            assert isinstance(distribution, cloudfront.CfnDistribution)
            distribution.add_property_override("DistributionConfig.Aliases", [domain.host])
            distribution.add_property_override(
                "DistributionConfig.ViewerCertificate",
                {
                    "IamCertificateId": domain.certificate,
                    "SslSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2019",
                },
            )
        self.host: str = domain.host if domain is not None else self.distribution.distribution_domain_name
        self.origin = f"https://{self.host}"
        self.url = f"{self.origin}/{frontend.base}/"
        self._nag(domain)

    def deploy(self, dist: Path, runtime_config: Mapping[str, Any]) -> None:
        """The build under ``<base>/``: hashed assets first, then the pages and ``config.json``."""
        prefix = f"{self.frontend.base}/"
        assets = s3deploy.BucketDeployment(
            self,
            "DeployAssets",
            sources=[s3deploy.Source.asset(str(dist))],
            destination_bucket=self.bucket,
            destination_key_prefix=prefix,
            exclude=["*"],
            include=[f"{ASSETS_DIR}/*"],
            cache_control=[s3deploy.CacheControl.from_string(ASSET_CACHE_CONTROL)],
            prune=False,
            memory_limit=512,
        )
        pages = s3deploy.BucketDeployment(
            self,
            "DeployPages",
            sources=[s3deploy.Source.asset(str(dist)), s3deploy.Source.json_data(CONFIG_FILE, runtime_config)],
            destination_bucket=self.bucket,
            destination_key_prefix=prefix,
            exclude=[f"{ASSETS_DIR}/*", *UNSERVED],
            cache_control=[s3deploy.CacheControl.no_cache()],
            prune=False,
            memory_limit=512,
        )
        pages.node.add_dependency(assets)  # index.html never names an asset that is not there yet
        for deployment in (assets, pages):
            NagSuppressions.add_resource_suppressions(
                deployment.handler_role,
                [
                    {
                        "id": "AwsSolutions-IAM5",
                        "reason": "CDK's BucketDeployment copies the build from the CDK asset bucket to the "
                        "sites' buckets: its S3 action wildcards apply to the objects of those buckets only.",
                        "appliesTo": [
                            {"regex": "/^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\\*$/g"},
                            {"regex": "/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-[^/]+/\\*$/g"},
                            {"regex": "/^Resource::<Web(Console|Member)Bucket[0-9A-F]{8}\\.Arn>/\\*$/g"},
                        ],
                    }
                ],
                apply_to_children=True,
            )

    def _nag(self, domain: FrontendDomain | None) -> None:
        reasons = [
            {
                "id": "AwsSolutions-S1",
                "reason": "The bucket holds the public build output only and is read by CloudFront alone; "
                "API Gateway's access logs record every call that touches data.",
            },
            {
                "id": "AwsSolutions-CFR1",
                "reason": "Brands choose where their customers are; no geo restriction by default.",
            },
            {
                "id": "AwsSolutions-CFR2",
                "reason": "Static files only, no origin that computes: WAF would guard nothing the "
                "CloudFront cache does not already absorb; the API has its own throttling.",
            },
            {
                "id": "AwsSolutions-CFR3",
                "reason": "Static files only; standard logs would need an ACL-enabled bucket. The API's "
                "access logs record every call a frontend makes.",
            },
        ]
        if domain is None:
            reasons.append(
                {
                    "id": "AwsSolutions-CFR4",
                    "reason": "CloudFront's default certificate (*.cloudfront.net) cannot have a minimum "
                    "protocol set; a custom domain (console_domain/member_domain) gets TLSv1.2_2021.",
                }
            )
        if self.config.china:
            reasons += [
                {
                    "id": "AwsSolutions-CFR7",
                    "reason": "AWS China has no origin access control: an origin access identity there.",
                },
                {
                    "id": "AwsSolutions-CFR4",
                    "reason": "The viewer certificate is the brand's IAM server certificate with TLSv1.2_2019, "
                    "set as a property override (the L2 takes ACM certificates only), which cdk-nag does not read.",
                },
            ]
        NagSuppressions.add_resource_suppressions(self.distribution, reasons, apply_to_children=True)
        NagSuppressions.add_resource_suppressions(self.bucket, reasons[:1])


class Frontends(Construct):
    """Both frontends; ``api_origin``: the API's origin for the CSP, when it can be named (see the
    module's docstring), else the region's execute-api hosts are allowed; ``auth_origins``: what
    the console fetches to sign in (the Cognito hosted UI's domain); ``file_origins``: where the
    console uploads imports and fetches exports (the file store's presigned URLs)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        api_origin: str | None,
        auth_origins: Sequence[str] = (),
        file_origins: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        api = api_origin or f"https://*.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"
        cache_policy = cloudfront.CachePolicy(
            self,
            "CachePolicy",
            comment=f"Siyu frontends ({config.stage}): the objects' Cache-Control, down to none",
            min_ttl=cdk.Duration.seconds(0),
            default_ttl=cdk.Duration.days(1),
            max_ttl=cdk.Duration.days(365),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
        )
        domains = {CONSOLE.name: config.console_domain, MEMBER.name: config.member_domain}
        self.sites = {
            frontend.name: Site(
                self,
                frontend.name.capitalize(),
                frontend=frontend,
                config=config,
                domain=domains[frontend.name],
                connect=[api, *((*auth_origins, *file_origins) if frontend is CONSOLE else ())],
                cache_policy=cache_policy,
            )
            for frontend in FRONTENDS
        }
        self.console = self.sites[CONSOLE.name]
        self.member = self.sites[MEMBER.name]

    @property
    def origins(self) -> list[str]:
        """What the API's CORS allows: exactly the frontends' origins."""
        return [site.origin for site in self.sites.values()]

    @property
    def entry_url(self) -> str:
        """The member H5's QR landing page: SIYU_ENTRY_URL unless the stage sets its own."""
        return f"{self.member.url}{MEMBER_LANDING}"

    @property
    def console_callback_url(self) -> str:
        return f"{self.console.url}{CONSOLE_CALLBACK}"

    def deploy(self, *, api_url: str, console_auth: Mapping[str, Any]) -> None:
        """Each build with its ``config.json`` (a stand-in page for a missing build if allowed)."""
        app_id = self.config.member_wechat_app_id
        member_auth = {"mode": "wechat", **({"appId": app_id} if app_id else {})}
        for site, auth in ((self.console, console_auth), (self.member, member_auth)):
            site.deploy(
                dist_directory(site.frontend, placeholder=self.config.web_placeholder),
                runtime_config(api_url=api_url, stage=self.config.stage, auth=auth),
            )
