"""The web frontends as synthesized (infra/frontends.py): private buckets that only their own
distribution reads, distributions with HTTPS, security headers and the SPA routes, builds deployed
with the right caching and a ``config.json`` naming the API and the sign-in, the API's CORS limited
to exactly the frontends' origins, the console's Cognito client, the channel codes' default entry
URL, and the China flavour (custom domains with IAM certificates, an origin access identity and
error-response routes, no Cognito).

Reads the session's synths (conftest.py) plus one more, ``custom_domains``: the global stage with
the platform and campaigns services only, with custom domains and certificates (about 6 s).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from app import build_app
from infra.config import StageConfig
from infra.frontends import CORS_HEADERS, dist_directory
from infra.web_spec import ASSET_CACHE_CONTROL, Frontend
from services.registry import SERVICES
from shared.auth.staff_keys import STAFF_AUDIENCE
from tests.infra.conftest import STAGE, Synthesized, refs, resources, synthesize

CONSOLE_DOMAIN = "console.brand.example"
MEMBER_DOMAIN = "m.brand.example"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
COGNITO_PREFIX = "brand-staff"
WECHAT_APP_ID = "wx0123456789abcdef"
SITES = {"Console": "console", "Member": "m"}  # construct name -> base path and key prefix


@pytest.fixture(scope="session")
def custom_domains(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The global stage served from custom domains (platform and campaigns stacks only)."""
    synthesized = synthesize(
        tmp_path_factory.mktemp("cdk.out.domains"),
        services=tuple(s for s in SERVICES if s.name in ("platform", "campaigns")),
        console_domain=CONSOLE_DOMAIN,
        console_certificate=CERTIFICATE,
        member_domain=MEMBER_DOMAIN,
        member_certificate=CERTIFICATE,
        cognito_domain_prefix=COGNITO_PREFIX,
        member_wechat_app_id=WECHAT_APP_ID,
        web_placeholder=True,
    )
    return {"merged": synthesized.merged(), "outdir": synthesized.outdir}


@pytest.fixture(scope="module")
def china_merged(china: dict[str, Synthesized]) -> dict[str, dict[str, Any]]:
    return {region: synthesized.merged() for region, synthesized in china.items()}


# Helpers ------------------------------------------------------------------------------------------
def render(value: Any) -> str:
    """A CloudFormation string value as text: ``${Id.Attribute}``, ``${Id}``, ``${Import:...}``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(render(part) for part in parts)
    if "Fn::GetAtt" in value:
        return "${%s.%s}" % tuple(value["Fn::GetAtt"])  # noqa: UP031 - a literal ${...}
    if "Ref" in value:
        return "${%s}" % value["Ref"]  # noqa: UP031
    if "Fn::ImportValue" in value:
        return "${Import:%s}" % render(value["Fn::ImportValue"])  # noqa: UP031
    if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        return value["Fn::Sub"]
    raise AssertionError(f"unexpected value {value!r}")


def one(template: dict[str, Any], kind: str, prefix: str) -> tuple[str, dict[str, Any]]:
    (found,) = [(i, r) for i, r in resources(template, kind) if re.fullmatch(f"{prefix}[0-9A-F]{{8}}", i)]
    return found


def distribution(template: dict[str, Any], site: str) -> tuple[str, dict[str, Any]]:
    logical_id, found = one(template, "AWS::CloudFront::Distribution", f"Web{site}Distribution")
    return logical_id, found["Properties"]["DistributionConfig"]


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split("; "))}


def headers_policy(template: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    policy_id = config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]["Ref"]
    return dict(template["Resources"][policy_id]["Properties"]["ResponseHeadersPolicyConfig"])


def deployments(template: dict[str, Any], site: str) -> dict[str, dict[str, Any]]:
    return {
        part: one(template, "Custom::CDKBucketDeployment", f"Web{site}Deploy{part}CustomResource512MiB")[1]
        for part in ("Assets", "Pages")
    }


def runtime_config(template: dict[str, Any], outdir: Path, site: str) -> dict[str, Any]:
    """The site's config.json as deployed: the staged file with its deploy-time values rendered."""
    pages = deployments(template, site)["Pages"]["Properties"]
    ((key, markers),) = [
        (key, markers)
        for key, markers in zip(pages["SourceObjectKeys"], pages["SourceMarkers"], strict=True)
        if (outdir / f"asset.{key.removesuffix('.zip')}" / "config.json").is_file()
    ]
    text = (outdir / f"asset.{key.removesuffix('.zip')}" / "config.json").read_text()
    for marker, value in markers.items():
        text = text.replace(marker, json.dumps(render(value).strip('"')))
    return dict(json.loads(text))


