"""Points entities (account, lots, entries) and the API's input and output models."""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared.models import Model, Name

EntryType = Literal[
    "credit",  # earned: campaign, check-in, order
    "debit",  # spent on a reward
    "reversal",  # taken back because the order that earned it was refunded
    "expiry",  # a lot reached its expiry with points left
    "adjustment",  # a staff member's correction, either way
    "restore",  # a cancelled redemption gave its points back
    "merge_in",  # an absorbed contact's points arrived
    "merge_out",  # this contact was merged into another
]
ENTRY_TYPES: tuple[str, ...] = EntryType.__args__  # type: ignore[attr-defined]
NEVER = "9999-12-31T23:59:59.999Z"  # the expiry of lots that never expire: sorts after every real one


class Lot(Model):
    """Points credited together, spent first-to-expire-first; kept until it expires."""

    lot_id: str
    points: int
    remaining: int
    expires_at: str  # RFC 3339 UTC, or NEVER
    source: str
    warned: bool = False  # a warning about this lot's expiry was published


class Draw(Model):
    """How many points an entry took from (negative) or put into (positive) a lot."""

    lot_id: str
    points: int


class Account(Model):
    """One item per contact: balance, open lots and the counters caps and tiers need.

    Keeping the lots inside the account item means every ledger change is one conditional write
    of one item (plus its entry), whatever the number of lots it touches."""

    tenant_id: str
    contact_id: str
    balance: int = 0
    lifetime_earned: int = 0
    tier: str | None = None
    lots: list[Lot] = Field(default_factory=list)
    earned_by_month: dict[str, int] = Field(default_factory=dict)  # local "YYYY-MM" → points earned
    caps_used: dict[str, int] = Field(default_factory=dict)  # "source|period|key" → points earned
    merged_into: str | None = None
    due_at: str | None = None  # when the scheduled sweep next has work here (expiry, warning, tier)
    version: int = 0  # 0: no account item yet


class Entry(Model):
    """An immutable ledger line; ``points`` is the signed change to the balance."""

    entry_id: str
    type: EntryType
    points: int
    balance_after: int
    reason: str
    source: str
    created_at: str
    earned: int = 0  # the change to lifetime earned (credits, reversals, positive adjustments)
    capped: int = 0  # points a cap withheld from this credit
    unrecovered: int = 0  # a reversal's points the balance could not cover
    lots: list[Draw] = Field(default_factory=list)
    expires_at: str | None = None  # credits: when their lot expires
    actor: str | None = None  # adjustments: the staff member
    related_contact_id: str | None = None  # merges: the other contact


class ExpiringPoints(Model):
    points: int
    expires_at: str


class AccountView(Model):
    balance: int
    lifetime_earned: int
    tier: str | None
    expiring: list[ExpiringPoints] = Field(description="Points that will expire, soonest first, by expiry time.")


class StaffAccountView(AccountView):
    contact_id: str
    merged_into: str | None


class EntryList(Model):
    items: list[Entry]
    next_cursor: str | None


class CheckinState(Model):
    last_date: date | None = None
    streak: int = 0


class CheckinDone(Model):
    date: date
    day_of_streak: int
    points: int
    balance: int


class CheckinStatus(Model):
    today: date
    checked_in_today: bool
    streak: int
    next_points: int
    cycle: list[int]


Reason = Annotated[Name, StringConstraints(max_length=200)]


class AdjustmentRequest(Model):
    model_config = ConfigDict(extra="forbid")

    points: Annotated[int, Field(ge=-10_000_000, le=10_000_000)] = Field(description="Non-zero; negative debits.")
    reason: Reason


class AdjustmentDone(Model):
    entry: Entry
    balance: int


class Statement(Model):
    month: str
    opening: int
    earned: int = Field(description="Credits and positive adjustments, less reversals.")
    spent: int = Field(description="Debits and negative adjustments, less restored redemptions.")
    expired: int
    merged: int = Field(description="Points moved in (+) or out (-) by contact merges.")
    closing: int


class SweepReport(Model):
    accounts: int = 0
    lots_expired: int = 0
    points_expired: int = 0
    warnings: int = 0


class PointsDay(Model):
    date: date
    points_issued: int = Field(description="Points credited (campaigns, check-ins, orders) or added by staff.")
    points_redeemed: int = Field(description="Points spent on rewards that day.")
    redemptions: int = Field(description="Rewards redeemed that day.")
    redemptions_cancelled: int = Field(description="Redemptions cancelled that day.")
    points_restored: int = Field(description="Points the cancelled redemptions gave back that day.")
    points_expired: int = Field(description="Points that expired that day.")


class PointsDailyStats(Model):
    zone: str = Field(description="The tenant's points time zone (its policy's), the days' zone.")
    days: list[PointsDay] = Field(description="Every day of the window, oldest first (today last), zeros included.")
