"""Siyu as its own staff token issuer (stages without Cognito, such as AWS China): keys derived from
the seeds in Secrets Manager, tokens the authorizer accepts and refuses, rotation, the published
JWKS, the operators' minting command, and the local stack's dev tokens on the same issuer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ops import staff_tokens
from services.platform import keys_routes
from services.platform.service import STAFF_JWKS_PATH
from shared import aws
from shared.auth import keys, tokens
from shared.auth.authorizer import handler as authorize
from shared.auth.jwt import InvalidToken, sign_es256, sign_hs256
from shared.auth.principal import StaffPrincipal
from shared.auth.staff_keys import (
    STAFF_AUDIENCE,
    StaffKeyError,
    derive_signing_key,
    key_ring,
    staff_issuer_name,
    staff_keys_secret_name,
    thumbprint,
)
from shared.settings import Settings, get_settings
from tests.unit.conftest import Client

ISSUER = staff_issuer_name("prod")
SEED_A = "A7rQ2mZk9vX4pL1sT8wN3bY6cF0hJ5dG2eK7uR9iO4aS1qW8zE3xC6vB0nM5lP2t"
SEED_B = "Bq4Wm8Zt2Lx7Rk1Pv9Ns3Hc6Gf0Jd5Ye8Tu2Io7Ka4Sb1Qw6Ze3Xr9Cv0Nm5Lp2y"
SEED_C = "Cz9Xy8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih0Gf9Ed8Cb7Aa6Zz5Yy4Xx3Ww2Vv1Uu0Tt9s"
MEMBER_KEY = b"member-key-member-key-member-key"
STAFF = StaffPrincipal(tenant_id="brand-1", staff_id="alice", roles=frozenset({"admin", "manager"}))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def bearer(token: str) -> dict[str, Any]:
    return {"headers": {"authorization": f"Bearer {token}"}}


class FakeSecretsManager:
    """The staff keys secret as Secrets Manager would answer it, counting reads."""

    def __init__(self, value: dict[str, str]) -> None:
        self.value = value
        self.reads = 0

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        assert SecretId == "arn:staff-keys"
        self.reads += 1
        return {"SecretString": json.dumps(self.value)}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(keys, "clock", fake)
    return fake


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Run the token code with these settings, as a function given these variables would."""
    monkeypatch.setattr(tokens, "get_settings", lambda: settings)
    monkeypatch.setattr(keys, "get_settings", lambda: settings)


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[FakeSecretsManager]:
    """A China stage: Siyu issues staff tokens, its seeds in a secret."""
    fake = FakeSecretsManager({"signing_seed": SEED_A})
    keys.clear_caches()
    use(
        monkeypatch,
        Settings(
            stage="prod",
            staff_issuer=ISSUER,
            staff_audience=STAFF_AUDIENCE,
            staff_keys_secret_arn="arn:staff-keys",
            token_secret_arn="arn:member-key",
        ),
    )
    monkeypatch.setattr(keys, "aws", SimpleNamespace(client=lambda name: fake))
    monkeypatch.setattr(keys, "token_signing_key", lambda: MEMBER_KEY)
    yield fake
    keys.clear_caches()


def mint(seed: str = SEED_A, principal: StaffPrincipal = STAFF, ttl: int = 3600, **overrides: Any) -> str:
    """A token as the operators' command signs it (its key from ``seed``), with claims overridden."""
    key = derive_signing_key(seed)
    token = tokens.sign_staff_token(key, principal, issuer=ISSUER, audience=STAFF_AUDIENCE, ttl_seconds=ttl)
    if not overrides:
        return token
    claims = pyjwt.decode(token, options={"verify_signature": False}) | overrides
    return sign_es256({name: value for name, value in claims.items() if value is not None}, key.private_key, key.kid)


def accepted(token: str) -> bool:
    decision = authorize(bearer(token), None)
    assert decision["isAuthorized"] is True  # never a bare 403: the function answers 401 for anonymous
    return bool(decision["context"]["kind"] != "anonymous")


