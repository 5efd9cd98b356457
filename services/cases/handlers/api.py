"""Cases HTTP API entry point: members', staff's and set-up routes on one resolver."""

from __future__ import annotations

from typing import Any

from services.cases.handlers import case_routes, channel_routes, kb_routes, member_routes, setup_routes
from services.cases.handlers.resolver import api

ROUTE_MODULES = (
    member_routes,
    case_routes,
    setup_routes,
    kb_routes,
    channel_routes,
)  # imported for the routes they register


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
