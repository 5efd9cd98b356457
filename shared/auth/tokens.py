"""Issuing and reading Siyu's tokens.

Members get tokens Siyu signs itself (HS256, key in Secrets Manager) after a WeChat login. Staff
tokens come from two issuers:

- Siyu itself, in every stage (ES256, issuer ``siyu-<stage>``, audience ``siyu-console``, keys
  derived from the seeds in the secret ``SIYU_STAFF_KEYS_SECRET_ARN`` names, public keys published
  at ``GET /v1/auth/jwks.json``): WeCom sign-in (``issue_staff_token``) and the operators'
  ``python -m ops.staff_tokens``;
- in AWS regions with Cognito, also the stage's user pool (RS256 ID tokens, verified against its
  JWKS), named by ``SIYU_STAFF_ISSUER``. Where Cognito does not exist (AWS China, the local stack)
  ``SIYU_STAFF_ISSUER`` names Siyu's own issuer.

The issuer is read from the token unverified only to choose the verification: each issuer has its
one algorithm and its own keys (Siyu's ES256 ring, Cognito's RS256 JWKS), so a token is never
accepted unverified, and a token signed by one cannot pass as the other's.

The local stack's dev-token route stands in for a sign-in: it signs with Siyu's staff issuer when
the local stack has its keys, and otherwise like member tokens (HS256, accepted only locally).
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from shared.auth import keys
from shared.auth.jwt import InvalidToken, sign_es256, sign_hs256, unverified_issuer, unverified_key_id, verify
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.auth.roles import STAFF_ROLES
from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from shared.auth.staff_keys import StaffSigningKey

STAFF_TOKEN_MAX_TTL_SECONDS = 12 * 3600
"""The longest a staff token Siyu issues may live: a minted token cannot be revoked before it expires."""
_CLOCK_SKEW_SECONDS = 30


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


def sign_staff_token(
    key: StaffSigningKey,
    principal: StaffPrincipal,
    *,
    issuer: str,
    audience: str,
    ttl_seconds: int,
    now: int | None = None,
) -> str:
    """A staff token from Siyu's own issuer, signed ES256 with ``key`` (the key ring's first)."""
    if not 0 < ttl_seconds <= STAFF_TOKEN_MAX_TTL_SECONDS:
        raise ValueError(f"a staff token lives 1 to {STAFF_TOKEN_MAX_TTL_SECONDS} seconds")
    roles = sorted(principal.roles)
    if not roles or not set(roles) <= STAFF_ROLES:
        raise ValueError(f"staff roles are some of {', '.join(sorted(STAFF_ROLES))}")
    issued = int(time.time()) if now is None else now
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": principal.staff_id,
        "kind": "staff",
        "tenant_id": principal.tenant_id,
        "roles": roles,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": secrets.token_urlsafe(16),
    }
    return sign_es256(claims, key.private_key, key.kid)


def siyu_staff_issuer(settings: Settings) -> tuple[str, str]:
    """The ``iss`` and ``aud`` of the staff tokens Siyu itself issues in the settings' stage."""
    from shared.auth.staff_keys import STAFF_AUDIENCE, staff_issuer_name

    return staff_issuer_name(settings.stage), STAFF_AUDIENCE


def issue_staff_token(principal: StaffPrincipal) -> tuple[str, datetime]:
    """A staff token from Siyu's own issuer (a WeCom sign-in), and when it expires. Every stage has
    the issuer's keys; a function given none is a wiring fault (loud)."""
    settings = get_settings()
    if not settings.staff_keys_secret_arn:
        raise RuntimeError("issuing staff tokens needs SIYU_STAFF_KEYS_SECRET_ARN")
    issuer, audience = siyu_staff_issuer(settings)
    ttl = min(settings.staff_token_ttl_seconds, STAFF_TOKEN_MAX_TTL_SECONDS)
    now = int(time.time())
    token = sign_staff_token(
        keys.staff_key_ring(settings.staff_keys_secret_arn)[0],
        principal,
        issuer=issuer,
        audience=audience,
        ttl_seconds=ttl,
        now=now,
    )
    return token, datetime.fromtimestamp(now + ttl, UTC)


def issue_dev_staff_token(principal: StaffPrincipal) -> str:
    """Local stack only: stands in for a staff sign-in."""
    settings = get_settings()
    if not settings.is_local:
        raise RuntimeError("dev tokens exist only in the local stack")
    ttl = min(settings.staff_token_ttl_seconds, STAFF_TOKEN_MAX_TTL_SECONDS)
    if _siyu_issues_staff_tokens(settings):
        issuer, audience = siyu_staff_issuer(settings)
        return sign_staff_token(
            keys.staff_key_ring(settings.staff_keys_secret_arn)[0],
            principal,
            issuer=issuer,
            audience=audience,
            ttl_seconds=ttl,
        )
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": principal.staff_id,
        "kind": "staff",
        "tenant_id": principal.tenant_id,
        "roles": sorted(principal.roles),
        "iat": now,
        "exp": now + ttl,
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
    if _siyu_issues_staff_tokens(settings) and issuer == siyu_staff_issuer(settings)[0]:
        return _read_siyu_staff_token(token, settings)
    if settings.staff_issuer and issuer == settings.staff_issuer:
        claims = verify(
            token,
            algorithm="RS256",
            issuer=settings.staff_issuer,
            audience=settings.staff_audience,
            public_keys=keys.cognito_jwks(settings.staff_issuer),
        )
        if claims.get("token_use") != "id":
            raise InvalidToken("a Cognito ID token is expected")
        return _staff(claims, claims.get("cognito:groups"), "custom:tenant_id")
    raise InvalidToken("unknown issuer")


def _siyu_issues_staff_tokens(settings: Settings) -> bool:
    if not settings.staff_keys_secret_arn:
        return False
    if not settings.staff_issuer or not settings.staff_audience:  # a wiring fault: loud, not a silent 401
        raise RuntimeError("SIYU_STAFF_KEYS_SECRET_ARN needs SIYU_STAFF_ISSUER and SIYU_STAFF_AUDIENCE")
    return True


def _read_siyu_staff_token(token: str, settings: Settings) -> StaffPrincipal:
    issuer, audience = siyu_staff_issuer(settings)
    claims = verify(
        token,
        algorithm="ES256",
        issuer=issuer,
        audience=audience,
        public_keys=keys.staff_verification_keys(settings.staff_keys_secret_arn, unverified_key_id(token)),
        required=("sub", "iat", "jti"),
    )
    if claims.get("kind") != "staff":
        raise InvalidToken("a staff token is expected")
    lifetime = claims["exp"] - claims["iat"] if _integers(claims["exp"], claims["iat"]) else None
    if lifetime is None or lifetime > STAFF_TOKEN_MAX_TTL_SECONDS + _CLOCK_SKEW_SECONDS:
        raise InvalidToken("a staff token lives at most 12 hours")
    return _staff(claims, claims.get("roles"), "tenant_id")


def _integers(*values: object) -> bool:
    return all(isinstance(value, int) and not isinstance(value, bool) for value in values)


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
