"""Points HTTP API: parse, authorise, call the logic, shape the answer. No rules here."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from services.points.dal import ledger
from services.points.logic import checkins
from services.points.models import AccountView, CheckinStatus, EntryList, StaffAccountView
from services.points.policy import PointsPolicy
from services.points.service import SERVICE
from shared.clock import now_rfc3339
from shared.http import ServiceApi, json_response

api = ServiceApi(SERVICE)
app = api.resolver
api.add_health_route()

Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@api.route("GET /v1/me/points")
def my_points() -> AccountView:
    """The member's balance and lifetime points earned."""
    member = api.member()
    account = ledger.get_account(member.tenant_id, member.contact_id)
    return AccountView(balance=account.balance, lifetime_earned=account.lifetime_earned)


@api.route("GET /v1/me/points/entries")
def my_entries(limit: Limit = 50, cursor: Cursor = None) -> EntryList:
    """The member's ledger entries, newest first."""
    member = api.member()
    items, next_cursor = ledger.list_entries(member.tenant_id, member.contact_id, limit, cursor)
    return EntryList(items=items, next_cursor=next_cursor)


@api.route("GET /v1/contacts/{contact_id}/points")
def contact_points(contact_id: Annotated[str, Path(min_length=1, max_length=64)]) -> StaffAccountView:
    """A contact's balance and lifetime points earned (staff)."""
    account = ledger.get_account(api.staff().tenant_id, contact_id)
    return StaffAccountView(contact_id=contact_id, balance=account.balance, lifetime_earned=account.lifetime_earned)


@api.route("GET /v1/points/policy")
def get_policy() -> PointsPolicy:
    """The tenant's points policy (defaults until an admin sets one)."""
    return ledger.get_policy(api.staff().tenant_id)


@api.route("PUT /v1/points/policy")
def put_policy(body: PointsPolicy) -> PointsPolicy:
    """Replace the tenant's points policy; it applies from now on and rewrites no past entry."""
    staff = api.staff()
    ledger.put_policy(staff.tenant_id, body, staff.staff_id, now_rfc3339())
    return body


@api.route("POST /v1/me/checkins")
def check_in() -> Response[str]:
    """Check in for today (the tenant's local day): points by the day of the streak; once a day."""
    member = api.member()
    return json_response(checkins.check_in(member.tenant_id, member.contact_id), 201)


@api.route("GET /v1/me/checkins")
def checkin_status() -> CheckinStatus:
    """The member's streak, whether they checked in today, and the cycle."""
    member = api.member()
    return checkins.status(member.tenant_id, member.contact_id)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
