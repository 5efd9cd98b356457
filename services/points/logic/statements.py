"""Monthly statements: opening, earned, spent, expired, merged and closing, by the tenant's month."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.points.dal import ledger as dal
from services.points.logic.ledger import holder_id
from services.points.models import Statement


def month_bounds(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of a local month and of the next one."""
    year, number = map(int, month.split("-"))
    return datetime(year, number, 1, tzinfo=zone), datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)


def statement(tenant_id: str, contact_id: str, month: str) -> Statement:
    """The statement of the account that holds the contact's points (the survivor's after a merge)."""
    contact_id = holder_id(tenant_id, contact_id)
    start, end = month_bounds(month, dal.get_policy(tenant_id).zone())
    before = dal.last_entry_before(tenant_id, contact_id, start.timestamp())
    opening = before.balance_after if before else 0
    earned = spent = expired = merged = 0
    for entry in dal.entries_between(tenant_id, contact_id, start.timestamp(), end.timestamp()):
        if entry.type in ("credit", "reversal") or (entry.type == "adjustment" and entry.points > 0):
            earned += entry.points
        elif entry.type in ("debit", "restore", "adjustment"):
            spent -= entry.points
        elif entry.type == "expiry":
            expired -= entry.points
        else:
            merged += entry.points
    return Statement(
        month=month,
        opening=opening,
        earned=earned,
        spent=spent,
        expired=expired,
        merged=merged,
        closing=opening + earned - spent - expired + merged,
    )
