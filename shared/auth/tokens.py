"""Issuing and reading Siyu's tokens.

Members get tokens Siyu signs itself (HS256, key in Secrets Manager) after a WeChat login. Staff
tokens come from the Cognito user pool in AWS (RS256, verified against its JWKS) and, in the local
stack only, from the dev-token route, signed like member tokens.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from shared.auth import keys
from shared.auth.jwt import InvalidToken, sign_hs256, unverified_issuer, verify
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.auth.roles import STAFF_ROLES
from shared.settings import get_settings


def issue_member_token(principal: MemberPrincipal) -> tuple[str, datetime]:
    settings = get_settings()
    now = int(time.time())
    expires = now + settings.member_token_ttl_seconds
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": principal.contact_id,
        "kind": "member",
        "tenant_id": principal.tenant_id,
        "app_id": principal.app_id,
        "openid": principal.openid,
        "iat": now,
        "exp": expires,
    }
    return sign_hs256(claims, keys.token_signing_key()), datetime.fromtimestamp(expires, UTC)


def issue_dev_staff_token(principal: StaffPrincipal) -> str:
    """Local stack only: stands in for a Cognito sign-in."""
    settings = get_settings()
    if not settings.is_local:
        raise RuntimeError("dev tokens exist only in the local stack")
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": principal.staff_id,
        "kind": "staff",
        "tenant_id": principal.tenant_id,
        "roles": sorted(principal.roles),
        "iat": now,
        "exp": now + settings.staff_token_ttl_seconds,
    }
    return sign_hs256(claims, keys.token_signing_key())


def read_token(token: str) -> StaffPrincipal | MemberPrincipal:
    settings = get_settings()
    issuer = unverified_issuer(token)
    if issuer == settings.token_issuer:
        claims = verify(
            token,
            algorithm="HS256",
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            hmac_key=keys.token_signing_key(),
        )
        if claims.get("kind") == "member":
            return MemberPrincipal(
                tenant_id=_text(claims, "tenant_id"),
                contact_id=_text(claims, "sub"),
                app_id=str(claims.get("app_id", "")),
                openid=str(claims.get("openid", "")),
            )
        if claims.get("kind") == "staff" and settings.is_local:
            return _staff(claims, claims.get("roles"), "tenant_id")
        raise InvalidToken("unknown token kind")
    if settings.staff_issuer and issuer == settings.staff_issuer:
        claims = verify(
            token,
            algorithm="RS256",
            issuer=settings.staff_issuer,
            audience=settings.staff_audience,
            rsa_keys=keys.staff_jwks(settings.staff_issuer),
        )
        if claims.get("token_use") != "id":
            raise InvalidToken("a Cognito ID token is expected")
        return _staff(claims, claims.get("cognito:groups"), "custom:tenant_id")
    raise InvalidToken("unknown issuer")


def _text(claims: dict[str, object], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidToken(f"claim {name} is missing")
    return value


def _staff(claims: dict[str, object], roles: object, tenant_claim: str) -> StaffPrincipal:
    granted = frozenset(str(role) for role in roles) & STAFF_ROLES if isinstance(roles, list) else frozenset()
    if not granted:
        raise InvalidToken("no staff role")
    return StaffPrincipal(tenant_id=_text(claims, tenant_claim), staff_id=_text(claims, "sub"), roles=granted)
