"""Relationship and deletion listings. A guide sees only their own; the tenant-wide roles see
anyone's. Every listing reads one partition or index (no scan), so a filter is required."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.wecom.dal import relationships as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.models import DeletionList, DeletionView, RelationshipList
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import SEE_ALL_CUSTOMERS
from shared.clock import rfc3339, utc_now
from shared.errors import Forbidden, Unprocessable

DEFAULT_WINDOW = timedelta(days=30)
LONGEST_WINDOW = timedelta(days=366)


def _staff_scope(staff: StaffPrincipal, staff_id: str | None) -> str | None:
    """The staff id the listing is limited to: a guide's own, whatever they asked."""
    if staff.roles & SEE_ALL_CUSTOMERS:
        return staff_id
    if staff_id is not None and staff_id != staff.staff_id:
        raise Forbidden("A guide sees only their own relationships.")
    return staff.staff_id


def _corp(tenant_id: str, corp_id: str | None) -> str:
    if corp_id is not None:
        return corp_id
    corps = settings_dal.corps(tenant_id)
    if len(corps) != 1:
        raise Unprocessable(
            "Name the corp: the tenant has several (or none set up).",
            [{"loc": ["query", "corp_id"], "msg": "required when the tenant has several corps"}],
        )
    return str(corps[0]["corp_id"])


def relationships(
    staff: StaffPrincipal,
    *,
    staff_id: str | None,
    external_userid: str | None,
    corp_id: str | None,
    contact_id: str | None,
    limit: int,
    cursor: str | None,
) -> RelationshipList:
    tenant_id = staff.tenant_id
    scope = _staff_scope(staff, staff_id)
    if contact_id is not None:
        found, next_cursor = dal.by_contact(tenant_id, contact_id, limit, cursor, staff_id=scope)
    elif external_userid is not None:
        found, next_cursor = dal.by_customer(
            tenant_id, _corp(tenant_id, corp_id), external_userid, limit, cursor, scope
        )
    elif scope is not None:
        found, next_cursor = dal.by_staff(tenant_id, scope, limit, cursor)
    else:
        raise Unprocessable(
            "Filter by staff_id, external_userid or contact_id.",
            [{"loc": ["query", "staff_id"], "msg": "one of staff_id, external_userid, contact_id is required"}],
        )
    return RelationshipList(items=[r.view() for r in found], next_cursor=next_cursor)


def deletions(
    staff: StaffPrincipal,
    *,
    staff_id: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    cursor: str | None,
) -> DeletionList:
    scope = _staff_scope(staff, staff_id)
    end = end or utc_now()
    start = start or end - DEFAULT_WINDOW
    if start >= end or end - start > LONGEST_WINDOW:
        raise Unprocessable(
            "from must be before to, at most 366 days apart.",
            [{"loc": ["query", "from"], "msg": "before to, within 366 days of it"}],
        )
    page = dal.deletions(staff.tenant_id, scope, rfc3339(start), rfc3339(end), limit, cursor)
    return DeletionList(items=[DeletionView.model_validate(item) for item in page.items], next_cursor=page.next_cursor)
