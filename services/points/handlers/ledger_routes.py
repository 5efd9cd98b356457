"""Ledger routes: balances, entries, statements, adjustments, policy, check-ins, the sweep.
Parse, authorise, call the logic, shape the answer. No rules here."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from services.points.dal import ledger
from services.points.handlers.resolver import api
from services.points.logic import adjustments, book, checkins, statements, sweep
from services.points.models import (
    ENTRY_TYPES,
    Account,
    AccountView,
    AdjustmentRequest,
    CheckinStatus,
    EntryList,
    EntryType,
    StaffAccountView,
    Statement,
)
from services.points.policy import PointsPolicy
from shared.clock import now_rfc3339
from shared.errors import NotFound
from shared.http import json_response
from shared.params import Cursor, Id, Limit

Types = Annotated[list[EntryType] | None, Query(max_length=len(ENTRY_TYPES), alias="type")]
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM, the tenant's local month.")]


def _view(account: Account) -> AccountView:
    return AccountView(
        balance=account.balance,
        lifetime_earned=account.lifetime_earned,
        tier=account.tier,
        expiring=book.expiring(account.lots),
    )


def _known(tenant_id: str, contact_id: str) -> None:
    if not ledger.contact_known(tenant_id, contact_id):
        raise NotFound("No such contact.")


@api.route("GET /v1/me/points")
def my_points() -> AccountView:
    """The member's balance, lifetime points earned, tier and points about to expire."""
    member = api.member()
    return _view(ledger.get_account(member.tenant_id, member.contact_id))


@api.route("GET /v1/me/points/entries")
def my_entries(limit: Limit = 50, cursor: Cursor = None, types: Types = None) -> EntryList:
    """The member's ledger entries, newest first (optionally only some types)."""
    member = api.member()
    items, next_cursor = ledger.list_entries(member.tenant_id, member.contact_id, limit, cursor, types)
    return EntryList(items=items, next_cursor=next_cursor)


@api.route("GET /v1/me/points/statement")
def my_statement(month: Month) -> Statement:
    """The member's statement for a month: opening, earned, spent, expired, merged, closing."""
    member = api.member()
    return statements.statement(member.tenant_id, member.contact_id, month)


@api.route("GET /v1/contacts/{contact_id}/points")
def contact_points(contact_id: Id) -> StaffAccountView:
    """A contact's account (staff)."""
    tenant_id = api.staff().tenant_id
    _known(tenant_id, contact_id)
    account = ledger.get_account(tenant_id, contact_id)
    return StaffAccountView(**_view(account).model_dump(), contact_id=contact_id, merged_into=account.merged_into)


@api.route("GET /v1/contacts/{contact_id}/points/entries")
def contact_entries(contact_id: Id, limit: Limit = 50, cursor: Cursor = None, types: Types = None) -> EntryList:
    """A contact's ledger entries, newest first, optionally filtered by type (staff)."""
    tenant_id = api.staff().tenant_id
    _known(tenant_id, contact_id)
    items, next_cursor = ledger.list_entries(tenant_id, contact_id, limit, cursor, types)
    return EntryList(items=items, next_cursor=next_cursor)


@api.route("POST /v1/contacts/{contact_id}/points/adjustments")
def adjust(contact_id: Id, body: AdjustmentRequest) -> Response[str]:
    """Credit or debit a contact's points with a reason; a debit never takes the balance below 0
    (accepts Idempotency-Key)."""
    staff = api.staff()
    answer = adjustments.adjust(staff.tenant_id, contact_id, body, staff.staff_id, api.idempotency_key())
    return Response(status_code=201, content_type="application/json", body=answer)


@api.route("GET /v1/points/policy")
def get_policy() -> PointsPolicy:
    """The tenant's points policy (defaults until an admin sets one)."""
    return ledger.get_policy(api.staff().tenant_id, fresh=True)


@api.route("PUT /v1/points/policy")
def put_policy(body: PointsPolicy) -> PointsPolicy:
    """Replace the tenant's points policy; it applies from now on and rewrites no past entry."""
    staff = api.staff()
    ledger.put_policy(staff.tenant_id, body, staff.staff_id, now_rfc3339())
    return body


@api.route("POST /v1/points/sweeps")
def run_sweep() -> sweep.SweepReport:
    """Run the scheduled sweep now for this tenant: expire due lots, warn, review tiers."""
    return sweep.sweep(api.staff().tenant_id)


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
