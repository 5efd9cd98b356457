"""Tokens an attacker can make from a real one: each keeps the real token's header and claims and
breaks exactly one thing, whatever algorithm the issuer signs with (HS256, RS256 or ES256), so
that a refusal proves the verifier checks that one thing."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

import jwt


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """The header, the claims and the signature of a compact JWS, unverified."""
    header, claims, signature = token.split(".")
    return json.loads(_unb64url(header)), json.loads(_unb64url(claims)), _unb64url(signature)


def _compact(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    encoded = (_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    return ".".join((*encoded, _b64url(signature)))


def tampered_signature(token: str) -> str:
    """The same header and claims; every bit of the signature's first byte flipped (editing the
    last base64 character instead could change only padding bits and leave the bytes as they were)."""
    header, claims, signature = token.split(".")
    raw = bytearray(_unb64url(signature))
    raw[0] ^= 0xFF
    return f"{header}.{claims}.{_b64url(bytes(raw))}"


def tampered_claims(token: str, **changes: Any) -> str:
    """The real header and signature over claims the holder rewrote (an escalation attempt)."""
    header, claims, signature = parts(token)
    return _compact(header, {**claims, **changes}, signature)


def unsigned(token: str) -> str:
    """The real claims under ``"alg": "none"`` and no signature at all."""
    header, claims, _ = parts(token)
    return _compact({**header, "alg": "none"}, claims, b"")


def signed_with_another_key(token: str) -> str:
    """The real header (algorithm and key id included) and claims, signed with a key of the right
    kind that the issuer never had."""
    header, claims, _ = parts(token)
    algorithm = str(header.get("alg"))
    key: Any
    if algorithm.startswith("HS"):
        key = secrets.token_bytes(64)
    elif algorithm.startswith("ES"):
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
    elif algorithm.startswith(("RS", "PS")):
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(f"no stand-in key for a {algorithm} token")
    extra = {name: value for name, value in header.items() if name not in ("alg", "typ")}
    return jwt.encode(claims, key, algorithm=algorithm, headers=extra)


def malformed() -> str:
    """Three dot-separated parts, none of them base64url JSON."""
    return "not.a.jwt"
