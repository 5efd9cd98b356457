"""The deployed channel gateway asks WeChat for an official account follower's unionid
(``cgi-bin/user/info``), WeChat's answers simulated; mini-program senders have none to ask for."""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request
from typing import Any

import pytest

from services.cases.gateways.channel import ChannelRefused, FakeChannelGateway, WechatChannelGateway
from shared.auth import keys
from shared.errors import UpstreamUnavailable
from shared.events.cases import ChannelAddress

FOLLOWER = ChannelAddress(kind="wechat_official_account", app_id="wx-oa", openid="o-1")


class FakeWechat:
    def __init__(self, *info_answers: dict[str, Any]) -> None:
        self.info_answers = list(info_answers)
        self.info_queries: list[dict[str, list[str]]] = []

    def urlopen(self, request: Any, timeout: float) -> io.BytesIO:
        if not isinstance(request, str):  # the stable token, POSTed
            return io.BytesIO(json.dumps({"access_token": "tok", "expires_in": 7200}).encode())
        self.info_queries.append(urllib.parse.parse_qs(urllib.parse.urlsplit(request).query))
        return io.BytesIO(json.dumps(self.info_answers.pop(0)).encode())


@pytest.fixture
def wechat(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(*answers: dict[str, Any]) -> FakeWechat:
        fake = FakeWechat(*answers)
        monkeypatch.setattr(urllib.request, "urlopen", fake.urlopen)
        monkeypatch.setattr(keys, "secret_json", lambda arn: {"t1/wx-oa": "app-secret"})
        return fake

    return install


def test_the_unionid_comes_from_user_info_when_wechat_has_one(wechat: Any) -> None:
    fake = wechat({"subscribe": 1, "openid": "o-1", "unionid": "u-1"}, {"subscribe": 1, "openid": "o-1"})
    gateway = WechatChannelGateway()
    assert gateway.unionid("t1", FOLLOWER) == "u-1"
    assert gateway.unionid("t1", FOLLOWER) is None  # an account bound to no Open Platform account
    assert fake.info_queries[0] == {"access_token": ["tok"], "openid": ["o-1"], "lang": ["zh_CN"]}


def test_a_stale_token_is_retried_and_other_errors_refuse(wechat: Any) -> None:
    wechat({"errcode": 42001}, {"errcode": 40003})
    gateway = WechatChannelGateway()
    with pytest.raises(UpstreamUnavailable):
        gateway.unionid("t1", FOLLOWER)
    with pytest.raises(ChannelRefused):
        gateway.unionid("t1", FOLLOWER)


def test_mini_program_senders_have_no_unionid_to_ask_for(wechat: Any) -> None:
    fake = wechat()
    mini = FOLLOWER.model_copy(update={"kind": "wechat_mini_program", "openid": "o-1~u-1"})
    assert WechatChannelGateway().unionid("t1", mini) is None
    assert FakeChannelGateway().unionid("t1", mini) is None
    assert fake.info_queries == []


def test_the_fake_reads_the_unionid_from_the_openid() -> None:
    fake = FakeChannelGateway()
    assert fake.unionid("t1", FOLLOWER.model_copy(update={"openid": "o-1~u-9"})) == "u-9"
    assert fake.unionid("t1", FOLLOWER) is None
    assert fake.unionid("t1", FOLLOWER.model_copy(update={"openid": "o-1~"})) is None
