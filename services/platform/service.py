"""Routes that belong to the API as a whole rather than to one service: health, the merged
OpenAPI document and its interactive docs, the staff token issuer's public keys, and (local stack
only) staff dev tokens."""

from __future__ import annotations

from shared.manifest import Route, Service

STAFF_JWKS_PATH = "/v1/auth/jwks.json"

SERVICE = Service(
    name="platform",
    api_handler="services.platform.api.handler",
    routes=(
        Route("GET", "/v1/health", "public"),
        Route("GET", "/v1/docs", "public"),
        Route("GET", "/v1/openapi.json", "public"),
        Route("GET", STAFF_JWKS_PATH, "public"),
        Route("POST", "/v1/auth/dev-token", "public", local_only=True),
    ),
    reads_token_secret=True,
    # PyJWT signs dev tokens; cryptography derives the staff issuer's keys for the JWKS (ES256).
    layers=("jwt", "cryptography"),
)

AUTHORIZER_HANDLER = "shared.auth.authorizer.handler"
