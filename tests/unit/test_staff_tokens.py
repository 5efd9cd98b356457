"""Staff tokens as deployed: Cognito ID tokens verified against the pool's keys; member tokens signed by Siyu."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
import urllib.request
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import keys, tokens
from shared.auth.authorizer import handler as authorize
from shared.auth.jwt import InvalidToken, rsa_public_key, sign_hs256, verify
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.settings import Settings

ISSUER = "https://cognito-idp.ap-east-1.amazonaws.com/pool"
CLIENT = "console-client"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
MEMBER_KEY = b"member-key-member-key-member-key"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def published_jwk(private: rsa.RSAPrivateKey = PRIVATE, kid: str = "k1") -> dict[str, str]:
    numbers = private.public_key().public_numbers()
    return {
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "use": "sig",
        "n": b64url(numbers.n.to_bytes(256, "big")),
        "e": b64url(numbers.e.to_bytes(3, "big")),
    }


def cognito_token(**overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "sub": "staff-9",
        "custom:tenant_id": "t-cog",
        "cognito:groups": ["manager", "not-a-role"],
        "iat": now,
        "exp": now + 600,
    } | overrides
    return pyjwt.encode(claims, PRIVATE, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(stage="prod", staff_issuer=ISSUER, staff_audience=CLIENT, token_secret_arn="arn:secret")
    public = rsa_public_key(published_jwk())
    monkeypatch.setattr(tokens, "get_settings", lambda: settings)
    monkeypatch.setattr(keys, "cognito_jwks", lambda issuer: {"k1": public} if issuer == ISSUER else {})
    monkeypatch.setattr(keys, "token_signing_key", lambda: MEMBER_KEY)


def test_a_cognito_id_token_becomes_a_staff_principal(deployed: None) -> None:
    principal = tokens.read_token(cognito_token())
    assert principal == StaffPrincipal(tenant_id="t-cog", staff_id="staff-9", roles=frozenset({"manager"}))
    decision = authorize({"headers": {"authorization": f"Bearer {cognito_token()}"}}, None)
    assert decision == {
        "isAuthorized": True,
        "context": {"kind": "staff", "tenant_id": "t-cog", "staff_id": "staff-9", "roles": "manager"},
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"token_use": "access"},
        {"aud": "other"},
        {"cognito:groups": []},
        {"custom:tenant_id": ""},
        {"exp": int(time.time()) - 120},
    ],
)
def test_other_cognito_tokens_are_refused(deployed: None, overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        tokens.read_token(cognito_token(**overrides))
    assert authorize({"headers": {"authorization": f"Bearer {cognito_token(**overrides)}"}}, None)["context"] == {
        "kind": "anonymous"
    }


def test_dev_style_staff_tokens_are_refused_outside_the_local_stack(deployed: None) -> None:
    now = int(time.time())
    forged = sign_hs256(
        {
            "iss": "siyu",
            "aud": "siyu-api",
            "kind": "staff",
            "sub": "x",
            "tenant_id": "t",
            "roles": ["admin"],
            "iat": now,
            "exp": now + 60,
        },
        MEMBER_KEY,
    )
    with pytest.raises(InvalidToken):
        tokens.read_token(forged)


def test_a_cognito_token_signed_hs256_with_the_pools_public_key_is_refused(deployed: None) -> None:
    _, payload, _ = cognito_token().split(".")
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    for secret in (published_jwk()["n"].encode(), json.dumps(published_jwk()).encode()):
        signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        with pytest.raises(InvalidToken):
            tokens.read_token(f"{header}.{payload}.{b64url(signature)}")


def test_member_tokens_round_trip_and_other_keys_are_refused(deployed: None) -> None:
    member = MemberPrincipal(tenant_id="t-1", contact_id="c-1", app_id="wx1", openid="o-1")
    token, _ = tokens.issue_member_token(member)
    assert tokens.read_token(token) == member
    claims = pyjwt.decode(token, options={"verify_signature": False})
    with pytest.raises(InvalidToken):
        tokens.read_token(sign_hs256(claims, b"not-the-member-key-not-the-member-key"))
    with pytest.raises(InvalidToken):  # an RS256 token under Siyu's own issuer
        tokens.read_token(pyjwt.encode(claims, PRIVATE, algorithm="RS256", headers={"kid": "k1"}))
    with pytest.raises(InvalidToken):
        tokens.read_token(pyjwt.encode(claims | {"iss": "https://elsewhere"}, MEMBER_KEY, algorithm="HS256"))


def test_the_staff_issuers_published_keys_are_read_and_unusable_ones_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "keys": [
            published_jwk(kid="k1"),
            published_jwk(kid="bad") | {"n": ""},
            published_jwk(kid="enc") | {"use": "enc"},
            {"kty": "EC", "kid": "ec", "alg": "ES256", "crv": "P-256", "x": "", "y": ""},
        ]
    }
    fetched: list[str] = []

    def urlopen(url: str, timeout: float) -> io.BytesIO:
        fetched.append(url)
        return io.BytesIO(json.dumps(document).encode())

    keys.clear_caches()
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    try:
        published = keys.cognito_jwks(ISSUER)
        assert set(published) == {"k1"}
        assert keys.cognito_jwks(ISSUER) is published  # cached: one fetch
        assert fetched == [f"{ISSUER}/.well-known/jwks.json"]
        token = cognito_token()
        claims = verify(token, algorithm="RS256", issuer=ISSUER, audience=CLIENT, public_keys=published)
        assert claims["sub"] == "staff-9"
    finally:
        keys.clear_caches()
