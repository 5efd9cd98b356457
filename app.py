"""The CDK app: per stage, a platform stack and one stack per service, built from the declarations.

Synthesizes offline with no AWS account (``make synth``). The region is chosen at synth time
(``--region`` or context ``region``): without one the stacks are environment-agnostic and built for
the global partition; a China region (``cn-north-1``, ``cn-northwest-1``) builds the China flavour
(no Cognito: Siyu issues staff tokens itself). Nothing is looked up at synth time.

    python app.py --stage dev                        # global, environment-agnostic
    python app.py --stage prod --region cn-north-1   # AWS China (Beijing)

Other settings, as options or context (``-c key=value`` with the CDK CLI): ``entry_url`` (the H5 page a
channel code opens, SIYU_ENTRY_URL), ``account``, ``alarm_emails`` (comma-separated) and
``alarm_wecom_webhook_secret`` (the name of the secret holding a WeCom group robot's webhook URL).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import aws_cdk as cdk

from infra.config import CHINA_REGIONS, StageConfig
from infra.stack import build_stacks
from shared.manifest import Service


def build_app(
    stage: str | None = None,
    outdir: str | None = None,
    services: tuple[Service, ...] | None = None,
    *,
    region: str | None = None,
    account: str | None = None,
    entry_url: str | None = None,
    alarm_emails: tuple[str, ...] | None = None,
    alarm_wecom_webhook_secret: str | None = None,
) -> cdk.App:
    """The app with every stack of the stage; arguments override the context (cdk.json, ``-c``)."""
    context = json.loads((Path(__file__).parent / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or "cdk.out", context=context)

    def chosen(value: str | None, key: str) -> str | None:
        found = value or app.node.try_get_context(key)
        return str(found) if found else None

    region = chosen(region, "region")
    deploying_to = os.environ.get("CDK_DEFAULT_REGION")  # set by the CDK CLI from the AWS profile
    if region is None and deploying_to in CHINA_REGIONS:
        # An environment-agnostic template is the global flavour (Cognito): it cannot deploy to China.
        raise SystemExit(f"the AWS profile is in {deploying_to}: pass the region (-c region={deploying_to})")
    config = StageConfig.for_stage(
        chosen(stage, "stage") or "dev",
        region=region,
        account=chosen(account, "account"),
        entry_url=chosen(entry_url, "entry_url"),
        alarm_emails=alarm_emails if alarm_emails is not None else listed(app.node.try_get_context("alarm_emails")),
        alarm_wecom_webhook_secret=chosen(alarm_wecom_webhook_secret, "alarm_wecom_webhook_secret"),
    )
    build_stacks(app, config, services=services)
    return app


def listed(value: object) -> tuple[str, ...]:
    """A context list: JSON in cdk.json, or ``a@x.cn,b@x.cn`` from ``-c alarm_emails=...``."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(part) for part in value)
    raise ValueError(f"expected a list or a comma-separated string, not {value!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Synthesize Siyu's CloudFormation templates.")
    parser.add_argument("--stage", default=None, help="dev or prod (default: context 'stage')")
    parser.add_argument(
        "--region",
        default=None,
        help="the region to build for, e.g. cn-north-1 (default: context 'region'; none: environment-agnostic, global)",
    )
    parser.add_argument("--account", default=None, help="the account id (default: context 'account'; none: agnostic)")
    parser.add_argument(
        "--entry-url", default=None, help="the H5 page a channel code opens (SIYU_ENTRY_URL; default: context)"
    )
    parser.add_argument(
        "--alarm-emails", default=None, help="comma-separated addresses the alarm topic mails (default: context)"
    )
    parser.add_argument(
        "--alarm-wecom-webhook-secret",
        default=None,
        help="name of the secret holding the WeCom group robot's webhook URL for alarms (default: context)",
    )
    args = parser.parse_args()
    build_app(
        args.stage,
        region=args.region,
        account=args.account,
        entry_url=args.entry_url,
        alarm_emails=listed(args.alarm_emails) if args.alarm_emails is not None else None,
        alarm_wecom_webhook_secret=args.alarm_wecom_webhook_secret,
    ).synth()


if __name__ == "__main__":
    main()
