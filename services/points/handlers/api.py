"""The points HTTP API (health only, for now)."""

from __future__ import annotations

from typing import Any

from services.points.service import SERVICE
from shared.http import ServiceApi

api = ServiceApi(SERVICE)
app = api.resolver
api.add_health_route()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
