"""WeChat sign-in codes → the user's openid (and unionid): a mini-program login code through
``jscode2session``; a web-page OAuth code (the member H5 opened in WeChat, ``snsapi_base``) through
``sns/oauth2/access_token``. Both answer the openid under the app that issued the code.

A mini-program's phone number button (``getPhoneNumber``) gives a one-time code that
``wxa/business/getuserphonenumber`` exchanges for the number the user confirmed to WeChat; it is
called with the app's access token (``cgi-bin/stable_token``, which does not invalidate the tokens
other functions hold).

In AWS it calls WeChat with the app secret from Secrets Manager. The local stack uses the fake,
in which the code ``dev:<openid>`` or ``dev:<openid>:<unionid>`` yields that identity, and the
phone code ``dev-phone:<number>`` yields that number (e.g. ``dev-phone:13800138000``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from shared.errors import Unauthorized, Unprocessable, UpstreamUnavailable
from shared.settings import get_settings
from shared.wechat import STALE_TOKEN_ERRORS, AccessTokens, AppNotRegistered, post

CODE2SESSION_URL = "https://api.weixin.qq.com/sns/jscode2session"
WEB_OAUTH_URL = "https://api.weixin.qq.com/sns/oauth2/access_token"
PHONE_NUMBER_URL = "https://api.weixin.qq.com/wxa/business/getuserphonenumber"
FAKE_PHONE_PREFIX = "dev-phone:"
# Where each kind of code is exchanged, and the name WeChat gives the code there.
EXCHANGES: dict[str, tuple[str, str]] = {"mini_program": (CODE2SESSION_URL, "js_code"), "web": (WEB_OAUTH_URL, "code")}


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None


class WechatGateway(Protocol):
    def code_to_session(self, tenant_id: str, app_id: str, code: str, kind: str = "mini_program") -> WechatSession: ...

    def phone_number(self, tenant_id: str, app_id: str, code: str) -> str:
        """The phone number (E.164 when WeChat gives its country code) a getPhoneNumber code stands for."""
        ...


def _refused_phone_code(detail: str) -> Unprocessable:
    return Unprocessable(detail, [{"loc": ["body", "code"], "msg": "not a valid phone number code"}])


class FakeWechatGateway:
    def code_to_session(self, tenant_id: str, app_id: str, code: str, kind: str = "mini_program") -> WechatSession:
        parts = code.split(":")
        if len(parts) not in (2, 3) or parts[0] != "dev" or not all(parts[1:]):
            raise Unauthorized("The login code is not valid (the local fake accepts dev:<openid>[:<unionid>]).")
        return WechatSession(openid=parts[1], unionid=parts[2] if len(parts) == 3 else None)

    def phone_number(self, tenant_id: str, app_id: str, code: str) -> str:
        number = code.removeprefix(FAKE_PHONE_PREFIX)
        if number == code or not number:
            raise _refused_phone_code(f"The phone code is not valid (the fake accepts {FAKE_PHONE_PREFIX}<number>).")
        return number


class WechatApiGateway:
    def __init__(self) -> None:
        self.tokens = AccessTokens()

    def code_to_session(self, tenant_id: str, app_id: str, code: str, kind: str = "mini_program") -> WechatSession:
        # Only the login route calls WeChat: the other routes do not pay for the HTTP client.
        import urllib.parse
        import urllib.request

        from shared.auth import keys

        secrets = keys.secret_json(get_settings().wechat_secret_arn)
        app_secret = secrets.get(f"{tenant_id}/{app_id}")  # apps are registered per tenant
        if not app_secret:
            raise Unauthorized("This app is not registered for the tenant.")
        url, code_name = EXCHANGES[kind]
        query = urllib.parse.urlencode(
            {"appid": app_id, "secret": app_secret, code_name: code, "grant_type": "authorization_code"}
        )
        try:
            with urllib.request.urlopen(f"{url}?{query}", timeout=5) as answer:  # noqa: S310
                result = json.loads(answer.read())
        except (OSError, ValueError) as error:
            raise UpstreamUnavailable("WeChat did not answer; try again.") from error
        if result.get("errcode") or not result.get("openid"):
            raise Unauthorized("WeChat refused the login code.")
        return WechatSession(openid=result["openid"], unionid=result.get("unionid"))

    def phone_number(self, tenant_id: str, app_id: str, code: str) -> str:
        import urllib.parse

        try:
            token = self.tokens.get(tenant_id, app_id)
        except AppNotRegistered:
            raise Unauthorized("This app is not registered for the tenant.") from None
        url = f"{PHONE_NUMBER_URL}?access_token={urllib.parse.quote(token)}"
        result = post(url, {"code": code})
        if int(result.get("errcode") or 0) in STALE_TOKEN_ERRORS:  # a stale token: the next call fetches one
            self.tokens.forget(tenant_id, app_id)
            raise UpstreamUnavailable("The WeChat access token expired; try again.")
        info = result.get("phone_info") or {}
        if result.get("errcode") or not info.get("purePhoneNumber"):
            raise _refused_phone_code("WeChat refused the phone code.")
        country = str(info.get("countryCode") or "").lstrip("+")
        return f"+{country}{info['purePhoneNumber']}" if country else str(info["purePhoneNumber"])


@cache
def gateway() -> WechatGateway:
    return FakeWechatGateway() if get_settings().wechat_gateway == "fake" else WechatApiGateway()