# The keys --------------------------------------------------------------------------------------
def _hkdf_sha256(seed: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 written out, to check the derivation against the spec rather than against itself."""
    prk = hmac.new(b"\0" * 32, seed, hashlib.sha256).digest()
    blocks, block = b"", b""
    for counter in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        blocks += block
    return blocks[:length]


def test_a_seed_always_yields_the_same_key_as_its_documented_derivation() -> None:
    key = derive_signing_key(SEED_A)
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # of P-256 (FIPS 186-4)
    material = _hkdf_sha256(SEED_A.encode(), b"siyu staff token signing key v1: ES256 (P-256)", 48)
    expected = ec.derive_private_key(int.from_bytes(material, "big") % (order - 1) + 1, ec.SECP256R1())
    assert key.private_key.private_numbers() == expected.private_numbers()
    # Pinned: a change here re-keys every China stage and signs every staff member out.
    assert key.kid == "DxUqbk5krkNjRBV3TwFV8AVbXK74tqjzw7aie0sxnbQ"
    assert derive_signing_key(SEED_B).kid != key.kid
    assert repr(key) == f"StaffSigningKey(kid={key.kid!r})"  # a log line never carries the private key


def test_the_key_id_is_the_rfc7638_thumbprint_of_the_public_key() -> None:
    jwk = derive_signing_key(SEED_A).public_jwk
    numbers = derive_signing_key(SEED_A).private_key.public_key().public_numbers()
    assert (jwk["x"], jwk["y"]) == (b64url(numbers.x.to_bytes(32, "big")), b64url(numbers.y.to_bytes(32, "big")))
    canonical = f'{{"crv":"P-256","kty":"EC","x":"{jwk["x"]}","y":"{jwk["y"]}"}}'
    assert jwk["kid"] == b64url(hashlib.sha256(canonical.encode()).digest()) == thumbprint(jwk)
    assert {"d"} & set(jwk) == set()  # never the private part


@pytest.mark.parametrize(
    "value",
    [{}, {"signing_seed": "too-short"}, {"signing_seed": 7}, {"signing_seed": SEED_A, "previous_signing_seed": 7}],
)
def test_a_secret_without_a_usable_seed_is_a_deployment_fault(value: dict[str, Any]) -> None:
    with pytest.raises(StaffKeyError):
        key_ring(value)


def test_the_ring_holds_the_signing_key_first_then_the_previous_one() -> None:
    ring = key_ring({"signing_seed": SEED_B, "previous_signing_seed": SEED_A})
    assert [key.kid for key in ring] == [derive_signing_key(SEED_B).kid, derive_signing_key(SEED_A).kid]
    assert len(key_ring({"signing_seed": SEED_A, "previous_signing_seed": SEED_A})) == 1
    assert len(key_ring({"signing_seed": SEED_A, "previous_signing_seed": ""})) == 1


# The authorizer --------------------------------------------------------------------------------
def test_a_token_minted_from_the_seed_becomes_a_staff_principal(secret: FakeSecretsManager) -> None:
    token = mint()
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert {"iss", "aud", "sub", "exp", "iat", "jti", "tenant_id", "roles"} <= set(claims)
    assert (claims["iss"], claims["aud"], claims["exp"] - claims["iat"]) == (ISSUER, STAFF_AUDIENCE, 3600)
    assert pyjwt.get_unverified_header(token) == {"alg": "ES256", "kid": derive_signing_key(SEED_A).kid, "typ": "JWT"}
    assert tokens.read_token(token) == STAFF
    assert authorize(bearer(token), None) == {
        "isAuthorized": True,
        "context": {"kind": "staff", "tenant_id": "brand-1", "staff_id": "alice", "roles": "admin,manager"},
    }
    assert mint() != token  # every token has its own jti
    assert secret.reads == 1  # the secret is read once, then kept


def _hs256_with(secret_bytes: bytes, token: str) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": derive_signing_key(SEED_A).kid}).encode())
    payload = token.split(".")[1]
    return (
        f"{header}.{payload}.{b64url(hmac.new(secret_bytes, f'{header}.{payload}'.encode(), hashlib.sha256).digest())}"
    )


def _refused_tokens() -> list[tuple[str, Any]]:
    now = int(time.time())
    public = derive_signing_key(SEED_A).private_key.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk_json = json.dumps(derive_signing_key(SEED_A).public_jwk).encode()
    return [
        ("wrong audience", lambda: mint(aud="siyu-api")),
        ("wrong issuer", lambda: mint(iss="siyu-dev")),
        ("expired", lambda: mint(iat=now - 7200, exp=now - 3600)),
        ("no expiry", lambda: mint(exp=None)),
        ("no jti", lambda: mint(jti=None)),
        ("no iat", lambda: mint(iat=None)),
        ("lives longer than 12 hours", lambda: mint(exp=now + 13 * 3600)),
        ("a member token's kind", lambda: mint(kind="member")),
        ("no staff role", lambda: mint(roles=["owner"])),
        ("roles not a list", lambda: mint(roles="admin")),
        ("no tenant", lambda: mint(tenant_id=None)),
        (
            "tampered claims",
            lambda: ".".join([mint().split(".")[0], mint(tenant_id="brand-2").split(".")[1], mint().split(".")[2]]),
        ),
        (
            "signed by a key not in the ring, under its kid",
            lambda: _resigned(mint(), SEED_C, derive_signing_key(SEED_A).kid),
        ),
        ("signed by a key not in the ring", lambda: mint(seed=SEED_C)),
        ("alg none", lambda: f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{mint().split('.')[1]}."),
        ("HS256 with the public key as PEM", lambda: _hs256_with(pem, mint())),
        ("HS256 with the public JWK", lambda: _hs256_with(jwk_json, mint())),
        (
            "HS256 with the member key",
            lambda: sign_hs256(pyjwt.decode(mint(), options={"verify_signature": False}), MEMBER_KEY),
        ),
    ]


def _resigned(token: str, seed: str, kid: str) -> str:
    claims = pyjwt.decode(token, options={"verify_signature": False})
    return sign_es256(claims, derive_signing_key(seed).private_key, kid)


@pytest.mark.parametrize(("case", "make"), _refused_tokens(), ids=[case for case, _ in _refused_tokens()])
def test_other_tokens_are_refused(secret: FakeSecretsManager, case: str, make: Any) -> None:
    token = make()
    with pytest.raises(InvalidToken):
        tokens.read_token(token)
    assert not accepted(token)


def test_the_previous_key_verifies_until_it_is_removed(secret: FakeSecretsManager, clock: Clock) -> None:
    old = mint(SEED_A)
    assert accepted(old)
    # Rotation, step 1: a new signing seed; the old one becomes the previous seed.
    secret.value = {"signing_seed": SEED_B, "previous_signing_seed": SEED_A}
    new = mint(SEED_B)
    assert accepted(new)  # an unknown kid re-reads the secret at once
    assert accepted(old)
    # Step 2, once every old token has expired: the previous seed is removed.
    secret.value = {"signing_seed": SEED_B}
    clock.now += 301  # every container re-reads the secret within five minutes
    assert accepted(new)
    assert not accepted(old)


def test_made_up_key_ids_cannot_flood_secrets_manager(secret: FakeSecretsManager, clock: Clock) -> None:
    assert accepted(mint())
    assert secret.reads == 1
    for _ in range(20):
        assert not accepted(_resigned(mint(), SEED_C, f"kid-{uuid.uuid4().hex}"))
    assert secret.reads == 2  # one refresh, then refused from the cache
    clock.now += 31
    assert not accepted(_resigned(mint(), SEED_C, "yet-another"))
    assert secret.reads == 3


def test_a_misconfigured_issuer_is_loud(secret: FakeSecretsManager, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = "arn:staff-keys"
    use(monkeypatch, Settings(stage="prod", staff_issuer=ISSUER, staff_keys_secret_arn=arn))
    with pytest.raises(RuntimeError, match="SIYU_STAFF_AUDIENCE"):
        tokens.read_token(mint())
    secret.value = {"signing_seed": "short"}
    use(
        monkeypatch,
        Settings(stage="prod", staff_issuer=ISSUER, staff_audience=STAFF_AUDIENCE, staff_keys_secret_arn=arn),
    )
    keys.clear_caches()
    with pytest.raises(StaffKeyError):
        tokens.read_token(mint())


def test_a_global_stage_keeps_cognito_and_refuses_siyu_signed_staff_tokens(
    secret: FakeSecretsManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    cognito = "https://cognito-idp.ap-east-1.amazonaws.com/pool"
    use(monkeypatch, Settings(stage="prod", staff_issuer=cognito, staff_audience="client"))
    monkeypatch.setattr(keys, "cognito_jwks", lambda issuer: {})
    assert not accepted(mint(iss=cognito, aud="client"))
    assert not accepted(mint())
    assert keys.published_staff_keys() == {"keys": []}
    assert secret.reads == 0


# The published keys ----------------------------------------------------------------------------
def test_the_jwks_route_publishes_the_current_and_previous_public_keys(
    secret: FakeSecretsManager, client: Client
) -> None:
    secret.value = {"signing_seed": SEED_B, "previous_signing_seed": SEED_A}
    answer = client.get(STAFF_JWKS_PATH)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == keys_routes.CACHE_CONTROL == "public, max-age=300"
    published = answer.json["keys"]
    assert [jwk["kid"] for jwk in published] == [derive_signing_key(SEED_B).kid, derive_signing_key(SEED_A).kid]
    for jwk in published:
        assert jwk["kid"] == thumbprint(jwk)
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
        assert "d" not in jwk
    # Anyone can verify a staff token from the published set alone, with an off-the-shelf library.
    key_set = pyjwt.PyJWKSet.from_dict(answer.json)
    for seed in (SEED_A, SEED_B):
        token = mint(seed)
        public = key_set[pyjwt.get_unverified_header(token)["kid"]]
        claims = pyjwt.decode(token, public, algorithms=["ES256"], audience=STAFF_AUDIENCE, issuer=ISSUER)
        assert claims["sub"] == "alice"


def test_the_jwks_route_publishes_no_key_where_cognito_issues_staff_tokens(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, Settings(stage="prod", token_secret_arn=get_settings().token_secret_arn))  # no staff keys
    answer = client.get(STAFF_JWKS_PATH)
    assert (answer.status, answer.json) == (200, {"keys": []})
    assert answer.headers["Cache-Control"] == "public, max-age=300"


# The operators' command ------------------------------------------------------------------------
@pytest.fixture
def stage_secret(client: Client, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """A stage whose staff keys secret is in the local stack's emulator, named as infra/ names it."""
    stage = f"ops-{uuid.uuid4().hex[:8]}"
    created = aws.client("secretsmanager").create_secret(
        Name=staff_keys_secret_name(stage), SecretString=json.dumps({"signing_seed": SEED_A})
    )
    keys.clear_caches()
    use(
        monkeypatch,
        Settings(
            stage=stage,
            staff_issuer=staff_issuer_name(stage),
            staff_audience=STAFF_AUDIENCE,
            staff_keys_secret_arn=str(created["ARN"]),
        ),
    )
    yield stage, str(created["ARN"])
    keys.clear_caches()
    aws.client("secretsmanager").delete_secret(SecretId=created["ARN"], ForceDeleteWithoutRecovery=True)


def emulator() -> str:
    return os.environ["AWS_ENDPOINT_URL"]  # the local stack's, set by its fixture


def test_operators_mint_a_token_the_stage_accepts(stage_secret: tuple[str, str]) -> None:
    stage, arn = stage_secret
    token = staff_tokens.mint(
        stage, "brand-1", "alice", ["admin", "manager"], 600, secret_arn=arn, endpoint_url=emulator()
    )
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"], claims["exp"] - claims["iat"]) == (f"siyu-{stage}", STAFF_AUDIENCE, 600)
    assert pyjwt.get_unverified_header(token)["kid"] == derive_signing_key(SEED_A).kid
    assert tokens.read_token(token) == STAFF
    assert accepted(token)


class FakeAws:
    """An operator's AWS session: the stage's stacks and secrets as CloudFormation and Secrets Manager
    describe them (moto's CloudFormation costs seconds to start, for one output)."""

    class NotFound(Exception):
        pass

    def __init__(self, outputs: dict[str, dict[str, str]], secrets: dict[str, str]) -> None:
        self.outputs = outputs  # stack name → its outputs
        self.secrets = secrets  # name or ARN → seed

    def client(self, name: str, endpoint_url: str | None = None) -> Any:
        if name == "cloudformation":
            stacks = [
                {"StackName": stack, "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]}
                for stack, outputs in self.outputs.items()
            ]
            pages = SimpleNamespace(paginate=lambda: [{"Stacks": stacks}])
            return SimpleNamespace(get_paginator=lambda operation: pages)

        def get_secret_value(SecretId: str) -> dict[str, str]:
            if SecretId not in self.secrets:
                raise FakeAws.NotFound(SecretId)
            return {"SecretString": json.dumps({"signing_seed": self.secrets[SecretId]})}

        return SimpleNamespace(
            get_secret_value=get_secret_value, exceptions=SimpleNamespace(ResourceNotFoundException=FakeAws.NotFound)
        )


@pytest.mark.parametrize(
    ("stage", "outputs", "secrets", "seed"),
    [
        # A deployed China stage: its secret has a generated name, which the platform stack's output gives.
        (
            "prod",
            {"Siyu-prod-platform": {"ApiUrl": "https://x", staff_tokens.SECRET_OUTPUT: "arn:b"}},
            {"arn:b": SEED_B},
            SEED_B,
        ),
        (
            "prod",
            {
                "Siyu-prod": {staff_tokens.SECRET_OUTPUT: "arn:b"},
                "Siyu-dev-platform": {staff_tokens.SECRET_OUTPUT: "arn:c"},
            },
            {"arn:b": SEED_B, "arn:c": SEED_C},
            SEED_B,
        ),
        # No output: the conventional name (the local stack has no CloudFormation, and is not asked).
        ("dev", {}, {"siyu-dev/staff-token-keys": SEED_C}, SEED_C),
        (
            "local",
            {"Siyu-local-platform": {staff_tokens.SECRET_OUTPUT: "arn:b"}},
            {"siyu-local/staff-token-keys": SEED_A},
            SEED_A,
        ),
    ],
)
def test_operators_find_the_stages_secret(
    monkeypatch: pytest.MonkeyPatch, stage: str, outputs: dict[str, dict[str, str]], secrets: dict[str, str], seed: str
) -> None:
    monkeypatch.setattr(staff_tokens, "operator_session", lambda region: FakeAws(outputs, secrets))
    token = staff_tokens.mint(stage, "brand-1", "alice", ["admin"])
    assert pyjwt.get_unverified_header(token)["kid"] == derive_signing_key(seed).kid


def test_a_stage_without_staff_keys_is_named_in_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_tokens, "operator_session", lambda region: FakeAws({"Siyu-prod-platform": {}}, {}))
    with pytest.raises(ValueError, match="no staff keys secret 'siyu-prod/staff-token-keys'"):
        staff_tokens.mint("prod", "brand-1", "alice", ["admin"])


@pytest.mark.parametrize(
    ("tenant", "staff", "roles", "ttl"),
    [
        ("brand-1", "alice", ["admin"], 12 * 3600 + 1),
        ("brand-1", "alice", ["admin"], 0),
        ("brand-1", "alice", [], 3600),
        ("brand-1", "alice", ["owner"], 3600),
        ("brand 1", "alice", ["admin"], 3600),
        ("brand-1", "", ["admin"], 3600),
        ("brand-1", "a" * 65, ["admin"], 3600),
    ],
)
def test_operators_cannot_mint_what_the_api_would_not_accept(
    monkeypatch: pytest.MonkeyPatch, tenant: str, staff: str, roles: list[str], ttl: int
) -> None:
    secrets = {"arn:a": SEED_A}
    monkeypatch.setattr(
        staff_tokens,
        "operator_session",
        lambda region: FakeAws({"Siyu-prod": {staff_tokens.SECRET_OUTPUT: "arn:a"}}, secrets),
    )
    assert staff_tokens.mint("prod", "brand-1", "alice", ["admin"])  # the stage itself is fine
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own reason
        staff_tokens.mint("prod", tenant, staff, roles, ttl)


def test_the_command_prints_a_token(stage_secret: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    stage, arn = stage_secret
    argv = ["--stage", stage, "--tenant", "brand-1", "--staff", "bob", "--roles", "guide, agent", "--ttl", "900"]
    argv += ["--secret-arn", arn]
    assert staff_tokens.main([*argv, "--endpoint-url", emulator()]) == 0
    token = capsys.readouterr().out.strip()
    assert tokens.read_token(token) == StaffPrincipal(
        tenant_id="brand-1", staff_id="bob", roles=frozenset({"agent", "guide"})
    )
    with pytest.raises(SystemExit) as refused:
        staff_tokens.main([*argv, "--ttl", "86400", "--endpoint-url", emulator()])
    assert refused.value.code == 2
    assert "ttl_seconds" in capsys.readouterr().err


def test_rotating_the_signing_key_keeps_old_tokens_until_the_rotation_is_finished(
    stage_secret: tuple[str, str], clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    stage, arn = stage_secret
    where = ["--stage", stage, "--secret-arn", arn, "--endpoint-url", emulator()]

    def minted() -> str:
        return staff_tokens.mint(
            stage, "brand-1", "alice", ["admin", "manager"], secret_arn=arn, endpoint_url=emulator()
        )

    def stored() -> dict[str, str]:
        return dict(json.loads(aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]))

    old = minted()
    assert accepted(old)
    assert staff_tokens.main([*where, "--rotate"]) == 0
    printed = capsys.readouterr().out
    seeds = stored()
    assert seeds["previous_signing_seed"] == SEED_A
    new_kid = derive_signing_key(seeds["signing_seed"]).kid
    assert new_kid in printed
    assert seeds["signing_seed"] not in printed  # a seed is never shown
    new = minted()
    assert pyjwt.get_unverified_header(new)["kid"] == new_kid
    assert accepted(new)  # at once: the unknown key id re-reads the secret
    assert accepted(old)
    with pytest.raises(ValueError, match="rotation is under way"):
        staff_tokens.rotate(stage, secret_arn=arn, endpoint_url=emulator())

    assert (
        staff_tokens.finish_rotation(stage, secret_arn=arn, endpoint_url=emulator()) == derive_signing_key(SEED_A).kid
    )
    assert stored() == {"signing_seed": seeds["signing_seed"]}
    clock.now += 301  # every verifier has re-read the secret
    assert accepted(new)
    assert not accepted(old)
    with pytest.raises(SystemExit):  # nothing left to finish
        staff_tokens.main([*where, "--finish-rotation"])
    assert "no rotation is under way" in capsys.readouterr().err


# The local stack -------------------------------------------------------------------------------
def test_local_dev_tokens_come_from_the_staff_issuer_when_the_stack_has_its_keys(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the local stack does once it provisions a staff keys secret, as a China stage has."""
    created = aws.client("secretsmanager").create_secret(
        Name=f"{staff_keys_secret_name('local')}-{uuid.uuid4().hex[:8]}",
        SecretString=json.dumps({"signing_seed": SEED_B}),
    )
    local = Settings(
        stage="local",
        staff_issuer=staff_issuer_name("local"),
        staff_audience=STAFF_AUDIENCE,
        staff_keys_secret_arn=str(created["ARN"]),
        token_secret_arn=get_settings().token_secret_arn,  # the local stack's own member key
    )
    keys.clear_caches()
    use(monkeypatch, local)
    try:
        token = client.staff_token(tenant, "s1", ("manager",))
        assert pyjwt.get_unverified_header(token)["alg"] == "ES256"
        assert pyjwt.decode(token, options={"verify_signature": False})["iss"] == "siyu-local"
        assert client.get("/v1/contacts/c-unknown", token=token).status == 404
        assert client.get("/v1/contacts/c-unknown", token=mint(SEED_A, iss="siyu-local")).status == 401
        assert [jwk["kid"] for jwk in client.get(STAFF_JWKS_PATH).json["keys"]] == [derive_signing_key(SEED_B).kid]
    finally:
        keys.clear_caches()
        aws.client("secretsmanager").delete_secret(SecretId=created["ARN"], ForceDeleteWithoutRecovery=True)


def test_local_dev_tokens_keep_working_without_staff_keys(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local stack given no staff keys signs dev tokens like member tokens, accepted only locally."""
    use(monkeypatch, Settings(stage="local", token_secret_arn=get_settings().token_secret_arn))
    token = client.staff_token(tenant, "s1", ("admin",))
    assert pyjwt.get_unverified_header(token)["alg"] == "HS256"
    assert client.get("/v1/contacts/c-unknown", token=token).status == 404
    assert client.get("/v1/contacts/c-unknown", token=token[:-2]).status == 401
