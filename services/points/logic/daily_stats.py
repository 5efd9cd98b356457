"""The tenant's points figures per business day: what each ledger entry adds to its day, and the
window the dashboard reads. Days are the policy's time zone's."""

from __future__ import annotations

from services.points.dal import ledger as dal
from services.points.models import Entry, PointsDailyStats, PointsDay
from services.points.policy import PointsPolicy
from shared import daily
from shared.clock import utc_now

COUNTED = [name for name in PointsDay.model_fields if name != "date"]


def counters(entry: Entry) -> dict[str, int]:
    """What an entry adds to its day's figures. Reversals, negative adjustments and merges move
    points without issuing, redeeming or expiring any: they count in none."""
    if entry.type == "credit" or (entry.type == "adjustment" and entry.points > 0):
        return {"points_issued": entry.points}
    if entry.type == "debit":
        return {"points_redeemed": -entry.points, "redemptions": 1}
    if entry.type == "restore":
        return {"points_restored": entry.points, "redemptions_cancelled": 1}
    if entry.type == "expiry":
        return {"points_expired": -entry.points}
    return {}


def tally(entry: Entry | None, policy: PointsPolicy) -> daily.DayCount | None:
    """The entry's counts on its business day, written in the entry's own transaction."""
    if entry is None:
        return None
    return daily.DayCount(daily.business_day(entry.created_at, policy.time_zone), counters(entry))


def daily_stats(tenant_id: str, days: int) -> PointsDailyStats:
    """Points issued, redeemed, restored and expired per business day over the last ``days`` days."""
    zone = dal.get_policy(tenant_id).time_zone
    rows = dal.daily_figures(tenant_id, daily.window(zone, days, utc_now()), COUNTED)
    return PointsDailyStats(zone=zone, days=[PointsDay.model_validate(row) for row in rows])
