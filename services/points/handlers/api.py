"""Points HTTP API entry point: the ledger's and the rewards' routes on one resolver."""

from __future__ import annotations

from typing import Any

from services.points.handlers import ledger_routes, reward_routes
from services.points.handlers.resolver import api

ROUTE_MODULES = (ledger_routes, reward_routes)  # imported for the routes they register


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