def authorizer_variables(template: dict[str, Any]) -> dict[str, Any]:
    (authorizer,) = [
        f for i, f in resources(template, "AWS::Lambda::Function") if re.fullmatch("Authorizer[0-9A-F]{8}", i)
    ]
    return dict(authorizer["Properties"]["Environment"]["Variables"])


# Buckets ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("site", SITES)
def test_each_bucket_is_private_encrypted_tls_only_and_read_by_its_own_distribution_alone(
    template: dict[str, Any], site: str
) -> None:
    bucket_id, bucket = one(template, "AWS::S3::Bucket", f"Web{site}Bucket")
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in properties
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["DeletionPolicy"] == "Retain"  # production keeps it, as it keeps its data
    distribution_id, _ = distribution(template, site)
    (_, policy) = one(template, "AWS::S3::BucketPolicy", f"Web{site}BucketPolicy")
    assert refs(policy["Properties"]["Bucket"]) == {bucket_id}
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*"
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert render(allow["Resource"]) == f"${{{bucket_id}.Arn}}/*"
    assert render(allow["Condition"]["StringEquals"]["AWS:SourceArn"]) == (
        f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution_id}}}"
    )


# Distributions ------------------------------------------------------------------------------------
@pytest.mark.parametrize("site", SITES)
def test_each_distribution_reads_its_bucket_with_oac_over_https_and_http3(template: dict[str, Any], site: str) -> None:
    bucket_id, _ = one(template, "AWS::S3::Bucket", f"Web{site}Bucket")
    _, config = distribution(template, site)
    (origin,) = config["Origins"]
    assert refs(origin["DomainName"]) == {bucket_id}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # none: the OAC signs the requests
    (oac_id,) = refs(origin["OriginAccessControlId"])
    oac = template["Resources"][oac_id]
    assert oac["Type"] == "AWS::CloudFront::OriginAccessControl"
    assert oac["Properties"]["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None,
        "OriginAccessControlOriginType": "s3",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert config["HttpVersion"] == "http2and3"
    assert "CacheBehaviors" not in config
    cache_policy = template["Resources"][behavior["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert cache_policy["MinTTL"] == 0  # the objects' no-cache holds: a deploy is seen at once


@pytest.mark.parametrize("site", SITES)
def test_each_distribution_sends_the_security_headers(template: dict[str, Any], site: str) -> None:
    _, config = distribution(template, site)
    security = headers_policy(template, config)["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert hsts["Override"] is True
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = directives(render(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]))
    assert security["ContentSecurityPolicy"]["Override"] is True
    assert csp["default-src"] == csp["script-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:", "https://*.qpic.cn"]
    assert csp["frame-ancestors"] == csp["object-src"] == ["'none'"]
    # No custom domains: the API's CORS names the distributions, so the CSP cannot name the API's
    # id (a reference cycle) and allows the region's execute-api hosts.
    expected = ["'self'", "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}"]
    if site == "Console":
        (domain_id, _) = one(template, "AWS::Cognito::UserPoolDomain", "StaffPoolConsoleSignIn")
        expected.append(f"https://${{{domain_id}}}.auth.${{AWS::Region}}.amazoncognito.com")
        # The file store, exactly: the bucket's fixed name on its regional host (uploads, exports).
        (_, files) = one(template, "AWS::S3::Bucket", "Files")
        assert render(files["Properties"]["BucketName"]) == "siyu-prod-files-${AWS::AccountId}-${AWS::Region}"
        expected.append("https://siyu-prod-files-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.${AWS::URLSuffix}")
    assert csp["connect-src"] == expected


def run_function(code: str, uris: list[str]) -> list[dict[str, Any]]:
    """What the CloudFront Function answers for each URI, run by Node (which the synth needs)."""
    node = shutil.which("node")
    assert node, "node runs the CDK synth; it is needed here too"
    harness = (
        code + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(function (uri) {{"
        " return handler({request: {uri: uri, querystring: {}, headers: {}}}); })));"
    )
    ran = subprocess.run([node, "-e", harness], capture_output=True, text=True, timeout=30, check=True)
    return list(json.loads(ran.stdout))


@pytest.mark.parametrize("site", SITES)
def test_the_spa_function_serves_the_index_for_routes_under_the_base_only(template: dict[str, Any], site: str) -> None:
    base = SITES[site]
    _, config = distribution(template, site)
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    (function_id,) = refs(association["FunctionARN"])
    function = template["Resources"][function_id]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True
    redirect = {"statusCode": 302, "statusDescription": "Found", "headers": {"location": {"value": f"/{base}/"}}}
    assert run_function(function["FunctionCode"], ["/"]) == [redirect]
    rewrites = {
        f"/{base}": f"/{base}/index.html",  # served, not redirected: a query (?tenant=…) stays
        f"/{base}/": f"/{base}/index.html",
        f"/{base}/contacts/c1": f"/{base}/index.html",
        f"/{base}/scan": f"/{base}/index.html",
        f"/{base}/assets/index-3f2a.js": f"/{base}/assets/index-3f2a.js",
        f"/{base}/config.json": f"/{base}/config.json",
        f"/{base}/favicon.svg": f"/{base}/favicon.svg",
        "/other/page": "/other/page",  # not the app's: S3 answers (403, nothing else is readable)
    }
    answers = run_function(function["FunctionCode"], list(rewrites))
    assert {uri: answer["uri"] for uri, answer in zip(rewrites, answers, strict=True)} == rewrites


# Deployments --------------------------------------------------------------------------------------
@pytest.mark.parametrize("site", SITES)
def test_hashed_assets_are_cached_a_year_and_the_rest_not_at_all(template: dict[str, Any], site: str) -> None:
    bucket_id, _ = one(template, "AWS::S3::Bucket", f"Web{site}Bucket")
    found = deployments(template, site)
    assets, pages = found["Assets"]["Properties"], found["Pages"]["Properties"]
    for deployment in (assets, pages):
        assert refs(deployment["DestinationBucketName"]) == {bucket_id}
        assert deployment["DestinationBucketKeyPrefix"] == f"{SITES[site]}/"
        assert deployment["Prune"] is False  # an open tab can still load the lazy routes of its build
    assert (assets["Exclude"], assets["Include"]) == (["*"], ["assets/*"])
    assert assets["SystemMetadata"] == {"cache-control": ASSET_CACHE_CONTROL}
    assert pages["Exclude"] == ["assets/*", ".vite/*"]  # Vite's manifest (source paths) is not published
    assert "Include" not in pages
    assert pages["SystemMetadata"] == {"cache-control": "no-cache"}
    # The pages go after the assets: an index.html never names an asset not uploaded yet.
    assets_id, _ = one(template, "Custom::CDKBucketDeployment", f"Web{site}DeployAssetsCustomResource512MiB")
    assert assets_id in found["Pages"]["DependsOn"]


def test_the_console_config_names_the_api_and_the_hosted_sign_in(
    template: dict[str, Any], synthesized: Synthesized
) -> None:
    config = runtime_config(template, synthesized.outdir, "Console")
    (api_id, _) = one(template, "AWS::ApiGatewayV2::Api", "Api")
    (pool_id, _) = one(template, "AWS::Cognito::UserPool", "StaffPool")
    (client_id, _) = one(template, "AWS::Cognito::UserPoolClient", "StaffPoolConsole")
    (domain_id, _) = one(template, "AWS::Cognito::UserPoolDomain", "StaffPoolConsoleSignIn")
    distribution_id, _ = distribution(template, "Console")
    console = f"https://${{{distribution_id}.DomainName}}/console/"
    assert config == {
        "apiBaseUrl": f"${{{api_id}.ApiEndpoint}}",
        "stage": STAGE,
        "auth": {
            "mode": "cognito",
            "region": "${AWS::Region}",
            "userPoolId": f"${{{pool_id}}}",
            "clientId": f"${{{client_id}}}",
            "domain": f"https://${{{domain_id}}}.auth.${{AWS::Region}}.amazoncognito.com",
            "redirectUri": f"{console}auth/callback",
            "logoutUri": console,
            "scopes": ["openid", "email", "profile"],
        },
    }


def test_the_member_config_names_the_api_and_wechat_sign_in(
    template: dict[str, Any], synthesized: Synthesized, custom_domains: dict[str, Any]
) -> None:
    (api_id, _) = one(template, "AWS::ApiGatewayV2::Api", "Api")
    config = runtime_config(template, synthesized.outdir, "Member")
    assert config == {
        "apiBaseUrl": f"${{{api_id}.ApiEndpoint}}",
        "stage": STAGE,
        "auth": {"mode": "wechat"},  # no appId configured: the H5 gets it another way
    }
    configured = runtime_config(custom_domains["merged"], custom_domains["outdir"], "Member")
    assert configured["auth"] == {"mode": "wechat", "appId": WECHAT_APP_ID}


# The API's CORS and the outputs -------------------------------------------------------------------
def cors(template: dict[str, Any]) -> dict[str, Any]:
    (_, api) = one(template, "AWS::ApiGatewayV2::Api", "Api")
    return dict(api["Properties"]["CorsConfiguration"])


def test_the_api_allows_exactly_the_frontends_origins(template: dict[str, Any]) -> None:
    configuration = cors(template)
    origins = [render(origin) for origin in configuration["AllowOrigins"]]
    assert origins == [f"https://${{{distribution(template, site)[0]}.DomainName}}" for site in SITES]
    assert configuration["AllowHeaders"] == list(CORS_HEADERS)
    assert {"authorization", "content-type", "idempotency-key"} <= set(configuration["AllowHeaders"])
    assert sorted(configuration["AllowMethods"]) == ["DELETE", "GET", "PATCH", "POST", "PUT"]
    assert "*" not in json.dumps(configuration)


def test_the_stack_outputs_the_frontends_urls(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    for output, site in (("ConsoleUrl", "Console"), ("MemberUrl", "Member")):
        distribution_id, _ = distribution(template, site)
        assert render(outputs[output]["Value"]) == f"https://${{{distribution_id}.DomainName}}/{SITES[site]}/"


# Cognito ------------------------------------------------------------------------------------------
def test_the_console_signs_in_with_the_code_flow_of_a_public_client_the_authorizer_accepts(
    template: dict[str, Any],
) -> None:
    (client_id, client) = one(template, "AWS::Cognito::UserPoolClient", "StaffPoolConsole")
    properties = client["Properties"]
    distribution_id, _ = distribution(template, "Console")
    console = f"https://${{{distribution_id}.DomainName}}/console/"
    assert properties["GenerateSecret"] is False  # public: a browser keeps no secret (PKCE instead)
    assert properties["AllowedOAuthFlows"] == ["code"]  # no implicit flow
    assert properties["AllowedOAuthFlowsUserPoolClient"] is True
    assert properties["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert properties["SupportedIdentityProviders"] == ["COGNITO"]
    assert [render(url) for url in properties["CallbackURLs"]] == [f"{console}auth/callback", console]
    assert [render(url) for url in properties["LogoutURLs"]] == [console]
    # The one staff client: its ID tokens are what the authorizer accepts (SIYU_STAFF_AUDIENCE).
    assert refs(authorizer_variables(template)["SIYU_STAFF_AUDIENCE"]) == {client_id}
    (_, domain) = one(template, "AWS::Cognito::UserPoolDomain", "StaffPoolConsoleSignIn")
    assert render(domain["Properties"]["Domain"]) == f"siyu-{STAGE}-${{AWS::AccountId}}"


# Channel codes ------------------------------------------------------------------------------------
def entry_url(template: dict[str, Any]) -> str:
    (function,) = [
        f for i, f in resources(template, "AWS::Lambda::Function") if re.fullmatch("CampaignsApi[0-9A-F]{8}", i)
    ]
    return render(function["Properties"]["Environment"]["Variables"]["SIYU_ENTRY_URL"])


def test_channel_codes_open_the_member_landing_page_by_default(template: dict[str, Any]) -> None:
    """Unless the stage names its own entry URL (test_stack.py checks that one is passed on)."""
    distribution_id, _ = distribution(template, "Member")
    url = entry_url(template)
    assert url.startswith("https://${Import:")
    assert url.endswith("/m/scan")
    assert distribution_id in url  # the platform stack's export of the member distribution's domain


# Custom domains -----------------------------------------------------------------------------------
def test_custom_domains_serve_the_frontends_with_their_certificates(custom_domains: dict[str, Any]) -> None:
    template = custom_domains["merged"]
    for site, host in (("Console", CONSOLE_DOMAIN), ("Member", MEMBER_DOMAIN)):
        _, config = distribution(template, site)
        assert config["Aliases"] == [host]
        assert config["ViewerCertificate"] == {
            "AcmCertificateArn": CERTIFICATE,
            "MinimumProtocolVersion": "TLSv1.2_2021",
            "SslSupportMethod": "sni-only",
        }
        # No distribution in the CORS, so the CSP names the API's own origin, exactly.
        csp = directives(
            render(
                headers_policy(template, config)["SecurityHeadersConfig"]["ContentSecurityPolicy"][
                    "ContentSecurityPolicy"
                ]
            )
        )
        (api_id, _) = one(template, "AWS::ApiGatewayV2::Api", "Api")
        assert csp["connect-src"][:2] == ["'self'", f"${{{api_id}.ApiEndpoint}}"]
        assert not [source for source in csp["connect-src"] if "*" in source]
    assert cors(template)["AllowOrigins"] == [f"https://{CONSOLE_DOMAIN}", f"https://{MEMBER_DOMAIN}"]
    assert template["Outputs"]["ConsoleUrl"]["Value"] == f"https://{CONSOLE_DOMAIN}/console/"
    assert template["Outputs"]["MemberUrl"]["Value"] == f"https://{MEMBER_DOMAIN}/m/"
    (_, client) = one(template, "AWS::Cognito::UserPoolClient", "StaffPoolConsole")
    assert client["Properties"]["CallbackURLs"] == [
        f"https://{CONSOLE_DOMAIN}/console/auth/callback",
        f"https://{CONSOLE_DOMAIN}/console/",
    ]
    (_, domain) = one(template, "AWS::Cognito::UserPoolDomain", "StaffPoolConsoleSignIn")
    assert domain["Properties"]["Domain"] == COGNITO_PREFIX
    assert entry_url(template) == f"https://{MEMBER_DOMAIN}/m/scan"


# AWS China ----------------------------------------------------------------------------------------
def test_china_serves_the_icp_domains_with_iam_certificates_and_no_cognito(
    china_merged: dict[str, dict[str, Any]], china: dict[str, Synthesized]
) -> None:
    for region, template in china_merged.items():
        kinds = {resource["Type"] for resource in template["Resources"].values()}
        assert not [kind for kind in kinds if kind.startswith("AWS::Cognito::")], region
        # Neither exists in AWS China (cfn-lint's region schemas agree: test_partitions.py lints).
        assert not kinds & {"AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::Function"}, region
        origins = [render(origin) for origin in cors(template)["AllowOrigins"]]
        assert origins == ["https://console.example.cn", "https://m.example.cn"], region
        for site, host in (("Console", "console.example.cn"), ("Member", "m.example.cn")):
            bucket_id, _ = one(template, "AWS::S3::Bucket", f"Web{site}Bucket")
            _, config = distribution(template, site)
            assert config["Aliases"] == [host]
            assert set(config["ViewerCertificate"]) == {
                "IamCertificateId",
                "SslSupportMethod",
                "MinimumProtocolVersion",
            }
            assert config["ViewerCertificate"]["IamCertificateId"].startswith("ASCA")
            assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
            assert "FunctionAssociations" not in config["DefaultCacheBehavior"]
            index = f"/{SITES[site]}/index.html"
            assert sorted(
                (r["ErrorCode"], r["ResponseCode"], r["ResponsePagePath"]) for r in config["CustomErrorResponses"]
            ) == [
                (403, 200, index),
                (404, 200, index),
            ]
            # An origin access identity, and the bucket policy lets that identity alone read.
            (origin,) = config["Origins"]
            (identity_id,) = refs(origin["S3OriginConfig"]["OriginAccessIdentity"])
            assert template["Resources"][identity_id]["Type"] == "AWS::CloudFront::CloudFrontOriginAccessIdentity"
            (_, policy) = one(template, "AWS::S3::BucketPolicy", f"Web{site}BucketPolicy")
            (allow,) = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
            assert render(allow["Principal"]["CanonicalUser"]) == f"${{{identity_id}.S3CanonicalUserId}}"
            assert render(allow["Resource"]) == f"${{{bucket_id}.Arn}}/*"
        console = runtime_config(template, china[region].outdir, "Console")
        assert console["auth"] == {"mode": "wecom"}, region  # WeCom sign-in comes with the WeCom issue
        assert template["Outputs"]["ConsoleUrl"]["Value"] == "https://console.example.cn/console/"
        assert authorizer_variables(template)["SIYU_STAFF_AUDIENCE"] == STAFF_AUDIENCE


# Settings -----------------------------------------------------------------------------------------
def test_a_china_stage_without_its_domains_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ICP-filed domains"):
        build_app("prod", str(tmp_path), region="cn-north-1", web_placeholder=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"console_domain": "console.brand.example"}, "go together"),
        ({"console_domain": "https://console.brand.example", "console_certificate": CERTIFICATE}, "host name"),
        ({"member_domain": "m.brand.example", "member_certificate": "ASCAEXAMPLEMEMBER00001"}, "ACM certificate"),
        (
            {
                "region": "cn-north-1",
                "console_domain": "console.example.cn",
                "console_certificate": CERTIFICATE,
                "member_domain": "m.example.cn",
                "member_certificate": "ASCAEXAMPLEMEMBER00001",
            },
            "IAM server certificate",
        ),
        ({"cognito_domain_prefix": "aws-siyu"}, "Cognito domain prefix"),
        ({"member_wechat_app_id": "not-an-app"}, "WeChat app id"),
    ],
)
def test_frontend_settings_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StageConfig.for_stage("prod", **options)


def test_a_missing_build_stops_the_synth_unless_a_placeholder_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the placeholder is written
    missing = Frontend("missing", "x")
    with pytest.raises(SystemExit, match="make web"):
        dist_directory(missing, placeholder=False)
    stand_in = dist_directory(missing, placeholder=True)
    assert stand_in.is_relative_to(tmp_path)
    assert "/x/assets/placeholder.js" in (stand_in / "index.html").read_text()
    assert (stand_in / "assets" / "placeholder.js").is_file()
