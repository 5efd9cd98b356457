"""Signing material: the member-token key from Secrets Manager, Cognito's published keys, and the
keys of Siyu's own staff issuer (derived from seeds in Secrets Manager, see ``staff_keys``).

Each secret is read once per container and kept five minutes, so a rotation reaches every warm
container within that time without a cold start. A staff token naming a key the container does not
know yet (signed just after a rotation) re-reads the staff keys at once, at most every 30 seconds:
tokens with made-up key ids cannot turn into a stream of Secrets Manager calls.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from shared import aws
from shared.auth.jwt import InvalidToken, PublicKeys, ec_public_key, rsa_public_key
from shared.observability import logger
from shared.settings import get_settings

if TYPE_CHECKING:
    from jwt import PyJWK

    from shared.auth.staff_keys import StaffSigningKey

_CACHE_SECONDS = 300  # picks up a rotated secret within five minutes without a cold start
_UNKNOWN_KEY_REFRESH_SECONDS = 30
_lock = threading.Lock()
_secret_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_cache: dict[str, tuple[float, PublicKeys]] = {}
_forced_refresh: dict[str, float] = {}
clock = time.monotonic
"""Seconds on a clock that never goes back; the caches' only notion of time."""


def secret_json(arn: str, *, refresh: bool = False) -> dict[str, Any]:
    """The secret's JSON value, from the cache while it is fresh unless ``refresh`` is asked."""
    with _lock:
        cached = _secret_cache.get(arn)
        if cached and not refresh and clock() - cached[0] < _CACHE_SECONDS:
            return cached[1]
    value = json.loads(aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    with _lock:
        _secret_cache[arn] = (clock(), value)
    return value  # type: ignore[no-any-return]


def token_signing_key() -> bytes:
    settings = get_settings()
    if not settings.token_secret_arn:
        raise RuntimeError("SIYU_TOKEN_SECRET_ARN is not set")
    return str(secret_json(settings.token_secret_arn)["signing_key"]).encode()


def cognito_jwks(issuer: str) -> PublicKeys:
    """The RS256 keys a Cognito user pool publishes, at ``<issuer>/.well-known/jwks.json``."""
    with _lock:
        cached = _jwks_cache.get(issuer)
        if cached and clock() - cached[0] < _CACHE_SECONDS:
            return cached[1]
    if not issuer.startswith("https://"):
        raise RuntimeError("the staff issuer must be an https URL")
    with urllib.request.urlopen(f"{issuer}/.well-known/jwks.json", timeout=3) as answer:  # noqa: S310
        document = json.loads(answer.read())
    keys: PublicKeys = {}
    for jwk in document.get("keys", []):
        if jwk.get("alg") != "RS256" or jwk.get("use", "sig") != "sig" or "kid" not in jwk:
            continue
        try:
            keys[str(jwk["kid"])] = rsa_public_key(jwk)
        except InvalidToken:  # one unusable key must not lock every staff member out
            logger.warning("unusable key in the staff issuer's JWKS", extra={"kid": jwk["kid"]})
    with _lock:
        _jwks_cache[issuer] = (clock(), keys)
    return keys


# Siyu's own staff issuer ------------------------------------------------------------------------
def staff_key_ring(secret_arn: str, *, refresh: bool = False) -> tuple[StaffSigningKey, ...]:
    """The staff issuer's keys, the signing one first (a ``StaffKeyError`` if the secret holds no
    usable seed: a deployment fault that must be loud, never a silent refusal of every token)."""
    from shared.auth.staff_keys import key_ring

    return key_ring(secret_json(secret_arn, refresh=refresh))


def staff_verification_keys(secret_arn: str, kid: str | None) -> PublicKeys:
    """The staff issuer's public keys by key id, re-read first if ``kid`` is not among them (at most
    once every ``_UNKNOWN_KEY_REFRESH_SECONDS`` per container)."""
    ring = staff_key_ring(secret_arn)
    if kid is not None and all(key.kid != kid for key in ring) and _may_refresh(secret_arn):
        ring = staff_key_ring(secret_arn, refresh=True)
    return {key.kid: _verification_key(key) for key in ring}


def published_staff_keys() -> dict[str, list[dict[str, str]]]:
    """The JWK Set the API publishes: the staff issuer's public keys, or none where Cognito issues
    staff tokens (Cognito publishes its own)."""
    from shared.auth.staff_keys import jwk_set

    secret_arn = get_settings().staff_keys_secret_arn
    return jwk_set(staff_key_ring(secret_arn)) if secret_arn else {"keys": []}


def _may_refresh(arn: str) -> bool:
    now = clock()
    with _lock:
        last = _forced_refresh.get(arn)
        if last is not None and now - last < _UNKNOWN_KEY_REFRESH_SECONDS:
            return False
        _forced_refresh[arn] = now
        return True


@lru_cache(maxsize=8)
def _verification_key(key: StaffSigningKey) -> PyJWK:
    return ec_public_key(key.public_jwk)


def clear_caches() -> None:
    with _lock:
        _secret_cache.clear()
        _jwks_cache.clear()
        _forced_refresh.clear()
