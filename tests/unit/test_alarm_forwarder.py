"""The alarm forwarder posts each alarm to a WeCom group robot as markdown: tested against a local
HTTP server standing in for the webhook, and a Secrets Manager secret in moto holding its URL."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from services.platform import alarm_forwarder
from shared import aws
from shared.settings import get_settings

ALARM = {
    "AlarmName": "Siyu-prod-cases-CasesChannelGatewayDlqMessages",
    "AlarmDescription": "Dead letters: events cases-channel-gateway could not take. Runbook: docs/operations.md.",
    "NewStateValue": "ALARM",
    "NewStateReason": "Threshold Crossed: 1 datapoint [3.0] was >= 1.0",
    "StateChangeTime": "2026-01-31T08:15:02.123+0000",
    "Region": "China (Beijing)",
}


class Robot:
    """A WeCom group robot: records what it is sent and answers with the next reply."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                robot.received.append(json.loads(self.rfile.read(length)))
                reply = robot.replies.pop(0) if robot.replies else {"errcode": 0, "errmsg": "ok"}
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=k"


@pytest.fixture
def robot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Robot]:
    fake = Robot()
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setattr(alarm_forwarder, "webhook_url", lambda: fake.url)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def sns_event(message: str, subject: str | None = None) -> dict[str, Any]:
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Subject": subject, "Message": message}}]}


def test_an_alarm_reaches_the_group_as_markdown(robot: Robot) -> None:
    answer = alarm_forwarder.handler(sns_event(json.dumps(ALARM), "ALARM: ..."), None)
    assert answer == {"forwarded": 1}
    [sent] = robot.received
    assert sent["msgtype"] == "markdown"
    content = sent["markdown"]["content"]
    assert "ALARM" in content
    assert ALARM["AlarmName"] in content
    assert "docs/operations.md" in content
    assert ALARM["NewStateReason"] in content


def test_other_messages_are_forwarded_as_they_came(robot: Robot) -> None:
    alarm_forwarder.handler(sns_event("a plain message", "Hello"), None)
    assert robot.received[0]["markdown"]["content"] == "**Hello**\na plain message"


def test_a_refusal_raises_so_that_lambda_retries(robot: Robot) -> None:
    robot.replies.append({"errcode": 93000, "errmsg": "invalid webhook url"})
    with pytest.raises(alarm_forwarder.DeliveryRefused, match="93000"):
        alarm_forwarder.handler(sns_event(json.dumps(ALARM)), None)


def test_long_content_is_cut_to_what_wecom_accepts() -> None:
    content = alarm_forwarder.truncate("告警" * 3000)
    assert len(content.encode()) <= alarm_forwarder.MAX_CONTENT_BYTES
    assert content.endswith("...")


@pytest.fixture
def secret_name(stack: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A uniquely named secret in the session stack's emulator (an in-process ``mock_aws`` would
    wipe the emulator every other unit test shares)."""
    name = f"siyu/test-{uuid.uuid4().hex[:8]}/wecom-alarm-webhook"
    monkeypatch.setenv("SIYU_ALARM_WEBHOOK_SECRET", name)
    get_settings.cache_clear()
    alarm_forwarder.webhook_url.cache_clear()
    yield name
    aws.client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    get_settings.cache_clear()
    alarm_forwarder.webhook_url.cache_clear()


def test_the_webhook_url_is_read_from_the_named_secret(secret_name: str) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    aws.client("secretsmanager").create_secret(Name=secret_name, SecretString=f"{url}\n")
    assert alarm_forwarder.webhook_url() == url


def test_a_webhook_that_is_not_https_is_refused(secret_name: str) -> None:
    aws.client("secretsmanager").create_secret(Name=secret_name, SecretString="http://example.com/hook")
    with pytest.raises(RuntimeError, match="https"):
        alarm_forwarder.webhook_url()
