"""The staff token issuer's public keys, registered on the platform function's API.

Published at ``GET /v1/auth/jwks.json`` as a JWK Set, so that anything verifying a staff token
Siyu issued (a console, a partner, an API gateway) needs no secret. Where staff sign in with
Cognito, Siyu issues no staff tokens and publishes an empty set: the route answers the same shape
in every stage, and Cognito publishes its own keys.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict

from services.platform.api import api
from services.platform.service import STAFF_JWKS_PATH
from shared.auth import keys
from shared.http import Response

# Long enough to spare the secret a read per request. Siyu's own authorizer re-reads the secret on
# an unknown kid (at most every 30 s), so a rotation is seen at once there; an outside verifier that
# caches this set should likewise re-fetch it on an unknown kid (the runbook says so).
CACHE_CONTROL = "public, max-age=300"


class Jwk(BaseModel):
    """A P-256 public key (RFC 7517, RFC 7518 §6.2); ``kid`` is its RFC 7638 thumbprint."""

    model_config = ConfigDict(extra="allow")

    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JwkSet(BaseModel):
    keys: list[Jwk]


@api.route(f"GET {STAFF_JWKS_PATH}")
def staff_jwks() -> Response[JwkSet]:
    """The staff token issuer's public keys (current and, during a rotation, previous)."""
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(keys.published_staff_keys()),  # type: ignore[arg-type]  # the JSON of a JwkSet
        headers={"Cache-Control": CACHE_CONTROL},
    )
