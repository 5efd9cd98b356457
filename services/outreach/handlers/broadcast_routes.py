"""Broadcasts (群发): preview, create, change, cancel, follow."""

from __future__ import annotations

from typing import Annotated

from services.outreach.broadcast_models import (
    BroadcastAudience,
    BroadcastChange,
    BroadcastCreate,
    BroadcastList,
    BroadcastPreview,
    BroadcastView,
    DispatchList,
)
from services.outreach.handlers.resolver import api
from services.outreach.logic import broadcasts
from shared.params import Cursor, Limit, Path

BroadcastId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]


@api.route("POST /v1/broadcasts/preview", errors=(404, 422))
def preview_broadcast(body: BroadcastAudience) -> BroadcastPreview:
    """Who the broadcast would reach now, who it would skip and why, and each sending staff member's share."""
    return broadcasts.preview(api.staff().tenant_id, body)


@api.route("POST /v1/broadcasts", status=201, idempotent=True, errors=(404, 409, 422))
def create_broadcast(body: BroadcastCreate) -> BroadcastView:
    """Schedule a broadcast: at send_at (or now), after quiet hours (accepts Idempotency-Key)."""
    return broadcasts.create(api.staff(), body, api.idempotency_key())


@api.route("GET /v1/broadcasts")
def list_broadcasts(limit: Limit = 50, cursor: Cursor = None) -> BroadcastList:
    """Broadcasts, newest first."""
    return broadcasts.listing(api.staff().tenant_id, limit, cursor)


@api.route("GET /v1/broadcasts/{broadcast_id}", errors=(404,))
def read_broadcast(broadcast_id: BroadcastId) -> BroadcastView:
    """A broadcast with its stats: targeted, skipped by reason, queued, sent, delivered, failed, conversions."""
    return broadcasts.view(api.staff().tenant_id, broadcast_id)


@api.route("PUT /v1/broadcasts/{broadcast_id}", errors=(404, 409, 422))
def change_broadcast(broadcast_id: BroadcastId, body: BroadcastChange) -> BroadcastView:
    """Change a broadcast that is still scheduled (409 once it began sending)."""
    return broadcasts.change(api.staff().tenant_id, broadcast_id, body)


@api.route("POST /v1/broadcasts/{broadcast_id}/cancel", errors=(404, 409))
def cancel_broadcast(broadcast_id: BroadcastId) -> BroadcastView:
    """Cancel a broadcast before it sends (409 once it began)."""
    return broadcasts.cancel(api.staff().tenant_id, broadcast_id)


@api.route("GET /v1/broadcasts/{broadcast_id}/dispatches", errors=(404,))
def list_dispatches(broadcast_id: BroadcastId, limit: Limit = 50, cursor: Cursor = None) -> DispatchList:
    """A WeCom broadcast's tasks, one per sending staff member: confirmation and results."""
    return broadcasts.dispatches(api.staff().tenant_id, broadcast_id, limit, cursor)
