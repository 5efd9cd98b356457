"""Staff sign-in by WeCom web login (public routes: the caller has no token yet)."""

from __future__ import annotations

from typing import Annotated

from services.wecom.directory_models import StaffToken, WeComLoginUrl, WeComSignInRequest
from services.wecom.handlers.resolver import api
from services.wecom.logic import signin
from shared.params import Query

TenantQuery = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]


def _caller_origin() -> str | None:
    """The origin of the page asking: its ``Origin`` header, else the API's own origin."""
    origin = api.header("Origin")
    if origin and origin != "null":
        return origin
    host = api.header("Host")
    return f"{api.header('X-Forwarded-Proto') or 'https'}://{host}" if host else None


@api.route("GET /v1/auth/wecom/login-url", errors=(404,))
def login_url(
    tenant_id: TenantQuery,
    redirect_uri: Annotated[str, Query(min_length=1, max_length=1024)],
    corp_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
) -> WeComLoginUrl:
    """WeCom's web login page (QR code) for the tenant's corp and app; WeCom redirects to
    ``redirect_uri`` (on the asking page's origin, https) with ``code`` and ``state``."""
    return signin.login_url(tenant_id, corp_id, redirect_uri, _caller_origin())


@api.route("POST /v1/auth/wecom", errors=(401, 403, 404))
def sign_in(body: WeComSignInRequest) -> StaffToken:
    """The login code WeCom redirected with → a Siyu staff token for an active member of the
    tenant's directory (401: code or state unknown, used or expired; 403: not an active member)."""
    return signin.sign_in(body)
