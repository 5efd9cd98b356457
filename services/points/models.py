"""Points API models and stored entities."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


class Account(BaseModel):
    tenant_id: str
    contact_id: str
    balance: int = 0
    lifetime_earned: int = 0
    version: int = 0  # 0: no account item yet


class Entry(BaseModel):
    entry_id: str
    type: Literal["credit", "debit"]
    points: int
    balance_after: int
    reason: str
    source: str
    created_at: str


class AccountView(BaseModel):
    balance: int
    lifetime_earned: int


class StaffAccountView(AccountView):
    contact_id: str


class EntryList(BaseModel):
    items: list[Entry]
    next_cursor: str | None


class CheckinState(BaseModel):
    last_date: date | None = None
    streak: int = 0


class CheckinDone(BaseModel):
    date: date
    day_of_streak: int
    points: int
    balance: int


class CheckinStatus(BaseModel):
    today: date
    checked_in_today: bool
    streak: int
    next_points: int
    cycle: list[int]
