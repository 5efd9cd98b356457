"""Signing material: the member-token key from Secrets Manager and Cognito's published keys."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

from shared import aws
from shared.auth.jwt import InvalidToken, PublicKeys, rsa_public_key
from shared.observability import logger
from shared.settings import get_settings

_CACHE_SECONDS = 300  # picks up a rotated secret within five minutes without a cold start
_lock = threading.Lock()
_secret_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_cache: dict[str, tuple[float, PublicKeys]] = {}


def secret_json(arn: str) -> dict[str, Any]:
    with _lock:
        cached = _secret_cache.get(arn)
        if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
            return cached[1]
    value = json.loads(aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    with _lock:
        _secret_cache[arn] = (time.monotonic(), value)
    return value  # type: ignore[no-any-return]


def token_signing_key() -> bytes:
    settings = get_settings()
    if not settings.token_secret_arn:
        raise RuntimeError("SIYU_TOKEN_SECRET_ARN is not set")
    return str(secret_json(settings.token_secret_arn)["signing_key"]).encode()


def staff_jwks(issuer: str) -> PublicKeys:
    with _lock:
        cached = _jwks_cache.get(issuer)
        if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
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
        _jwks_cache[issuer] = (time.monotonic(), keys)
    return keys


def clear_caches() -> None:
    with _lock:
        _secret_cache.clear()
        _jwks_cache.clear()
