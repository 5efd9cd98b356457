"""Daily check-in (签到): one a day in the tenant's time zone, points by position in the streak."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.points.dal import ledger as dal
from services.points.logic.ledger import HolderMoved, credit, holder_id
from services.points.models import CheckinDone, CheckinState, CheckinStatus, Entry
from services.points.policy import PointsPolicy
from shared.clock import utc_now
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import Conflict
from shared.retry import retry_on_race


def local_day(moment: datetime, policy: PointsPolicy) -> date:
    return moment.astimezone(policy.zone()).date()


def next_streak(state: CheckinState, today: date) -> int:
    """Yesterday continues the streak; any other gap starts it again at day 1."""
    return state.streak + 1 if state.last_date == today - timedelta(days=1) else 1


def check_in(tenant_id: str, contact_id: str, now: datetime | None = None) -> CheckinDone:
    """The streak and the day's credit belong to the account holding the contact's points, so a
    member signed in as an alias (an old token) and as its survivor checks in once a day; a merge
    carries the later streak over to the survivor. A merge landing meanwhile: start again."""
    return retry_on_race(
        lambda _: _check_in(tenant_id, holder_id(tenant_id, contact_id), now), races=HolderMoved, attempts=3
    )


def _check_in(tenant_id: str, contact_id: str, now: datetime | None) -> CheckinDone:
    policy = dal.get_policy(tenant_id)
    today = local_day(now or utc_now(), policy)
    state = dal.get_checkin(tenant_id, contact_id)
    if state.last_date == today:
        raise Conflict("Already checked in today.", reason="already_checked_in")
    streak = next_streak(state, today)
    points = policy.checkin_points(streak)
    after = CheckinState(last_date=today, streak=streak)

    def record_streak(tx: Transaction, _: Entry) -> None:
        dal.save_checkin(tx, tenant_id, contact_id, state, after)

    try:
        # The credit's source is the holder's local day: a second check-in that day, even a
        # simultaneous one, fails on it in the data layer.
        applied = credit(
            tenant_id,
            contact_id,
            points,
            "checkin",
            f"checkin:{contact_id}:{today.isoformat()}",
            kind="checkin",
            record=record_streak,
            policy=policy,
            holder_only=True,
        )
    except AlreadyProcessed:
        raise Conflict("Already checked in today.", reason="already_checked_in") from None
    credited = applied.plan.entry.points if applied.plan.entry else 0
    return CheckinDone(date=today, day_of_streak=streak, points=credited, balance=applied.account.balance)


def status(tenant_id: str, contact_id: str, now: datetime | None = None) -> CheckinStatus:
    contact_id = holder_id(tenant_id, contact_id)
    policy = dal.get_policy(tenant_id)
    today = local_day(now or utc_now(), policy)
    state = dal.get_checkin(tenant_id, contact_id)
    done = state.last_date == today
    current = state.streak if done or state.last_date == today - timedelta(days=1) else 0
    upcoming = next_streak(state, today + timedelta(days=1) if done else today)
    return CheckinStatus(
        today=today,
        checked_in_today=done,
        streak=current,
        next_points=policy.checkin_points(upcoming),
        cycle=policy.checkin_cycle,
    )
