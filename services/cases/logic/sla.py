"""SLA clocks: first-response and resolution targets in business minutes.

Both targets start when the case opens and share one clock. The clock runs while the case is
new, assigned or in progress; it stops while the case waits on the customer and once it is
resolved, and resumes where it stopped (a reply from the member, a reopen). ``used_minutes`` is
the business time counted before the last stop; due times exist only while the clock runs.
"""

from __future__ import annotations

from datetime import datetime

from services.cases.dal import routing as routing_dal
from services.cases.logic.business_time import add_minutes, minutes_between
from services.cases.logic.workflow import CLOCK_RUNS
from services.cases.models import BusinessHours, Case, CaseSettings, SlaClock, SlaView
from shared.clock import parse_rfc3339, rfc3339, utc_now

TARGETS = ("first_response", "resolution")


def _due(since: str, target: int, used: int, hours: BusinessHours) -> str:
    return rfc3339(add_minutes(parse_rfc3339(since), max(0, target - used), hours))


def _retime(clock: SlaClock, hours: BusinessHours) -> None:
    if clock.running_since is None:
        clock.first_response_due_at = clock.resolution_due_at = None
        return
    clock.first_response_due_at = _due(clock.running_since, clock.first_response_target, clock.used_minutes, hours)
    clock.resolution_due_at = _due(clock.running_since, clock.resolution_target, clock.used_minutes, hours)


def start(case: Case, settings: CaseSettings, at: str) -> None:
    target = settings.sla[case.priority]
    case.sla = SlaClock(
        first_response_target=target.first_response_minutes,
        resolution_target=target.resolution_minutes,
        running_since=at,
    )
    _retime(case.sla, settings.business_hours)


def follow(case: Case, settings: CaseSettings, at: str, *, priority_changed: bool = False) -> None:
    """Bring the clock in line with the case's status (and priority) after a change."""
    clock = case.sla
    if clock is None:
        return
    hours = settings.business_hours
    runs = case.status in CLOCK_RUNS
    if clock.running_since is not None and not runs:
        clock.used_minutes += minutes_between(parse_rfc3339(clock.running_since), parse_rfc3339(at), hours)
        clock.running_since = None
    elif clock.running_since is None and runs:
        clock.running_since = at
    elif not priority_changed:
        return
    if priority_changed:
        target = settings.sla[case.priority]
        clock.first_response_target = target.first_response_minutes
        clock.resolution_target = target.resolution_minutes
    _retime(clock, hours)


def overdue(case: Case, now: str) -> list[str]:
    return [target for target, due in case.sla_pending().items() if due <= now]


def view(case: Case, hours: BusinessHours, now: datetime) -> SlaView | None:
    """Due times and business minutes left (negative: overdue by that much)."""
    clock = case.sla
    if clock is None:
        return None

    def remaining(due: str | None, met: bool) -> int | None:
        if due is None or met:
            return None
        moment = parse_rfc3339(due)
        return minutes_between(now, moment, hours) if moment >= now else -minutes_between(moment, now, hours)

    first_met = case.first_response_at is not None
    return SlaView(
        first_response_due_at=None if first_met else clock.first_response_due_at,
        resolution_due_at=clock.resolution_due_at,
        first_response_remaining_minutes=remaining(clock.first_response_due_at, first_met),
        resolution_remaining_minutes=remaining(clock.resolution_due_at, False),
        paused=clock.running_since is None and case.is_open,
        breached=list(case.breached),
    )


def view_now(case: Case) -> SlaView | None:
    """The case's SLA as of now, in its tenant's business hours."""
    return view(case, routing_dal.settings(case.tenant_id).business_hours, utc_now())
