"""Ledger routes: balances, entries, statements, adjustments, policy, check-ins, the sweep.
Parse, authorise, call the logic, shape the answer. No rules here.

Each route imports the logic it calls when it is first called: the function's cold start pays
only for the resolver and the models its routes are declared with."""

from __future__ import annotations

from typing import Annotated

from services.points.handlers.resolver import api
from services.points.models import (
    ENTRY_TYPES,
    AccountView,
    AdjustmentDone,
    AdjustmentRequest,
    CheckinDone,
    CheckinStatus,
    EntryList,
    EntryType,
    PointsDailyStats,
    StaffAccountView,
    Statement,
    SweepReport,
)
from services.points.policy import PointsPolicy
from shared.clock import now_rfc3339
from shared.params import Cursor, Days, Id, Limit, Query

Types = Annotated[list[EntryType] | None, Query(max_length=len(ENTRY_TYPES), alias="type")]
Month = Annotated[
    str, Query(pattern=r"^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$", description="YYYY-MM, the tenant's local month.")
]


@api.route("GET /v1/me/points")
def my_points() -> AccountView:
    """The member's balance, lifetime points earned, tier and points about to expire."""
    from services.points.logic import accounts

    member = api.member()
    return accounts.member_account(member.tenant_id, member.contact_id)


@api.route("GET /v1/me/points/entries")
def my_entries(limit: Limit = 50, cursor: Cursor = None, types: Types = None) -> EntryList:
    """The member's ledger entries, newest first (optionally only some types)."""
    from services.points.logic import accounts

    member = api.member()
    items, next_cursor = accounts.member_entries(member.tenant_id, member.contact_id, limit, cursor, types)
    return EntryList(items=items, next_cursor=next_cursor)


@api.route("GET /v1/me/points/statement")
def my_statement(month: Month) -> Statement:
    """The member's statement for a month: opening, earned, spent, expired, merged, closing."""
    from services.points.logic import statements

    member = api.member()
    return statements.statement(member.tenant_id, member.contact_id, month)


@api.route("GET /v1/contacts/{contact_id}/points")
def contact_points(contact_id: Id) -> StaffAccountView:
    """A contact's account (staff)."""
    from services.points.logic import accounts

    return accounts.staff_account(api.staff().tenant_id, contact_id)


@api.route("GET /v1/contacts/{contact_id}/points/entries")
def contact_entries(contact_id: Id, limit: Limit = 50, cursor: Cursor = None, types: Types = None) -> EntryList:
    """A contact's ledger entries, newest first, optionally filtered by type (staff)."""
    from services.points.logic import accounts

    items, next_cursor = accounts.staff_entries(api.staff().tenant_id, contact_id, limit, cursor, types)
    return EntryList(items=items, next_cursor=next_cursor)


@api.route("POST /v1/contacts/{contact_id}/points/adjustments", status=201, idempotent=True)
def adjust(contact_id: Id, body: AdjustmentRequest) -> AdjustmentDone:
    """Credit or debit a contact's points with a reason; a debit never takes the balance below 0
    (accepts Idempotency-Key). A contact created moments ago can be adjusted at once."""
    from services.points.logic import adjustments

    staff = api.staff()
    return adjustments.adjust(staff.tenant_id, contact_id, body, staff.staff_id, api.idempotency_key())


@api.route("GET /v1/points/policy")
def get_policy() -> PointsPolicy:
    """The tenant's points policy (defaults until an admin sets one)."""
    from services.points.logic import accounts

    return accounts.policy(api.staff().tenant_id)


@api.route("PUT /v1/points/policy")
def put_policy(body: PointsPolicy) -> PointsPolicy:
    """Replace the tenant's points policy; it applies from now on and rewrites no past entry."""
    from services.points.logic import accounts

    staff = api.staff()
    return accounts.set_policy(staff.tenant_id, body, staff.staff_id, now_rfc3339())


@api.route("GET /v1/points/daily-stats")
def daily_stats(days: Days = 30) -> PointsDailyStats:
    """Points issued, redeemed, restored and expired per day over the last days (the policy's zone), oldest first."""
    from services.points.logic import daily_stats

    return daily_stats.daily_stats(api.staff().tenant_id, days)


@api.route("POST /v1/points/sweeps")
def run_sweep() -> SweepReport:
    """Run the scheduled sweep now for this tenant: expire due lots, warn, review tiers."""
    from services.points.logic import sweep

    return sweep.sweep(api.staff().tenant_id)


@api.route("POST /v1/me/checkins", status=201)
def check_in() -> CheckinDone:
    """Check in for today (the tenant's local day): points by the day of the streak; once a day."""
    from services.points.logic import checkins

    member = api.member()
    return checkins.check_in(member.tenant_id, member.contact_id)


@api.route("GET /v1/me/checkins")
def checkin_status() -> CheckinStatus:
    """The member's streak, whether they checked in today, and the cycle."""
    from services.points.logic import checkins

    member = api.member()
    return checkins.status(member.tenant_id, member.contact_id)
