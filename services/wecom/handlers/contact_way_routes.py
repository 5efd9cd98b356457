"""Contact ways (联系我) of channel codes: their QR code, rotation and today's adds per member."""

from __future__ import annotations

from typing import Annotated

from services.wecom.contact_way_models import ContactWayChange, ContactWayList, ContactWayView
from services.wecom.handlers.resolver import api
from services.wecom.logic import contact_ways
from shared.params import Cursor, Limit, Path

Code = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


@api.route("GET /v1/wecom/contact-ways")
def list_contact_ways(limit: Limit = 50, cursor: Cursor = None) -> ContactWayList:
    """The channel codes that are WeCom contact ways, newest first."""
    return contact_ways.listing(api.staff().tenant_id, limit, cursor)


@api.route("GET /v1/wecom/contact-ways/{code}", errors=(404,))
def read_contact_way(code: Code) -> ContactWayView:
    """A code's contact way: WeCom's QR code, who takes the adds now and each member's adds today."""
    return contact_ways.view(api.staff().tenant_id, code)


@api.route("PUT /v1/wecom/contact-ways/{code}", errors=(404, 409, 502, 503))
def change_contact_way(code: Code, body: ContactWayChange) -> ContactWayView:
    """A new rotation for the code: its staff and their daily add limit (WeCom is told at once)."""
    return contact_ways.change(api.staff().tenant_id, code, body)
