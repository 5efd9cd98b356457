"""The rules that compute an account's next state: lots, expiry dates, caps, earned windows and tiers.

Pure functions: no I/O, no clock of their own. Every change to an account is computed here from
the state that was read, and written back only over that same state (see ``dal.ledger``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.points.models import NEVER, Account, Draw, ExpiringPoints, Lot
from services.points.policy import EarningRule, PointsPolicy
from shared.clock import rfc3339
from shared.errors import Conflict

EARNED_MONTHS_KEPT = 13  # the rolling window needs 12; one more so a month boundary loses nothing


class InsufficientPoints(Conflict):
    pass


# ---- expiry --------------------------------------------------------------------------------


def _end_of_local_day(day: date, policy: PointsPolicy) -> str:
    """The last millisecond of a local day: lots credited the same day expire together."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=policy.zone())
    return rfc3339(next_midnight - timedelta(milliseconds=1))


def expiry_for(policy: PointsPolicy, moment: datetime) -> str:
    """When a lot credited at ``moment`` expires, by the policy in force at that moment."""
    today = moment.astimezone(policy.zone()).date()
    rule = policy.expiry
    if rule.rule == "never":
        return NEVER
    if rule.rule == "after_days":
        assert rule.days is not None
        return _end_of_local_day(today + timedelta(days=rule.days), policy)
    if rule.rule == "end_of_month":
        first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return _end_of_local_day(first_of_next - timedelta(days=1), policy)
    return _end_of_local_day(date(today.year, 12, 31), policy)


# ---- lots ----------------------------------------------------------------------------------


def by_expiry(lots: list[Lot]) -> list[Lot]:
    return sorted(lots, key=lambda lot: (lot.expires_at, lot.lot_id))


def draw(lots: list[Lot], points: int) -> tuple[list[Lot], list[Draw]]:
    """Take ``points`` from the lots, first to expire first. Returns the new lots and the draws."""
    if points > sum(lot.remaining for lot in lots):
        raise InsufficientPoints("Not enough points.", reason="insufficient_points")
    left = points
    drawn: list[Draw] = []
    result: list[Lot] = []
    for lot in by_expiry(lots):
        take = min(left, lot.remaining)
        if take > 0:
            drawn.append(Draw(lot_id=lot.lot_id, points=-take))
            left -= take
        result.append(lot.model_copy(update={"remaining": lot.remaining - take}) if take > 0 else lot)
    return result, drawn


def draw_from(lots: list[Lot], wanted: dict[str, int]) -> tuple[list[Lot], list[Draw]]:
    """Take up to ``wanted[lot_id]`` points from named lots (what is left in them, no more)."""
    drawn: list[Draw] = []
    result: list[Lot] = []
    for lot in lots:
        take = min(wanted.get(lot.lot_id, 0), lot.remaining)
        if take > 0:
            drawn.append(Draw(lot_id=lot.lot_id, points=-take))
        result.append(lot.model_copy(update={"remaining": lot.remaining - take}) if take > 0 else lot)
    return result, drawn


def give_back(lots: list[Lot], draws: list[Draw], now: str, new_lot: Lot) -> tuple[list[Lot], list[Draw]]:
    """Return drawn points to their lots while those are still valid; the rest becomes ``new_lot``."""
    owed = {d.lot_id: -d.points for d in draws if d.points < 0}
    returned: list[Draw] = []
    result: list[Lot] = []
    for lot in lots:
        back = owed.pop(lot.lot_id, 0)
        if back and lot.expires_at > now:
            returned.append(Draw(lot_id=lot.lot_id, points=back))
            result.append(lot.model_copy(update={"remaining": lot.remaining + back}))
            continue
        if back:
            owed[lot.lot_id] = back
        result.append(lot)
    rest = sum(owed.values())
    if rest:
        result.append(new_lot.model_copy(update={"points": rest, "remaining": rest}))
        returned.append(Draw(lot_id=new_lot.lot_id, points=rest))
    return result, returned


def prune(lots: list[Lot], now: str) -> list[Lot]:
    """Forget spent lots once nothing can be given back to them (expired, or never expiring)."""
    return [lot for lot in lots if lot.remaining > 0 or (lot.expires_at > now and lot.expires_at != NEVER)]


def due(lots: list[Lot], now: str) -> list[Lot]:
    return [lot for lot in by_expiry(lots) if lot.remaining > 0 and lot.expires_at <= now]


def expiring(lots: list[Lot]) -> list[ExpiringPoints]:
    totals: dict[str, int] = {}
    for lot in lots:
        if lot.remaining > 0 and lot.expires_at != NEVER:
            totals[lot.expires_at] = totals.get(lot.expires_at, 0) + lot.remaining
    return [ExpiringPoints(points=p, expires_at=at) for at, p in sorted(totals.items())]


