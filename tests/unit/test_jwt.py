"""Token verification: a valid token is accepted; a bad signature, another algorithm ("none", HS/RS
and HS/ES confusion), the wrong issuer or audience, an expired or not-yet-valid token, or a malformed
one is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shared.auth.jwt import (
    InvalidToken,
    ec_public_key,
    rsa_public_key,
    sign_es256,
    sign_hs256,
    unverified_issuer,
    unverified_key_id,
    verify,
)

KEY = b"k" * 32
ISSUER = "https://cognito-idp.ap-east-1.amazonaws.com/pool"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def jwk_of(private: rsa.RSAPrivateKey, kid: str = "k1") -> dict[str, str]:
    numbers = private.public_key().public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    return {
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "use": "sig",
        "n": b64url(numbers.n.to_bytes(size, "big")),
        "e": b64url(numbers.e.to_bytes(3, "big")),
    }


KEYS = {"k1": rsa_public_key(jwk_of(PRIVATE))}


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {"iss": "siyu", "aud": "siyu-api", "sub": "x", "iat": now, "exp": now + 60}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def check(token: str, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"algorithm": "HS256", "issuer": "siyu", "audience": "siyu-api", "hmac_key": KEY}
    options.update(kwargs)
    return verify(token, **options)


def rs256(payload: dict[str, object], *, kid: str = "k1", private: rsa.RSAPrivateKey = PRIVATE) -> str:
    return pyjwt.encode(payload, private, algorithm="RS256", headers={"kid": kid})


def check_rs256(token: str, keys: dict[str, Any] = KEYS) -> dict[str, Any]:
    return verify(token, algorithm="RS256", issuer=ISSUER, audience="client", public_keys=keys)


def forged(header: Mapping[str, object], payload: object, signature: bytes = b"") -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}.{b64url(signature)}"


def test_a_valid_token_is_accepted() -> None:
    assert check(sign_hs256(claims(), KEY))["sub"] == "x"


def test_a_token_for_several_audiences_including_ours_is_accepted() -> None:
    assert check(sign_hs256(claims(aud=["other-api", "siyu-api"]), KEY))["sub"] == "x"


def test_clock_skew_within_the_leeway_is_tolerated() -> None:
    now = int(time.time())
    assert check(sign_hs256(claims(iat=now - 120, exp=now - 10), KEY))["sub"] == "x"
    assert check(sign_hs256(claims(iat=now + 10), KEY))["sub"] == "x"


@pytest.mark.parametrize(
    ("case", "token"),
    [
        ("bad signature", sign_hs256(claims(), b"another key, just as long as ours")),
        ("wrong issuer", sign_hs256(claims(iss="someone-else"), KEY)),
        ("no issuer", sign_hs256(claims(iss=None), KEY)),
        ("wrong audience", sign_hs256(claims(aud="other-api"), KEY)),
        ("no audience", sign_hs256(claims(aud=None), KEY)),
        ("expired", sign_hs256(claims(exp=int(time.time()) - 3600), KEY)),
        ("no expiry", sign_hs256(claims(exp=None), KEY)),
        ("issued in the future", sign_hs256(claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200), KEY)),
        ("not yet valid", sign_hs256(claims(nbf=int(time.time()) + 3600), KEY)),
        ("two parts", "a.b"),
        ("one part", "not-even-a-token"),
        ("empty", ""),
        ("bad base64", "@@@.@@@.@@@"),
        ("a JSON list for claims", forged({"alg": "HS256"}, ["not", "claims"])),
        ("tampered claims", sign_hs256(claims(), KEY).split(".")[0] + "." + b64url(b'{"sub":"admin"}') + ".x"),
    ],
)
def test_bad_tokens_are_refused(case: str, token: str) -> None:
    with pytest.raises(InvalidToken):
        check(token)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_the_none_algorithm_is_refused(alg: str) -> None:
    with pytest.raises(InvalidToken):
        check(forged({"alg": alg, "typ": "JWT"}, claims()))


def test_a_token_signed_with_another_hmac_algorithm_is_refused() -> None:
    with pytest.raises(InvalidToken):
        check(pyjwt.encode(claims(), KEY * 2, algorithm="HS512"))


def test_rs256_tokens_verify_against_the_published_key_and_nothing_else() -> None:
    payload = claims(iss=ISSUER, aud="client")
    token = rs256(payload)
    assert check_rs256(token)["sub"] == "x"
    header, _, signature = token.split(".")
    with pytest.raises(InvalidToken):  # claims changed after signing
        check_rs256(f"{header}.{b64url(json.dumps(payload | {'sub': 'admin'}).encode())}.{signature}")
    with pytest.raises(InvalidToken):  # signed by a key the issuer never published
        check_rs256(rs256(payload, private=rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    with pytest.raises(InvalidToken):  # a key id the issuer does not publish
        check_rs256(rs256(payload, kid="k2"))
    with pytest.raises(InvalidToken):
        check_rs256(rs256(claims(iss=ISSUER, aud="someone-else")))
    with pytest.raises(InvalidToken):
        check_rs256(rs256(claims(iss=ISSUER, aud="client", exp=int(time.time()) - 3600)))


def test_hs_rs_confusion_is_refused() -> None:
    """An attacker signs HS256 with the issuer's *public* key as the secret, in every encoding of it."""
    public_pem = PRIVATE.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    payload = claims(iss=ISSUER, aud="client")
    for secret in (public_pem, jwk_of(PRIVATE)["n"].encode(), json.dumps(jwk_of(PRIVATE)).encode()):
        header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
        signing_input = forged(header, payload).rsplit(".", 1)[0].encode()
        token = f"{signing_input.decode()}.{b64url(hmac.new(secret, signing_input, hashlib.sha256).digest())}"
        with pytest.raises(InvalidToken):
            check_rs256(token)
    # And the other way round: an RS256 token where Siyu's own HS256 tokens are expected.
    with pytest.raises(InvalidToken):
        check(rs256(claims()))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_rsa_keys_under_2048_bits_are_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    keys = {"weak": rsa_public_key(jwk_of(weak, kid="weak"))}
    with pytest.raises(InvalidToken):
        check_rs256(rs256(claims(iss=ISSUER, aud="client"), kid="weak", private=weak), keys)


