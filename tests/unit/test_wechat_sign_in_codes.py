"""The real WeChat gateway exchanges each kind of sign-in code where WeChat expects it: a
mini-program code at jscode2session (as ``js_code``), the H5's web-page OAuth code at
sns/oauth2/access_token (as ``code``); and refuses what WeChat refuses."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.contacts.gateways import wechat
from shared.auth import keys
from shared.errors import Unauthorized


class _Answer(io.BytesIO):
    def __enter__(self) -> _Answer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def wechat_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, list[str]]]]:
    calls: list[tuple[str, dict[str, list[str]]]] = []
    answers = {"ok": {"openid": "o-1", "unionid": "u-1"}, "refused": {"errcode": 40029, "errmsg": "invalid code"}}

    def urlopen(url: str, timeout: float) -> _Answer:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        calls.append((f"{parts.scheme}://{parts.netloc}{parts.path}", query))
        code = (query.get("js_code") or query.get("code") or [""])[0]
        return _Answer(json.dumps(answers[code]).encode())

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    monkeypatch.setattr(keys, "secret_json", lambda arn: {"t1/wx-app": "app-secret"})
    return calls


@pytest.mark.parametrize(
    ("kind", "url", "code_name"),
    [("mini_program", wechat.CODE2SESSION_URL, "js_code"), ("web", wechat.WEB_OAUTH_URL, "code")],
)
def test_each_kind_of_code_goes_to_its_exchange(
    wechat_calls: list[tuple[str, dict[str, list[str]]]], kind: str, url: str, code_name: str
) -> None:
    session = wechat.WechatApiGateway().code_to_session("t1", "wx-app", "ok", kind)
    assert session == wechat.WechatSession(openid="o-1", unionid="u-1")
    [(called, query)] = wechat_calls
    assert called == url
    assert query[code_name] == ["ok"]
    assert query["appid"] == ["wx-app"]
    assert query["secret"] == ["app-secret"]
    assert query["grant_type"] == ["authorization_code"]


def test_a_code_wechat_refuses_is_unauthorized(wechat_calls: Any) -> None:
    with pytest.raises(Unauthorized):
        wechat.WechatApiGateway().code_to_session("t1", "wx-app", "refused", "web")


def test_an_app_not_registered_for_the_tenant_is_unauthorized(wechat_calls: Any) -> None:
    with pytest.raises(Unauthorized):
        wechat.WechatApiGateway().code_to_session("t2", "wx-app", "ok", "web")
    assert wechat_calls == []