def to_warn(lots: list[Lot], policy: PointsPolicy, now: datetime) -> list[Lot]:
    horizon = rfc3339(now + timedelta(days=policy.expiry_warning_days))
    return [
        lot
        for lot in lots
        if lot.remaining > 0 and not lot.warned and lot.expires_at != NEVER and lot.expires_at <= horizon
    ]


# ---- caps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    points: int  # what may be credited now
    capped: int  # what the caps withheld
    caps_used: dict[str, int]  # the account's counters after the credit


def _periods(moment: datetime, policy: PointsPolicy) -> dict[str, str]:
    local = moment.astimezone(policy.zone()).date()
    year, week, _ = local.isocalendar()
    return {"day": local.isoformat(), "week": f"{year}-W{week:02d}", "month": local.strftime("%Y-%m")}


def rule_for(policy: PointsPolicy, source_kind: str, brand: str | None = None) -> EarningRule | None:
    """The most specific earning rule: the brand's own, else the one for every brand."""
    candidates = [r for r in policy.earning_rules if r.source == source_kind and r.brand in (brand, None)]
    candidates.sort(key=lambda r: r.brand is None)
    return candidates[0] if candidates else None


def allowance(
    account: Account, policy: PointsPolicy, source_kind: str, brand: str | None, points: int, moment: datetime
) -> Allowance:
    """How much of a credit its rule's caps let through; counters of past periods are dropped."""
    periods = _periods(moment, policy)
    current = {key for key in account.caps_used if key.rsplit("|", 1)[1] in periods.values()}
    used = {key: value for key, value in account.caps_used.items() if key in current}
    rule = rule_for(policy, source_kind, brand)
    allowed = points
    keys: list[str] = []
    if rule is not None:
        scope = f"{source_kind}:{rule.brand or '*'}"
        for name, period in periods.items():
            limit: int | None = getattr(rule.caps, name)
            if limit is None:
                continue
            key = f"{scope}|{name}|{period}"
            keys.append(key)
            allowed = min(allowed, max(0, limit - used.get(key, 0)))
    for key in keys:
        used[key] = used.get(key, 0) + allowed
    return Allowance(points=allowed, capped=points - allowed, caps_used=used)


# ---- earned and tiers ----------------------------------------------------------------------


def _month(moment: datetime, policy: PointsPolicy) -> str:
    return moment.astimezone(policy.zone()).strftime("%Y-%m")


def _months_back(month: str, count: int) -> str:
    year, number = map(int, month.split("-"))
    index = year * 12 + (number - 1) - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_earned(account: Account, points: int, moment: datetime, policy: PointsPolicy) -> dict[str, int]:
    """The per-month earned counters after earning (or, negative, reversing) ``points``."""
    month = _month(moment, policy)
    oldest = _months_back(month, EARNED_MONTHS_KEPT - 1)
    counters = {m: v for m, v in account.earned_by_month.items() if m >= oldest}
    if points:
        counters[month] = counters.get(month, 0) + points
    return counters


def earned_in_window(account: Account, policy: PointsPolicy, moment: datetime) -> int:
    if policy.tier_window == "lifetime":
        return account.lifetime_earned
    first = _months_back(_month(moment, policy), 11)
    return max(0, sum(v for m, v in account.earned_by_month.items() if m >= first))


def tier_for(account: Account, policy: PointsPolicy, moment: datetime) -> str:
    earned = earned_in_window(account, policy, moment)
    return [t.name for t in policy.tiers if t.min_points <= earned][-1]


def tier_rank(policy: PointsPolicy, tier: str | None) -> int:
    names = [t.name for t in policy.tiers]
    return names.index(tier) if tier in names else -1


def next_month_start(moment: datetime, policy: PointsPolicy) -> datetime:
    local = moment.astimezone(policy.zone()).date()
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(), tzinfo=policy.zone())


# ---- when the scheduled sweep must look at an account again ---------------------------------


def next_due(account: Account, policy: PointsPolicy, moment: datetime) -> str | None:
    """The earliest time the sweep has work on this account: a lot to expire, a warning to send,
    or a tier that may fall. None when there is nothing to look at."""
    times: list[str] = []
    for lot in account.lots:
        if lot.remaining <= 0 or lot.expires_at == NEVER:
            continue
        if not lot.warned and policy.expiry_warning_days:
            expires = datetime.fromisoformat(lot.expires_at)
            times.append(rfc3339(expires - timedelta(days=policy.expiry_warning_days)))
        else:
            times.append(lot.expires_at)
    if account.tier is not None and tier_rank(policy, account.tier) > 0:
        if tier_rank(policy, tier_for(account, policy, moment)) < tier_rank(policy, account.tier):
            times.append(rfc3339(moment))
        elif policy.tier_window != "lifetime":
            times.append(rfc3339(next_month_start(moment, policy)))
    return min(times) if times else None
