"""Staff sign-in by WeCom web login: the login URL, a fake login code → a Siyu staff token that
works on staff routes with the member's mapped roles; departed, unknown and replayed sign-ins
refused. And the authorizer where Cognito exists: Siyu's own issuer accepted beside Cognito's,
each only with its own keys."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from services.wecom.handlers import signin_routes  # noqa: F401 - registers the routes (until api.py lists them)
from services.wecom.logic import directory
from shared.auth import keys, tokens
from shared.auth.authorizer import handler as authorize
from shared.auth.jwt import InvalidToken, rsa_public_key, sign_es256
from shared.auth.principal import StaffPrincipal
from shared.auth.staff_keys import STAFF_AUDIENCE, derive_signing_key, staff_issuer_name
from shared.settings import Settings
from tests.unit.conftest import Client
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_directory import apply
from tests.unit.test_wecom_flow import ready

ORIGIN = "http://127.0.0.1:8000"
REDIRECT = f"{ORIGIN}/console/auth/wecom"


def login_state(client: Client, tenant: str) -> str:
    answer = client.get(
        f"/v1/auth/wecom/login-url?tenant_id={tenant}&redirect_uri={quote(REDIRECT, safe='')}",
        headers={"Origin": ORIGIN},
    )
    assert answer.status == 200, answer.body
    url = urlsplit(answer.json["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://login.work.weixin.qq.com/wwlogin/sso/login"
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert query == {
        "login_type": "CorpApp",
        "appid": corp_of(tenant),
        "agentid": "1000002",
        "redirect_uri": REDIRECT,
        "state": answer.json["state"],
    }
    return str(answer.json["state"])


def sign_in(client: Client, tenant: str, userid: str, state: str | None = None) -> Any:
    code = client.post("/v1/dev/wecom/login-codes", json_body={"corp_id": corp_of(tenant), "userid": userid})
    assert code.status == 200, code.body
    body = {"tenant_id": tenant, "code": code.json["code"], "state": state or login_state(client, tenant)}
    return client.post("/v1/auth/wecom", json_body=body)


def test_a_wecom_sign_in_yields_a_token_with_the_members_roles(client: Client, tenant: str) -> None:
    ready(client, tenant)
    at = int(time.time())
    apply(tenant, "create_user", at, UserID="guide9", Name="导购", Department="1", IsLeaderInDept="0", Status="1")
    apply(tenant, "create_user", at, UserID="lead9", Name="店长", Department="1", IsLeaderInDept="1", Status="1")

    answer = sign_in(client, tenant, "guide9")
    assert answer.status == 200, answer.body
    assert (answer.json["staff_id"], answer.json["roles"]) == ("guide9", ["guide"])
    token = answer.json["token"]
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"], claims["sub"], claims["tenant_id"]) == (
        staff_issuer_name("local"),
        STAFF_AUDIENCE,
        "guide9",
        tenant,
    )
    assert pyjwt.get_unverified_header(token)["alg"] == "ES256"
    assert datetime.fromisoformat(answer.json["expires_at"].replace("Z", "+00:00")) > datetime.now(UTC)
    # The token works on staff routes, with a guide's reach: their own relationships only.
    assert client.get("/v1/wecom/relationships", token=token).status == 200
    assert client.get("/v1/wecom/relationships?staff_id=lead9", token=token).status == 403
    leader = sign_in(client, tenant, "lead9")
    assert leader.json["roles"] == ["manager"]
    assert client.get("/v1/wecom/relationships?staff_id=guide9", token=leader.json["token"]).status == 200


def test_sign_ins_that_must_not_succeed_are_refused(client: Client, tenant: str) -> None:
    ready(client, tenant)
    at = int(time.time())
    apply(tenant, "create_user", at, UserID="gone1", Name="离职", Department="1", IsLeaderInDept="0", Status="1")
    apply(tenant, "delete_user", at + 1, UserID="gone1")
    apply(tenant, "create_user", at, UserID="off1", Name="停用", Department="1", IsLeaderInDept="0", Status="2")
    apply(tenant, "create_user", at, UserID="ok1", Name="在职", Department="1", IsLeaderInDept="0", Status="1")

    def refused(answer: Any, status: int, reason: str) -> None:
        assert (answer.status, answer.json.get("reason")) == (status, reason), answer.body
        assert answer.headers["Content-Type"].startswith("application/problem+json")

    refused(sign_in(client, tenant, "gone1"), 403, "staff_departed")
    refused(sign_in(client, tenant, "off1"), 403, "staff_disabled")
    refused(sign_in(client, tenant, "stranger"), 403, "unknown_staff")
    # A state is single use; a code too; a made-up code is refused.
    state = login_state(client, tenant)
    assert sign_in(client, tenant, "ok1", state).status == 200
    refused(sign_in(client, tenant, "ok1", state), 401, "invalid_state")
    body = {"tenant_id": tenant, "code": "made-up-code", "state": login_state(client, tenant)}
    refused(client.post("/v1/auth/wecom", json_body=body), 401, "invalid_code")
    assert client.post("/v1/auth/wecom", json_body={"tenant_id": tenant, "code": "x"}).status == 422
    # The redirect must be on the asking page's origin, over https (http for loopback, locally).
    base = f"/v1/auth/wecom/login-url?tenant_id={tenant}&redirect_uri="
    for redirect, origin in (
        ("https://evil.example/cb", ORIGIN),
        ("http://shop.example/cb", "http://shop.example"),
        (f"{ORIGIN}/cb#frag", ORIGIN),
        ("javascript:alert(1)", ORIGIN),
    ):
        answer = client.get(f"{base}{quote(redirect, safe='')}", headers={"Origin": origin})
        assert answer.status == 422, (redirect, answer.body)
    unknown = f"/v1/auth/wecom/login-url?tenant_id={tenant}-none&redirect_uri={quote(REDIRECT, safe='')}"
    assert client.get(unknown, headers={"Origin": ORIGIN}).status == 404
    assert client.get(unknown.replace("-none", "")).status == 422  # no Origin, no Host: whose page?
    assert directory.get(tenant, "ok1").status == "active"


# The authorizer where Cognito exists ------------------------------------------------------------
COGNITO = "https://cognito-idp.ap-east-1.amazonaws.com/pool"
SEED = "A7rQ2mZk9vX4pL1sT8wN3bY6cF0hJ5dG2eK7uR9iO4aS1qW8zE3xC6vB0nM5lP2t"
OTHER_SEED = "Cz9Xy8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih0Gf9Ed8Cb7Aa6Zz5Yy4Xx3Ww2Vv1Uu0Tt9s"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
STAFF = StaffPrincipal(tenant_id="brand-1", staff_id="alice", roles=frozenset({"guide"}))


@pytest.fixture
def global_stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A global stage as the platform stack now wires its authorizer: Cognito, and Siyu's keys."""
    settings = Settings(
        stage="prod",
        staff_issuer=COGNITO,
        staff_audience="console-client",
        staff_keys_secret_arn="arn:staff-keys",
        token_secret_arn="arn:member-key",
    )
    secrets = SimpleNamespace(get_secret_value=lambda SecretId: {"SecretString": f'{{"signing_seed": "{SEED}"}}'})
    keys.clear_caches()
    monkeypatch.setattr(tokens, "get_settings", lambda: settings)
    monkeypatch.setattr(keys, "get_settings", lambda: settings)
    monkeypatch.setattr(keys, "aws", SimpleNamespace(client=lambda name: secrets))
    numbers = RSA_KEY.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "kid": "k1",
        "alg": "RS256",
        "n": pyjwt.utils.base64url_encode(numbers.n.to_bytes(256, "big")).decode(),
        "e": pyjwt.utils.base64url_encode(numbers.e.to_bytes(3, "big")).decode(),
    }
    monkeypatch.setattr(keys, "cognito_jwks", lambda issuer: {"k1": rsa_public_key(jwk)} if issuer == COGNITO else {})
    yield
    keys.clear_caches()


