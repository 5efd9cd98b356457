"""Relationships staff ↔ customer and deletion records."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime

from services.wecom.handlers.resolver import api
from services.wecom.logic import listing
from services.wecom.models import DeletionList, RelationshipList
from shared.params import Cursor, Limit, Query

Filter = Annotated[str | None, Query(min_length=1, max_length=128)]
Moment = Annotated[AwareDatetime | None, Query()]


@api.route("GET /v1/wecom/relationships", errors=(403,))
def list_relationships(
    staff_id: Filter = None,
    external_userid: Filter = None,
    corp_id: Filter = None,
    contact_id: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RelationshipList:
    """Relationships by staff member, by customer (external_userid, with corp_id when the tenant
    has several corps) or by contact; a guide sees only their own (403 for another's)."""
    return listing.relationships(
        api.staff(),
        staff_id=staff_id,
        external_userid=external_userid,
        corp_id=corp_id,
        contact_id=contact_id,
        limit=limit,
        cursor=cursor,
    )


@api.route("GET /v1/wecom/deletions", errors=(403,))
def list_deletions(
    staff_id: Filter = None,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> DeletionList:
    """Deletion records both ways (staff removed the customer, the customer removed the staff
    member — 流失), oldest first, from ``from`` to ``to`` (default: the last 30 days)."""
    return listing.deletions(api.staff(), staff_id=staff_id, start=start, end=end, limit=limit, cursor=cursor)
