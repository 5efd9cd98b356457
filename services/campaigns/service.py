"""The campaigns service's declaration (a skeleton until its issue lands: a table and a health route)."""

from __future__ import annotations

from shared.manifest import Route, Service, Table

SERVICE = Service(
    name="campaigns",
    api_handler="services.campaigns.handlers.api.handler",
    routes=(Route("GET", "/v1/health/campaigns", "public"),),
    table=Table(),
)