def context(token: str) -> dict[str, Any]:
    return dict(authorize({"headers": {"authorization": f"Bearer {token}"}}, None)["context"])


def siyu_token(seed: str = SEED, **overrides: Any) -> str:
    key = derive_signing_key(seed)
    token = tokens.sign_staff_token(
        key, STAFF, issuer=staff_issuer_name("prod"), audience=STAFF_AUDIENCE, ttl_seconds=600
    )
    claims = pyjwt.decode(token, options={"verify_signature": False}) | overrides
    return sign_es256(claims, key.private_key, key.kid)


def test_where_cognito_exists_siyus_own_staff_tokens_are_accepted_too(global_stage: None) -> None:
    now = int(time.time())
    cognito = pyjwt.encode(
        {
            "iss": COGNITO,
            "aud": "console-client",
            "token_use": "id",
            "sub": "bob",
            "custom:tenant_id": "brand-1",
            "cognito:groups": ["admin"],
            "iat": now,
            "exp": now + 600,
        },
        RSA_KEY,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    assert context(cognito)["staff_id"] == "bob"
    issued, _ = tokens.issue_staff_token(STAFF)  # what a WeCom sign-in returns in this stage
    assert context(issued) == {"kind": "staff", "tenant_id": "brand-1", "staff_id": "alice", "roles": "guide"}
    assert context(siyu_token())["staff_id"] == "alice"
    # Each issuer only with its own keys and algorithm: nothing unverified passes.
    for forged in (
        siyu_token(OTHER_SEED),  # a key not in Siyu's ring
        siyu_token(iss=COGNITO),  # Siyu-signed under Cognito's name
        siyu_token(aud="console-client"),
        siyu_token(iss="siyu-dev"),
        pyjwt.encode({"iss": staff_issuer_name("prod"), "sub": "x"}, RSA_KEY, algorithm="RS256"),
    ):
        with pytest.raises(InvalidToken):
            tokens.read_token(forged)
        assert context(forged) == {"kind": "anonymous"}
