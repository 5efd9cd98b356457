"""The CDK app: per stage, a platform stack and one stack per service, built from the declarations.

Synthesizes offline with no AWS account (``make synth``). The region is chosen at synth time
(``--region`` or context ``region``): without one the stacks are environment-agnostic and built for
the global partition; a China region (``cn-north-1``, ``cn-northwest-1``) builds the China flavour
(no Cognito: Siyu issues staff tokens itself). Nothing is looked up at synth time.

    python app.py --stage dev                        # global, environment-agnostic
    python app.py --stage prod --region cn-north-1   # AWS China (Beijing)

Other settings, as options or context (``-c key=value`` with the CDK CLI): ``entry_url`` (the H5 page a
channel code opens, SIYU_ENTRY_URL; default: the member H5's landing page ``https://<member>/m/scan``),
``account``, ``alarm_emails`` (comma-separated) and ``alarm_wecom_webhook_secret`` (the name of the
secret holding a WeCom group robot's webhook URL).

The web frontends (infra/frontends.py): ``console_domain`` / ``console_certificate`` and
``member_domain`` / ``member_certificate`` (a custom domain and its certificate: an ACM certificate
ARN in us-east-1, or in AWS China an IAM server certificate id; required in China),
``cognito_domain_prefix`` (the console's hosted sign-in; default ``siyu-<stage>-<account id>``) and
``member_wechat_app_id``. The builds ``web/console/dist`` and ``web/member/dist`` must exist (``make
web``); ``web_placeholder=true`` deploys a placeholder page for a missing one instead (tests).
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
    console_domain: str | None = None,
    console_certificate: str | None = None,
    member_domain: str | None = None,
    member_certificate: str | None = None,
    cognito_domain_prefix: str | None = None,
    member_wechat_app_id: str | None = None,
    web_placeholder: bool | None = None,
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
        console_domain=chosen(console_domain, "console_domain"),
        console_certificate=chosen(console_certificate, "console_certificate"),
        member_domain=chosen(member_domain, "member_domain"),
        member_certificate=chosen(member_certificate, "member_certificate"),
        cognito_domain_prefix=chosen(cognito_domain_prefix, "cognito_domain_prefix"),
        member_wechat_app_id=chosen(member_wechat_app_id, "member_wechat_app_id"),
        web_placeholder=web_placeholder
        if web_placeholder is not None
        else flag(app.node.try_get_context("web_placeholder")),
    )
    build_stacks(app, config, services=services)
    return app


def flag(value: object) -> bool:
    """A context flag: ``true`` in cdk.json, or ``-c web_placeholder=true`` (a string)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no", ""):
        return False
    raise ValueError(f"expected true or false, not {value!r}")


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
    for name, text in (
        ("console-domain", "the console's custom domain, e.g. console.brand.cn (required in AWS China)"),
        ("console-certificate", "its certificate: ACM ARN in us-east-1, or an IAM server certificate id in China"),
        ("member-domain", "the member H5's custom domain, e.g. m.brand.cn (required in AWS China)"),
        ("member-certificate", "its certificate: ACM ARN in us-east-1, or an IAM server certificate id in China"),
        ("cognito-domain-prefix", "the console's hosted sign-in domain prefix (default: siyu-<stage>-<account id>)"),
        ("member-wechat-app-id", "the WeChat official account app id the member H5 signs in with"),
    ):
        parser.add_argument(f"--{name}", default=None, help=f"{text} (default: context)")
    parser.add_argument(
        "--web-placeholder",
        action="store_true",
        default=None,
        help="deploy a placeholder page for a frontend whose build (web/<app>/dist) is missing, instead of failing",
    )
    args = parser.parse_args()
    try:
        app = build_app(
            args.stage,
            region=args.region,
            account=args.account,
            entry_url=args.entry_url,
            alarm_emails=listed(args.alarm_emails) if args.alarm_emails is not None else None,
            alarm_wecom_webhook_secret=args.alarm_wecom_webhook_secret,
            console_domain=args.console_domain,
            console_certificate=args.console_certificate,
            member_domain=args.member_domain,
            member_certificate=args.member_certificate,
            cognito_domain_prefix=args.cognito_domain_prefix,
            member_wechat_app_id=args.member_wechat_app_id,
            web_placeholder=args.web_placeholder,
        )
    except ValueError as error:  # a setting out of place: its message, not a traceback
        raise SystemExit(f"siyu: {error}") from None
    app.synth()


if __name__ == "__main__":
    main()
