"""Routes that belong to the API as a whole rather than to one service: health, the merged
OpenAPI document and its interactive docs, and (local stack only) staff dev tokens."""

from __future__ import annotations

from shared.manifest import Route, Service

SERVICE = Service(
    name="platform",
    api_handler="services.platform.api.handler",
    routes=(
        Route("GET", "/v1/health", "public"),
        Route("GET", "/v1/docs", "public"),
        Route("GET", "/v1/openapi.json", "public"),
        Route("POST", "/v1/auth/dev-token", "public", local_only=True),
    ),
    reads_token_secret=True,
)

AUTHORIZER_HANDLER = "shared.auth.authorizer.handler"
