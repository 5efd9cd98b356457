"""Siyu's own staff token issuer (stages without Cognito, such as AWS China): ES256 keys derived
from the seeds kept in Secrets Manager.

The secret holds ``{"signing_seed": "<random>"}`` and, during a rotation, ``"previous_signing_seed"``
as well. Each seed deterministically yields one P-256 key: HKDF-SHA256 stretches the seed to 384
bits (64 more than the curve order, so that reducing it leaves no usable bias) and the scalar is
that number mod (n - 1) + 1. Secrets Manager's own random generator is therefore all the stack
needs: no custom resource makes keys, and every function that reads the secret finds the same
key. The key id is the key's RFC 7638 thumbprint, so anyone holding the JWKS can check it.

Pure: no AWS, no settings. The authorizer and the JWKS route read the secret through
``shared.auth.keys``; the operators' ``ops.staff_tokens`` reads it with their own credentials.
``cryptography`` is imported on first use (the contacts API imports this package's tokens module
and never needs it).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

STAFF_AUDIENCE = "siyu-console"
"""The ``aud`` of every staff token Siyu issues: the console is what staff sign in to."""
CURRENT_SEED = "signing_seed"
PREVIOUS_SEED = "previous_signing_seed"
MIN_SEED_CHARACTERS = 32  # the stack generates 64 alphanumerics (~381 bits); 32 is ~190 bits
ALGORITHM = "ES256"

# The order n of P-256 (FIPS 186-4, D.1.2.3).
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# Changing the label changes every key: it is part of the key's definition, versioned for that reason.
_DERIVATION_LABEL = b"siyu staff token signing key v1: ES256 (P-256)"


def staff_issuer_name(stage: str) -> str:
    """The ``iss`` of the staff tokens Siyu issues in ``stage`` (``SIYU_STAFF_ISSUER``)."""
    return f"siyu-{stage}"


def staff_keys_secret_name(stage: str) -> str:
    """The name of the secret holding ``stage``'s seeds: how the operators' tools find it."""
    return f"siyu-{stage}/staff-token-keys"


class StaffKeyError(ValueError):
    """The secret does not hold usable seeds: a deployment fault, never a caller's."""


class StaffSigningKey:
    """One key of the staff issuer: its private half (to sign) and its published JWK. Its repr
    names the key id only, so that a log line can never carry the private key."""

    __slots__ = ("kid", "private_key", "public_jwk")

    def __init__(self, *, kid: str, private_key: EllipticCurvePrivateKey, public_jwk: dict[str, str]) -> None:
        self.kid = kid
        self.private_key = private_key
        self.public_jwk = public_jwk

    def __repr__(self) -> str:
        return f"StaffSigningKey(kid={self.kid!r})"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638: SHA-256 over the key's required members, sorted, without whitespace."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    return _b64url(hashlib.sha256(canonical).digest())


@lru_cache(maxsize=8)  # a handful of seeds in a process's life; deriving costs about a millisecond
def derive_signing_key(seed: str) -> StaffSigningKey:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if len(seed) < MIN_SEED_CHARACTERS:
        raise StaffKeyError(f"a signing seed needs at least {MIN_SEED_CHARACTERS} characters")
    material = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_DERIVATION_LABEL).derive(seed.encode())
    scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
    private_key = ec.derive_private_key(scalar, ec.SECP256R1())
    numbers = private_key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }
    kid = thumbprint(jwk)
    return StaffSigningKey(
        kid=kid, private_key=private_key, public_jwk={**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"}
    )


def key_ring(secret: Mapping[str, Any]) -> tuple[StaffSigningKey, ...]:
    """The keys a secret value defines: the current key (which signs) first, then the previous one
    (which still verifies, until the rotation is finished by removing it)."""
    current = secret.get(CURRENT_SEED)
    if not isinstance(current, str):
        raise StaffKeyError(f"the staff keys secret has no {CURRENT_SEED}")
    previous = secret.get(PREVIOUS_SEED)
    if previous is not None and not isinstance(previous, str):
        raise StaffKeyError(f"{PREVIOUS_SEED} must be a string")
    seeds = [current] + ([previous] if previous and previous != current else [])
    return tuple(derive_signing_key(seed) for seed in seeds)


def jwk_set(ring: tuple[StaffSigningKey, ...]) -> dict[str, list[dict[str, str]]]:
    """The public keys as a JWK Set (RFC 7517 §5)."""
    return {"keys": [dict(key.public_jwk) for key in ring]}
