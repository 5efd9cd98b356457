"""The points service's declaration (a skeleton until its issue lands: a table and a health route)."""

from __future__ import annotations

from shared.manifest import Route, Service, Table

SERVICE = Service(
    name="points",
    api_handler="services.points.handlers.api.handler",
    routes=(Route("GET", "/v1/health/points", "public"),),
    table=Table(),
)
