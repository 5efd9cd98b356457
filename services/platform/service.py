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
        # Registered by the local stack (local/dev_tokens.py): not in the deployed code at all.
        Route("POST", "/v1/auth/dev-token", "public", local_only=True),
    ),
    # No signing key: the function is public. Where Siyu issues staff tokens (AWS China) the stack
    # lets it read the staff keys secret, whose public halves the JWKS route publishes; PyJWT and
    # cryptography derive them.
    layers=("jwt", "cryptography"),
)

AUTHORIZER_HANDLER = "shared.auth.authorizer.handler"
