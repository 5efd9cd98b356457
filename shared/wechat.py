"""WeChat's server API for the gateways that speak to it (outreach's template and subscribe
messages): an app's stable access token, cached per tenant and app, and a JSON POST.

The app secret comes from the platform's WeChat secret (``SIYU_WECHAT_SECRET_ARN``, entries named
``<tenant_id>/<app_id>``). The stable token endpoint does not invalidate the tokens other
functions hold. Imported only by functions that send: HTTP is imported when first used.
"""

from __future__ import annotations

import json
import time
from typing import Any

from shared.errors import UpstreamUnavailable
from shared.settings import get_settings

API = "https://api.weixin.qq.com/cgi-bin"
STABLE_TOKEN_URL = f"{API}/stable_token"
STALE_TOKEN_ERRORS = frozenset({40001, 42001})


class AppNotRegistered(Exception):
    """The tenant has no secret for this app: nothing can be sent through it."""


def post(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - a fixed https endpoint
        url, data=json.dumps(payload, ensure_ascii=False).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            result: dict[str, Any] = json.loads(answer.read())
    except (OSError, ValueError) as error:
        raise UpstreamUnavailable("WeChat did not answer; it will be retried.") from error
    return result


class AccessTokens:
    """Each app's stable access token, fetched when missing or about to expire."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}

    def get(self, tenant_id: str, app_id: str) -> str:
        name = f"{tenant_id}/{app_id}"
        cached = self._tokens.get(name)
        if cached and cached[1] > time.time() + 60:
            return cached[0]
        from shared.auth import keys

        secret = keys.secret_json(get_settings().wechat_secret_arn).get(name)
        if not secret:
            raise AppNotRegistered(name)
        result = post(STABLE_TOKEN_URL, {"grant_type": "client_credential", "appid": app_id, "secret": secret})
        if not result.get("access_token"):
            raise UpstreamUnavailable("WeChat gave no access token; it will be retried.")
        self._tokens[name] = (str(result["access_token"]), time.time() + int(result.get("expires_in", 7200)))
        return str(result["access_token"])

    def forget(self, tenant_id: str, app_id: str) -> None:
        """A call answered that the token went stale: the next call fetches a new one."""
        self._tokens.pop(f"{tenant_id}/{app_id}", None)
