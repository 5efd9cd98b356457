"""Compact JWT signing (HS256) and verification (HS256, RS256) with the algorithm pinned per issuer.

Written against the standard library so the Lambda functions need no compiled dependency: RS256
verification is RSASSA-PKCS1-v1_5 over SHA-256, which only needs modular exponentiation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

# DER prefix of DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class InvalidToken(Exception):
    pass


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise InvalidToken("malformed base64") from error


def sign_hs256(claims: dict[str, Any], key: bytes) -> str:
    header = b64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url_encode(signature)}"


@dataclass(frozen=True)
class RsaPublicKey:
    modulus: int
    exponent: int

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> RsaPublicKey:
        if jwk.get("kty") != "RSA":
            raise InvalidToken("not an RSA key")
        return cls(
            modulus=int.from_bytes(b64url_decode(jwk["n"]), "big"),
            exponent=int.from_bytes(b64url_decode(jwk["e"]), "big"),
        )

    def verify(self, message: bytes, signature: bytes) -> bool:
        size = (self.modulus.bit_length() + 7) // 8
        if len(signature) != size or size < 256:  # RSA keys under 2048 bits are refused
            return False
        value = int.from_bytes(signature, "big")
        if value >= self.modulus:
            return False
        encoded = pow(value, self.exponent, self.modulus).to_bytes(size, "big")
        digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
        return hmac.compare_digest(encoded, expected)


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, read only to choose how to verify: never trusted as such."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("a JWT has three parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except ValueError as error:
        raise InvalidToken("malformed JSON") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise InvalidToken("malformed JWT")
    return header, payload


def verify(
    token: str,
    *,
    algorithm: str,
    issuer: str,
    audience: str,
    hmac_key: bytes | None = None,
    rsa_keys: dict[str, RsaPublicKey] | None = None,
    leeway_seconds: int = 30,
    now: float | None = None,
) -> dict[str, Any]:
    header, claims = unverified_parts(token)
    if header.get("alg") != algorithm:  # pinned: "none" or an HS/RS swap is refused here
        raise InvalidToken("unexpected algorithm")
    head_b64, payload_b64, signature_b64 = token.split(".")
    signing_input = f"{head_b64}.{payload_b64}".encode()
    signature = b64url_decode(signature_b64)
    if algorithm == "HS256":
        if not hmac_key:
            raise InvalidToken("no key")
        expected = hmac.new(hmac_key, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidToken("bad signature")
    elif algorithm == "RS256":
        key = (rsa_keys or {}).get(str(header.get("kid")))
        if key is None or not key.verify(signing_input, signature):
            raise InvalidToken("bad signature")
    else:
        raise InvalidToken("unsupported algorithm")
    _check_claims(claims, issuer=issuer, audience=audience, leeway=leeway_seconds, now=now)
    return claims


def _check_claims(claims: dict[str, Any], *, issuer: str, audience: str, leeway: int, now: float | None) -> None:
    current = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise InvalidToken("wrong issuer")
    audiences = claims.get("aud")
    if (audiences if isinstance(audiences, list) else [audiences]).count(audience) == 0:
        raise InvalidToken("wrong audience")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or current > expiry + leeway:
        raise InvalidToken("expired")
    not_before = claims.get("nbf", claims.get("iat"))
    if isinstance(not_before, int | float) and current + leeway < not_before:
        raise InvalidToken("not yet valid")
