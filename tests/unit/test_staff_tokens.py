"""Staff tokens as deployed: Cognito ID tokens verified against the pool's keys."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared.auth import keys, tokens
from shared.auth.authorizer import handler as authorize
from shared.auth.jwt import InvalidToken, RsaPublicKey, b64url_encode
from shared.auth.principal import StaffPrincipal
from shared.settings import Settings

ISSUER = "https://cognito-idp.ap-east-1.amazonaws.com/pool"
CLIENT = "console-client"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


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
    header = b64url_encode(json.dumps({"alg": "RS256", "kid": "k1"}).encode())
    payload = b64url_encode(json.dumps(claims).encode())
    signature = PRIVATE.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url_encode(signature)}"


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(stage="prod", staff_issuer=ISSUER, staff_audience=CLIENT, token_secret_arn="arn:secret")
    numbers = PRIVATE.public_key().public_numbers()
    public = RsaPublicKey(numbers.n, numbers.e)
    monkeypatch.setattr(tokens, "get_settings", lambda: settings)
    monkeypatch.setattr(keys, "staff_jwks", lambda issuer: {"k1": public} if issuer == ISSUER else {})
    monkeypatch.setattr(keys, "token_signing_key", lambda: b"member-key")


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
    from shared.auth.jwt import sign_hs256

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
        b"member-key",
    )
    with pytest.raises(InvalidToken):
        tokens.read_token(forged)
