"""The deployed channel gateway's dealings with WeChat, with WeChat's answers simulated: a stable
token fetched once, a reply sent as a customer-service text message, WeChat's window errors
holding the reply, a stale token retried, other errors failing it."""

from __future__ import annotations

import io
import json
import urllib.request
from typing import Any

import pytest

from services.cases.gateways.channel import ChannelRefused, WechatChannelGateway
from shared.auth import keys
from shared.errors import UpstreamUnavailable
from shared.events.cases import ChannelAddress

ADDRESS = ChannelAddress(kind="wechat_official_account", app_id="wx-app", openid="o-1")


class FakeWechat:
    def __init__(self, send_answers: list[dict[str, Any]]) -> None:
        self.send_answers = send_answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def urlopen(self, request: Any, timeout: float) -> io.BytesIO:
        payload = json.loads(request.data)
        self.calls.append((request.full_url, payload))
        if "stable_token" in request.full_url:
            return io.BytesIO(json.dumps({"access_token": "tok", "expires_in": 7200}).encode())
        return io.BytesIO(json.dumps(self.send_answers.pop(0)).encode())


@pytest.fixture
def wechat(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(*send_answers: dict[str, Any]) -> FakeWechat:
        fake = FakeWechat(list(send_answers))
        monkeypatch.setattr(urllib.request, "urlopen", fake.urlopen)
        monkeypatch.setattr(keys, "secret_json", lambda arn: {"t1/wx-app": "app-secret"})
        return fake

    return install


def test_a_reply_is_a_text_message_sent_with_one_stable_token(wechat: Any) -> None:
    fake = wechat({"errcode": 0}, {"errcode": 0})
    gateway = WechatChannelGateway()
    gateway.send("t1", ADDRESS, "m1", "您好")
    gateway.send("t1", ADDRESS, "m2", "再见")
    urls = [url for url, _ in fake.calls]
    assert sum("stable_token" in url for url in urls) == 1
    assert fake.calls[1][1] == {"touser": "o-1", "msgtype": "text", "text": {"content": "您好"}}
    assert "access_token=tok" in urls[1]


def test_wechats_window_errors_hold_the_reply_and_others_fail_it(wechat: Any) -> None:
    wechat({"errcode": 45015, "errmsg": "response out of time limit"}, {"errcode": 45047}, {"errcode": 40003})
    gateway = WechatChannelGateway()
    for reason, held in (("window_closed", True), ("window_message_limit", True), ("40003", False)):
        with pytest.raises(ChannelRefused) as refused:
            gateway.send("t1", ADDRESS, "m", "x")
        assert (refused.value.reason, refused.value.held) == (reason, held)


def test_a_stale_token_is_dropped_and_the_reply_retried(wechat: Any) -> None:
    fake = wechat({"errcode": 42001}, {"errcode": 0})
    gateway = WechatChannelGateway()
    with pytest.raises(UpstreamUnavailable):
        gateway.send("t1", ADDRESS, "m", "x")
    gateway.send("t1", ADDRESS, "m", "x")
    assert sum("stable_token" in url for url, _ in fake.calls) == 2


def test_an_app_without_a_secret_fails_the_reply(wechat: Any) -> None:
    wechat()
    with pytest.raises(ChannelRefused) as refused:
        WechatChannelGateway().send("other-tenant", ADDRESS, "m", "x")
    assert refused.value.reason == "app_not_registered"
