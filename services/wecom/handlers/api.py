"""Wecom HTTP API entry point: WeCom's callback, set-up, relationships, jobs, transfers, KPIs."""

from __future__ import annotations

from typing import Any

from services.wecom.handlers import (
    callback_routes,
    contact_way_routes,
    directory_routes,
    group_routes,
    job_routes,
    kpi_routes,
    relationship_routes,
    setup_routes,
    signin_routes,
    signup_routes,
    transfer_routes,
)
from services.wecom.handlers.resolver import api

# Imported for the routes they register.
ROUTE_MODULES = (
    callback_routes,
    setup_routes,
    relationship_routes,
    job_routes,
    kpi_routes,
    transfer_routes,
    group_routes,
    signup_routes,
    directory_routes,
    signin_routes,
    contact_way_routes,
)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
