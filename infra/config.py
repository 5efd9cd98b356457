"""What differs between stages and partitions."""

from __future__ import annotations

from dataclasses import dataclass

# Every deployed function's environment beyond its own settings. pydantic otherwise scans every
# installed distribution for plugins the first time it builds a validator (~5 ms per cold start);
# Siyu uses none.
RUNTIME_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

# The AWS China regions (partition aws-cn): no Cognito user pools there, so Siyu issues staff tokens.
CHINA_REGIONS = frozenset({"cn-north-1", "cn-northwest-1"})


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
        )

    @property
    def china(self) -> bool:
        """An AWS China stage: Siyu signs staff tokens itself (no Cognito in aws-cn)."""
        return self.region in CHINA_REGIONS

    def stack_name(self, part: str) -> str:
        """``Siyu-<stage>-<part>``: ``platform`` or a service's name."""
        return f"Siyu-{self.stage}-{part}"