def test_only_rsa_keys_are_accepted_as_rs256_keys() -> None:
    with pytest.raises(InvalidToken):
        rsa_public_key({"kty": "oct", "k": b64url(KEY)})
    with pytest.raises(InvalidToken):
        rsa_public_key({"kty": "RSA", "e": "AQAB"})  # no modulus


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_hmac_keys_shorter_than_the_hash_are_neither_used_to_sign_nor_to_verify() -> None:
    with pytest.raises(ValueError, match="cannot sign"):
        sign_hs256(claims(), b"short")
    with pytest.raises(InvalidToken):
        check(pyjwt.encode(claims(), b"short", algorithm="HS256"), hmac_key=b"short")


def test_the_issuer_is_read_before_verification_only_to_choose_the_key() -> None:
    assert unverified_issuer(sign_hs256(claims(), b"any key that is thirty-two bytes")) == "siyu"
    assert unverified_issuer(sign_hs256(claims(iss=None), KEY)) is None
    with pytest.raises(InvalidToken):
        unverified_issuer("a.b")


EC_PRIVATE = ec.generate_private_key(ec.SECP256R1())


def ec_jwk_of(private: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = private.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


EC_KEYS = {"e1": ec_public_key(ec_jwk_of(EC_PRIVATE))}


def check_es256(token: str, keys: dict[str, Any] = EC_KEYS, **kwargs: Any) -> dict[str, Any]:
    return verify(token, algorithm="ES256", issuer="siyu-prod", audience="siyu-console", public_keys=keys, **kwargs)


def test_es256_tokens_verify_against_the_published_key_and_nothing_else() -> None:
    payload = claims(iss="siyu-prod", aud="siyu-console")
    token = sign_es256(payload, EC_PRIVATE, "e1")
    assert unverified_key_id(token) == "e1"
    assert check_es256(token)["sub"] == "x"
    header, _, signature = token.split(".")
    with pytest.raises(InvalidToken):  # claims changed after signing
        check_es256(f"{header}.{b64url(json.dumps(payload | {'sub': 'admin'}).encode())}.{signature}")
    with pytest.raises(InvalidToken):  # signed by a key the issuer never published, under a published kid
        check_es256(sign_es256(payload, ec.generate_private_key(ec.SECP256R1()), "e1"))
    with pytest.raises(InvalidToken):  # a key id the issuer does not publish
        check_es256(sign_es256(payload, EC_PRIVATE, "e2"))
    with pytest.raises(InvalidToken):  # signed on another curve
        check_es256(pyjwt.encode(payload, ec.generate_private_key(ec.SECP384R1()), "ES384", headers={"kid": "e1"}))


def test_claims_an_issuer_requires_are_required() -> None:
    token = sign_es256(claims(iss="siyu-prod", aud="siyu-console"), EC_PRIVATE, "e1")
    assert check_es256(token, required=("sub", "iat"))["sub"] == "x"
    with pytest.raises(InvalidToken):
        check_es256(token, required=("jti",))


def test_hs_es_confusion_is_refused() -> None:
    """HS256 signed with the ES256 issuer's public key (PEM, JWK, x) as the secret; "none"; an RS256 key
    where an EC key is published under the same kid."""
    public_pem = EC_PRIVATE.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    payload = claims(iss="siyu-prod", aud="siyu-console")
    for secret in (public_pem, json.dumps(ec_jwk_of(EC_PRIVATE)).encode(), ec_jwk_of(EC_PRIVATE)["x"].encode()):
        signing_input = forged({"alg": "HS256", "typ": "JWT", "kid": "e1"}, payload).rsplit(".", 1)[0].encode()
        token = f"{signing_input.decode()}.{b64url(hmac.new(secret, signing_input, hashlib.sha256).digest())}"
        with pytest.raises(InvalidToken):
            check_es256(token)
    with pytest.raises(InvalidToken):
        check_es256(forged({"alg": "none", "kid": "e1"}, payload))
    with pytest.raises(InvalidToken):  # an RSA key is never used to verify ES256, nor an EC key RS256
        check_es256(rs256(payload, kid="k1"), keys={"k1": KEYS["k1"]})
    with pytest.raises(InvalidToken):
        verify(
            sign_es256(payload, EC_PRIVATE, "e1"),
            algorithm="RS256",
            issuer="siyu-prod",
            audience="siyu-console",
            public_keys=EC_KEYS,
        )


def test_only_p256_keys_are_accepted_as_es256_keys() -> None:
    with pytest.raises(InvalidToken):
        ec_public_key(jwk_of(PRIVATE))
    with pytest.raises(InvalidToken):
        ec_public_key(ec_jwk_of(EC_PRIVATE) | {"crv": "P-384"})
    with pytest.raises(InvalidToken):  # a point that is not on the curve
        ec_public_key(ec_jwk_of(EC_PRIVATE) | {"y": b64url((1).to_bytes(32, "big"))})
