"""What differs between stages and partitions."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every deployed function's environment beyond its own settings. pydantic otherwise scans every
# installed distribution for plugins the first time it builds a validator (~5 ms per cold start);
# Siyu uses none.
RUNTIME_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

# The AWS China regions (partition aws-cn): no Cognito user pools there, so Siyu issues staff tokens.
CHINA_REGIONS = frozenset({"cn-north-1", "cn-northwest-1"})

# A custom domain of a frontend (console.brand.cn): a lower-case host name, no scheme, no port.
HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Its certificate: in the global partition an ACM certificate, which CloudFront takes from
# us-east-1 only; in China an IAM server certificate's id (CloudFront there has no ACM).
ACM_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")
IAM_SERVER_CERTIFICATE_ID = re.compile(r"^ASCA[A-Z0-9]{12,28}$")
# A Cognito hosted-UI domain prefix: lower-case letters, digits and hyphens, not naming AWS.
COGNITO_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class FrontendDomain:
    """A frontend served from the brand's own domain rather than CloudFront's."""

    host: str  # console.brand.cn
    certificate: str  # an ACM certificate ARN (us-east-1), or an IAM server certificate id in China


@dataclass(frozen=True)
class StageConfig:
    stage: str
    production: bool
    archive_retention_days: int
    region: str | None = None  # None: environment-agnostic, global partition
    account: str | None = None
    entry_url: str | None = None  # SIYU_ENTRY_URL for the functions that read it (None: the code's default)
    # Who hears the alarm topic: email addresses, and a WeCom group robot whose webhook URL is kept
    # in the Secrets Manager secret of this name (created by the operator; see infra/monitoring.py).
    alarm_emails: tuple[str, ...] = ()
    alarm_wecom_webhook_secret: str | None = None
    # The web frontends (infra/frontends.py): their custom domains (required in China, where
    # *.cloudfront.cn may not serve content), the console's hosted-UI domain prefix (global; default
    # siyu-<stage>-<account id>), the WeChat official account app id the member H5 signs in with
    # (None: the H5 reads it elsewhere), and whether a missing build (web/<app>/dist) is replaced by
    # a placeholder page instead of failing the synth (the infrastructure tests; never a deploy).
    console_domain: FrontendDomain | None = None
    member_domain: FrontendDomain | None = None
    cognito_domain_prefix: str | None = None
    member_wechat_app_id: str | None = None
    web_placeholder: bool = False

    @classmethod
    def for_stage(
        cls,
        stage: str,
        *,
        region: str | None = None,
        account: str | None = None,
        entry_url: str | None = None,
        alarm_emails: tuple[str, ...] = (),
        alarm_wecom_webhook_secret: str | None = None,
        console_domain: str | None = None,
        console_certificate: str | None = None,
        member_domain: str | None = None,
        member_certificate: str | None = None,
        cognito_domain_prefix: str | None = None,
        member_wechat_app_id: str | None = None,
        web_placeholder: bool = False,
    ) -> StageConfig:
        if stage not in ("dev", "prod"):
            raise ValueError(f"unknown stage {stage!r}: use dev or prod")
        if region is not None and region.startswith("cn-") and region not in CHINA_REGIONS:
            raise ValueError(f"unknown China region {region!r}: use one of {sorted(CHINA_REGIONS)}")
        if entry_url is not None and not entry_url.startswith("https://"):
            raise ValueError(f"the entry URL must be an https:// URL, not {entry_url!r}")
        for email in alarm_emails:
            if "@" not in email or email != email.strip():
                raise ValueError(f"not an email address for alarms: {email!r}")
        china = region in CHINA_REGIONS
        console = _frontend_domain("console", console_domain, console_certificate, china=china)
        member = _frontend_domain("member", member_domain, member_certificate, china=china)
        if china and (console is None or member is None):
            raise ValueError(
                "an AWS China stage serves the console and the member H5 from the brand's ICP-filed domains "
                "(CloudFront may not serve *.cloudfront.cn there): set console_domain, console_certificate, "
                "member_domain and member_certificate (an IAM server certificate id each)"
            )
        if console is not None and member is not None and console.host == member.host:
            raise ValueError(f"the console and the member H5 need two domains, not {console.host} twice")
        if cognito_domain_prefix is not None:
            if china:
                raise ValueError("AWS China has no Cognito: cognito_domain_prefix is for global stages")
            if not COGNITO_DOMAIN_PREFIX.match(cognito_domain_prefix) or re.search(
                "aws|amazon|cognito", cognito_domain_prefix
            ):
                raise ValueError(f"not a Cognito domain prefix: {cognito_domain_prefix!r}")
        if member_wechat_app_id is not None and not re.fullmatch(r"wx[0-9a-f]{16}", member_wechat_app_id):
            raise ValueError(f"not a WeChat app id: {member_wechat_app_id!r}")
        production = stage == "prod"
        return cls(
            stage=stage,
            production=production,
            archive_retention_days=90 if production else 7,
            region=region,
            account=account,
            entry_url=entry_url,
            alarm_emails=alarm_emails,
            alarm_wecom_webhook_secret=alarm_wecom_webhook_secret,
            console_domain=console,
            member_domain=member,
            cognito_domain_prefix=cognito_domain_prefix,
            member_wechat_app_id=member_wechat_app_id,
            web_placeholder=web_placeholder,
        )

    @property
    def china(self) -> bool:
        """An AWS China stage: Siyu signs staff tokens itself (no Cognito in aws-cn)."""
        return self.region in CHINA_REGIONS

    def stack_name(self, part: str) -> str:
        """``Siyu-<stage>-<part>``: ``platform`` or a service's name."""
        return f"Siyu-{self.stage}-{part}"


def _frontend_domain(name: str, host: str | None, certificate: str | None, *, china: bool) -> FrontendDomain | None:
    if host is None and certificate is None:
        return None
    if host is None or certificate is None:
        raise ValueError(f"{name}_domain and {name}_certificate go together: set both or neither")
    if not HOST_NAME.match(host):
        raise ValueError(f"{name}_domain must be a lower-case host name (no scheme, no path), not {host!r}")
    if china and not IAM_SERVER_CERTIFICATE_ID.match(certificate):
        raise ValueError(
            f"{name}_certificate must be an IAM server certificate id (ASCA...) in AWS China, where "
            f"CloudFront takes no ACM certificate; not {certificate!r}"
        )
    if not china and not ACM_CERTIFICATE_ARN.match(certificate):
        raise ValueError(
            f"{name}_certificate must be the ARN of an ACM certificate in us-east-1 (CloudFront's), not {certificate!r}"
        )
    return FrontendDomain(host=host, certificate=certificate)
