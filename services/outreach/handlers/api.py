"""Outreach HTTP API entry point: settings, templates, broadcasts, journeys, staff tasks."""

from __future__ import annotations

from typing import Any

from services.outreach.handlers import (
    broadcast_routes,
    journey_routes,
    settings_routes,
    task_routes,
    template_routes,
)
from services.outreach.handlers.resolver import api

# Imported for the routes they register.
ROUTE_MODULES = (broadcast_routes, journey_routes, settings_routes, task_routes, template_routes)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
