"""Alarm topic → WeCom group robot: each SNS message becomes one markdown message in the group.

The robot's webhook (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``) takes its own
JSON, not SNS's envelope, so an https subscription cannot feed it. Its URL carries the robot's
key: it is kept in the Secrets Manager secret ``SIYU_ALARM_WEBHOOK_SECRET`` names (the secret's
value is the URL) and read once per container. A delivery WeCom refuses raises, so that Lambda's
asynchronous retries try again and the function's error alarm reports it by the topic's other
subscribers (email).
"""

from __future__ import annotations

import json
import urllib.request
from functools import cache
from typing import Any

from shared import aws
from shared.observability import lambda_entry, logger
from shared.settings import get_settings

# WeCom refuses markdown content over 4,096 bytes.
MAX_CONTENT_BYTES = 4096
TIMEOUT_SECONDS = 5


class DeliveryRefused(RuntimeError):
    pass


@cache
def webhook_url() -> str:
    secret = get_settings().alarm_webhook_secret
    if not secret:
        raise RuntimeError("SIYU_ALARM_WEBHOOK_SECRET is not set")
    url = str(aws.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]).strip()
    if not url.startswith("https://"):
        raise RuntimeError("the alarm webhook secret must hold an https URL")
    return url


def markdown(subject: str | None, message: str) -> str:
    """A CloudWatch alarm's state change, readable at a glance; any other message as it came."""
    try:
        alarm = json.loads(message)
    except ValueError:
        alarm = None
    if isinstance(alarm, dict) and "AlarmName" in alarm:
        state = str(alarm.get("NewStateValue", ""))
        colour = "warning" if state == "ALARM" else "info"
        lines = [
            f'**<font color="{colour}">{state}</font> {alarm["AlarmName"]}**',
            f"> {alarm.get('AlarmDescription') or ''}",
            f"> {alarm.get('NewStateReason', '')}",
            f"> {alarm.get('Region', '')} · {alarm.get('StateChangeTime', '')}",
        ]
        content = "\n".join(lines)
    else:
        content = f"**{subject or 'Siyu'}**\n{message}"
    return truncate(content)


def truncate(content: str) -> str:
    encoded = content.encode()
    if len(encoded) <= MAX_CONTENT_BYTES:
        return content
    return encoded[: MAX_CONTENT_BYTES - 3].decode(errors="ignore") + "..."


def post(url: str, content: str) -> None:
    body = json.dumps({"msgtype": "markdown", "markdown": {"content": content}}, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's https webhook
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
        reply = json.loads(answer.read() or b"{}")
    if reply.get("errcode", 0) != 0:  # WeCom answers 200 with an error code when it refuses
        raise DeliveryRefused(f"WeCom refused the alarm: {reply.get('errcode')} {reply.get('errmsg')}")


@lambda_entry
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    url = webhook_url()
    records = event.get("Records", [])
    for record in records:
        sns = record.get("Sns", {})
        post(url, markdown(sns.get("Subject"), str(sns.get("Message", ""))))
    logger.info("alarms forwarded", extra={"count": len(records)})
    return {"forwarded": len(records)}
