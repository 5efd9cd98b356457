"""Token verification: signature, issuer, audience, expiry, and the algorithm pinned."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared.auth.jwt import InvalidToken, RsaPublicKey, b64url_encode, sign_hs256, verify

KEY = b"k" * 32
NOW = 1_800_000_000


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {"iss": "siyu", "aud": "siyu-api", "sub": "x", "iat": NOW, "exp": NOW + 60}
    base.update(overrides)
    return base


def check(token: str, **kwargs: object) -> dict[str, object]:
    options: dict[str, object] = {
        "algorithm": "HS256",
        "issuer": "siyu",
        "audience": "siyu-api",
        "hmac_key": KEY,
        "now": NOW,
    }
    options.update(kwargs)
    return verify(token, **options)  # type: ignore[arg-type]


def test_a_valid_token_is_accepted() -> None:
    assert check(sign_hs256(claims(), KEY))["sub"] == "x"


@pytest.mark.parametrize(
    "token",
    [
        sign_hs256(claims(), b"another key"),
        sign_hs256(claims(iss="someone-else"), KEY),
        sign_hs256(claims(aud="other-api"), KEY),
        sign_hs256(claims(exp=NOW - 3600), KEY),
        sign_hs256(claims(iat=NOW + 3600, exp=NOW + 7200), KEY),
        "a.b",
        "not-even-a-token",
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        check(token)


def test_the_none_algorithm_is_refused() -> None:
    header = b64url_encode(json.dumps({"alg": "none"}).encode())
    payload = b64url_encode(json.dumps(claims()).encode())
    with pytest.raises(InvalidToken):
        check(f"{header}.{payload}.")


def test_rs256_tokens_verify_against_the_published_key_and_nothing_else() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "kid": "k1",
        "alg": "RS256",
        "n": b64url_encode(numbers.n.to_bytes(256, "big")),
        "e": b64url_encode(numbers.e.to_bytes(3, "big")),
    }
    header = b64url_encode(json.dumps({"alg": "RS256", "kid": "k1"}).encode())
    payload = b64url_encode(json.dumps(claims(iss="https://cognito", aud="client")).encode())
    signature = private.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    token = f"{header}.{payload}.{b64url_encode(signature)}"
    keys = {"k1": RsaPublicKey.from_jwk(jwk)}
    assert (
        verify(token, algorithm="RS256", issuer="https://cognito", audience="client", rsa_keys=keys, now=NOW)["sub"]
        == "x"
    )
    tampered = (
        f"{header}.{b64url_encode(json.dumps(claims(iss='https://cognito', aud='client', sub='admin')).encode())}"
    )
    with pytest.raises(InvalidToken):
        verify(
            f"{tampered}.{b64url_encode(signature)}",
            algorithm="RS256",
            issuer="https://cognito",
            audience="client",
            rsa_keys=keys,
            now=NOW,
        )
    # An attacker signing with HS256 using the public key as the secret is refused by the pinned algorithm.
    with pytest.raises(InvalidToken):
        verify(
            sign_hs256(claims(iss="https://cognito", aud="client"), jwk["n"].encode()),
            algorithm="RS256",
            issuer="https://cognito",
            audience="client",
            rsa_keys=keys,
            now=NOW,
        )


def test_wall_clock_expiry() -> None:
    expired = sign_hs256(claims(iat=int(time.time()) - 100, exp=int(time.time()) - 60), KEY)
    with pytest.raises(InvalidToken):
        verify(expired, algorithm="HS256", issuer="siyu", audience="siyu-api", hmac_key=KEY)
