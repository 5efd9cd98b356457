"""The channel gateway's outside end: sends a reply to a member's WeChat, and asks WeChat for a
sender's unionid.

In AWS it sends a WeChat customer-service message with a stable access token obtained with the
app's secret from Secrets Manager. The local stack uses the fake, which records each delivery in
the cases table so tests (and a developer) can see what would have reached the member.

The unionid of an official account's follower comes from ``cgi-bin/user/info`` (present when the
account is bound to an Open Platform account); a mini-program's server API gives none (its
openid is what contacts knows from the member's login). The fake reads it from the openid itself:
``<openid>~<unionid>`` (e.g. ``o-oa-1~u-1``) has the unionid ``u-1``; any other openid has none.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

from services.cases.dal import channel as channel_dal
from shared.errors import UpstreamUnavailable
from shared.events.cases import ChannelAddress
from shared.settings import get_settings
from shared.wechat import API, STALE_TOKEN_ERRORS, AccessTokens, AppNotRegistered, post

# WeChat's answers that mean "outside the customer-service window", not a fault.
WINDOW_ERRORS = {45015: "window_closed", 45047: "window_message_limit"}


class ChannelRefused(Exception):
    """The channel answered and said no (for good): the reply is held or failed, not retried."""

    def __init__(self, reason: str, held: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.held = held


FAKE_UNIONID_MARK = "~"


class ChannelGateway(Protocol):
    def send(self, tenant_id: str, address: ChannelAddress, message_id: str, body: str) -> None: ...

    def unionid(self, tenant_id: str, address: ChannelAddress) -> str | None: ...


class FakeChannelGateway:
    def send(self, tenant_id: str, address: ChannelAddress, message_id: str, body: str) -> None:
        channel_dal.record_fake_delivery(tenant_id, address, message_id, body)

    def unionid(self, tenant_id: str, address: ChannelAddress) -> str | None:
        if address.kind != "wechat_official_account":
            return None
        _, mark, unionid = address.openid.partition(FAKE_UNIONID_MARK)
        return unionid if mark and unionid else None


class WechatChannelGateway:
    def __init__(self) -> None:
        self.tokens = AccessTokens()

    def _token(self, tenant_id: str, app_id: str) -> str:
        try:
            return self.tokens.get(tenant_id, app_id)
        except AppNotRegistered:
            raise ChannelRefused("app_not_registered", held=False) from None

    def unionid(self, tenant_id: str, address: ChannelAddress) -> str | None:
        """The follower's unionid (``cgi-bin/user/info``); None when WeChat has none to give."""
        if address.kind != "wechat_official_account":
            return None
        import json
        import urllib.parse
        import urllib.request

        query = urllib.parse.urlencode(
            {"access_token": self._token(tenant_id, address.app_id), "openid": address.openid, "lang": "zh_CN"}
        )
        try:
            with urllib.request.urlopen(f"{API}/user/info?{query}", timeout=5) as answer:  # noqa: S310
                result: dict[str, Any] = json.loads(answer.read())
        except (OSError, ValueError) as error:
            raise UpstreamUnavailable("WeChat did not answer the user info request.") from error
        code = int(result.get("errcode") or 0)
        if code in STALE_TOKEN_ERRORS:
            self.tokens.forget(tenant_id, address.app_id)
            raise UpstreamUnavailable("The WeChat access token expired; retrying.")
        if code:
            raise ChannelRefused(str(code), held=False)
        unionid = result.get("unionid")
        return str(unionid) if unionid else None

    def send(self, tenant_id: str, address: ChannelAddress, message_id: str, body: str) -> None:
        import urllib.parse

        token = urllib.parse.quote(self._token(tenant_id, address.app_id))
        result = post(
            f"{API}/message/custom/send?access_token={token}",
            {"touser": address.openid, "msgtype": "text", "text": {"content": body}},
        )
        code = int(result.get("errcode") or 0)
        if code in WINDOW_ERRORS:
            raise ChannelRefused(WINDOW_ERRORS[code], held=True)
        if code in STALE_TOKEN_ERRORS:  # the token went stale: fetch a new one on the retry
            self.tokens.forget(tenant_id, address.app_id)
            raise UpstreamUnavailable("The WeChat access token expired; retrying.")
        if code:
            raise ChannelRefused(str(code), held=False)


@cache
def gateway() -> ChannelGateway:
    return FakeChannelGateway() if get_settings().wechat_gateway == "fake" else WechatChannelGateway()
