"""Staff sign-in by WeCom web login (企业微信扫码登录): the login URL, then code → userid → the
directory's member → a Siyu staff token from Siyu's own issuer (every stage has it).

- The login URL is WeCom's (``login.work.weixin.qq.com/wwlogin/sso/login``, ``CorpApp``) for the
  tenant's corp and self-built app, with a ``state`` Siyu stores for 10 minutes and takes back once.
- ``redirect_uri`` must be on the origin of the page that asks (the request's ``Origin``, or the
  API's own origin when the page is served with it, as in the local stack), over https (http only
  to a loopback host in the local stack), without credentials or fragment. WeCom itself redirects
  only to the app's trusted domain (可信域名), which the admin sets to the console's domain.
- Only an ``active`` member of the tenant's directory signs in: one WeCom does not know, or not in
  the directory, is refused 403 ``unknown_staff``; a disabled, not activated or departed member
  403 ``staff_<status>`` (a departed member can never sign in). A code or state that is unknown,
  used or expired is 401. The token carries the member's Siyu roles (``StaffMember.roles``).
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

from services.wecom.dal import directory as directory_dal
from services.wecom.dal import settings as settings_dal
from services.wecom.directory_models import StaffToken, WeComLoginUrl, WeComSignInRequest
from shared.auth import tokens
from shared.auth.principal import StaffPrincipal
from shared.clock import rfc3339
from shared.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from shared.settings import get_settings

LOGIN_PAGE = "https://login.work.weixin.qq.com/wwlogin/sso/login"
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _bad_redirect(detail: str) -> Unprocessable:
    return Unprocessable(detail, [{"loc": ["query", "redirect_uri"], "msg": detail}])


def checked_redirect(redirect_uri: str, caller_origin: str | None) -> str:
    """The redirect URI when the rules above allow it; 422 otherwise."""
    parts = urlsplit(redirect_uri)
    local = get_settings().is_local
    secure = parts.scheme == "https" or (parts.scheme == "http" and local and parts.hostname in LOOPBACK)
    if not secure or not parts.hostname:
        raise _bad_redirect("redirect_uri must be an https URL.")
    if parts.username or parts.password or parts.fragment:
        raise _bad_redirect("redirect_uri may carry no credentials and no fragment.")
    if caller_origin is None:
        raise _bad_redirect("The caller's origin is unknown (no Origin or Host header).")
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if origin != caller_origin.rstrip("/").lower():
        raise _bad_redirect("redirect_uri must be on the origin of the page signing in.")
    return redirect_uri


def login_url(tenant_id: str, corp_id: str | None, redirect_uri: str, caller_origin: str | None) -> WeComLoginUrl:
    redirect = checked_redirect(redirect_uri, caller_origin)
    credentials = settings_dal.credentials(tenant_id, corp_id)
    if credentials is None:
        raise NotFound("No WeCom corp is set up for this tenant.")
    if credentials.agent_id is None:
        raise Unprocessable(
            "The tenant's WeCom settings have no agent id: web sign-in needs the self-built app.",
            [{"loc": ["query", "tenant_id"], "msg": "the corp has no agent_id"}],
        )
    state = secrets.token_urlsafe(24)
    directory_dal.put_signin_state(tenant_id, state, credentials.corp_id, redirect)
    query = {
        "login_type": "CorpApp",
        "appid": credentials.corp_id,
        "agentid": str(credentials.agent_id),
        "redirect_uri": redirect,
        "state": state,
    }
    expires = datetime.fromtimestamp(int(time.time()) + directory_dal.SIGNIN_STATE_SECONDS, UTC)
    return WeComLoginUrl(
        url=f"{LOGIN_PAGE}?{urlencode(query, quote_via=quote)}", state=state, expires_at=rfc3339(expires)
    )


def sign_in(request: WeComSignInRequest) -> StaffToken:
    from services.wecom.gateways import client as wecom_api

    record = directory_dal.take_signin_state(request.tenant_id, request.state)
    if record is None or int(record.get("expires_at", 0)) < time.time():
        raise Unauthorized("The sign-in state is unknown, used or expired: start again.", reason="invalid_state")
    credentials = settings_dal.credentials(request.tenant_id, str(record["corp_id"]))
    if credentials is None:
        raise Unauthorized("WeCom is no longer set up for this tenant.", reason="wecom_not_set_up")
    try:
        userid = wecom_api.client().get_user_by_login_code(credentials, request.code)
    except wecom_api.WeComApiError as error:
        if error.errcode == 60111:  # a WeChat user, not a member of the corp
            raise Forbidden("Only members of the brand's WeCom may sign in.", reason="unknown_staff") from None
        raise Unauthorized("WeCom did not accept the login code: start again.", reason="invalid_code") from None
    member = directory_dal.get_staff(request.tenant_id, userid)
    if member is None or member.corp_id != credentials.corp_id:
        raise Forbidden("This WeCom member is not in the tenant's staff directory.", reason="unknown_staff")
    if member.status != "active":
        raise Forbidden(f"This staff member is {member.status} and may not sign in.", reason=f"staff_{member.status}")
    roles = member.roles
    principal = StaffPrincipal(tenant_id=request.tenant_id, staff_id=member.staff_id, roles=frozenset(roles))
    token, expires = tokens.issue_staff_token(principal)
    return StaffToken(token=token, staff_id=member.staff_id, roles=roles, expires_at=rfc3339(expires))
