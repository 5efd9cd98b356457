"""Contacts HTTP API entry point: every route module registers on one resolver."""

from __future__ import annotations

from typing import Any

from services.contacts.handlers import (
    contact_routes,
    export_routes,
    insight_routes,
    job_routes,
    segment_routes,
    tag_routes,
)
from services.contacts.handlers.resolver import api

ROUTE_MODULES = (
    contact_routes,
    tag_routes,
    insight_routes,
    segment_routes,
    job_routes,
    export_routes,
)  # imported for the routes they register


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
