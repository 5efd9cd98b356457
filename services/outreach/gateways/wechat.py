"""Outreach's WeChat end: official account template messages (``message/template/send``) and
mini-program subscribe messages (``message/subscribe/send``), sent one recipient at a time.

In AWS it calls WeChat with the app's stable access token (shared/wechat.py). The local stack uses
the fake, which records each message in the outreach table (``dal.deliveries``) so tests and a
developer can see what would have reached the member; an openid starting ``blocked`` is refused as
WeChat refuses a user who turned the messages off (43101).
"""

from __future__ import annotations

import urllib.parse
from functools import cache
from typing import Any, Protocol

from services.outreach.dal import deliveries
from shared.errors import UpstreamUnavailable
from shared.settings import get_settings
from shared.wechat import API, STALE_TOKEN_ERRORS, AccessTokens, AppNotRegistered, post

FAKE_REFUSED_PREFIX = "blocked"


class ChannelRefused(Exception):
    """WeChat answered no for this recipient (for good): the send failed, it is not retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WechatMessages(Protocol):
    def send(self, tenant_id: str, channel: str, message_id: str, openid: str, content: dict[str, Any]) -> None: ...


def payload(channel: str, openid: str, content: dict[str, Any]) -> dict[str, Any]:
    """WeChat's request body for a filled template's content."""
    data = {name: {"value": value} for name, value in (content.get("data") or {}).items()}
    body: dict[str, Any] = {"touser": openid, "template_id": content["wechat_template_id"], "data": data}
    if channel == "wechat_template":
        if content.get("url"):
            body["url"] = content["url"]
        if content.get("miniprogram"):
            body["miniprogram"] = content["miniprogram"]
    elif content.get("page"):
        body["page"] = content["page"]
    return body


class FakeWechatMessages:
    def send(self, tenant_id: str, channel: str, message_id: str, openid: str, content: dict[str, Any]) -> None:
        if openid.startswith(FAKE_REFUSED_PREFIX):
            raise ChannelRefused("errcode_43101")
        deliveries.record_fake(tenant_id, message_id, channel, payload(channel, openid, content))


class WechatApiMessages:
    PATHS = {"wechat_template": "message/template/send", "wechat_subscribe": "message/subscribe/send"}

    def __init__(self) -> None:
        self.tokens = AccessTokens()

    def send(self, tenant_id: str, channel: str, message_id: str, openid: str, content: dict[str, Any]) -> None:
        app_id = str(content["app_id"])
        try:
            token = urllib.parse.quote(self.tokens.get(tenant_id, app_id))
        except AppNotRegistered:
            raise ChannelRefused("app_not_registered") from None
        result = post(f"{API}/{self.PATHS[channel]}?access_token={token}", payload(channel, openid, content))
        code = int(result.get("errcode") or 0)
        if code in STALE_TOKEN_ERRORS:
            self.tokens.forget(tenant_id, app_id)
            raise UpstreamUnavailable("The WeChat access token expired; retrying.")
        if code:
            raise ChannelRefused(f"errcode_{code}")


@cache
def messages() -> WechatMessages:
    return FakeWechatMessages() if get_settings().wechat_gateway == "fake" else WechatApiMessages()
