"""Lead scoring: tenant rules turn facts into points; a score decays (halves every
``half_life_days`` without new points) and is graded A to D by thresholds.

A score is kept as one number and the moment it was true (``lead_millis`` at ``lead_as_of``);
its value at any later time is that number halved once per half-life since. A fact's points are
added at the fact's own time, so facts arriving out of order add up to the same score. The grade
falls with time alone: the moment it will cross its threshold is computed and joins the
contact's next check (``insight.due_at``), so the lifecycle sweep regrades it then.

Each contribution (rule, fact, points) is kept beside the contact (``dal/insight.py``), for
``GET /v1/contacts/{id}/score``. A rule's daily cap counts per contact and business day.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from services.contacts.logic import fact_rules
from services.contacts.models import BUSINESS_ZONE, Insight, TimelineEntry
from services.contacts.score_models import Contribution, Grade, LeadScoring
from shared import daily
from shared.clock import parse_rfc3339, rfc3339
from shared.errors import Unprocessable

MILLIS = 1000
CAP_DAYS = 3  # days of per-rule tallies kept: a fact arriving later than that is capped afresh


def decayed(millis: float, since: str | None, moment: datetime, scoring: LeadScoring) -> float:
    """A score of ``millis`` at ``since``, as worth at ``moment``."""
    if since is None or not scoring.half_life_days or millis == 0:
        return millis
    days = (moment - parse_rfc3339(since)).total_seconds() / 86_400
    return float(millis * 0.5 ** (days / scoring.half_life_days))


def grade_of(millis: float, scoring: LeadScoring) -> Grade:
    points = millis / MILLIS
    thresholds = scoring.grades
    if points >= thresholds.A:
        return "A"
    if points >= thresholds.B:
        return "B"
    if points >= thresholds.C:
        return "C"
    return "D"


def score_now(insight: Insight, scoring: LeadScoring, moment: datetime) -> float:
    return decayed(insight.lead_millis, insight.lead_as_of, moment, scoring)


def next_drop(insight: Insight, scoring: LeadScoring, moment: datetime) -> str | None:
    """When decay alone takes the score below its grade's threshold (None: grade D, or no decay)."""
    millis = score_now(insight, scoring, moment)
    grade = grade_of(millis, scoring)
    if grade == "D" or not scoring.half_life_days or millis <= 0:
        return None
    floor = getattr(scoring.grades, grade) * MILLIS
    days = scoring.half_life_days * math.log2(millis / floor)
    # A millisecond past the crossing, so the sweep finds it below.
    return rfc3339(moment + timedelta(days=days, milliseconds=1))


def with_points(
    insight: Insight, entry: TimelineEntry, scoring: LeadScoring
) -> tuple[Insight, list[tuple[str, str, int]]]:
    """The insight with the fact's points added; (rule id, rule name, points) of each rule it met."""
    rules = [rule for rule in scoring.rules if rule.on == entry.type and fact_rules.matches(entry, rule.when)]
    if not rules:
        return insight, []
    at = parse_rfc3339(entry.occurred_at)
    day = daily.business_day(at, BUSINESS_ZONE).isoformat()
    oldest = (daily.business_day(at, BUSINESS_ZONE) - timedelta(days=CAP_DAYS)).isoformat()
    caps = {rule_id: {d: used for d, used in days.items() if d > oldest} for rule_id, days in insight.lead_caps.items()}
    awarded: list[tuple[str, str, int]] = []
    for rule in rules:
        points = rule.points
        if rule.daily_cap is not None:
            used = caps.get(rule.rule_id, {}).get(day, 0)
            room = max(0, rule.daily_cap - used)
            points = max(-room, min(room, points))
            if points:
                caps.setdefault(rule.rule_id, {})[day] = used + abs(points)
        if points:
            awarded.append((rule.rule_id, rule.name, points))
    if not awarded:
        return insight.model_copy(update={"lead_caps": caps}), []
    gained = sum(points for _, _, points in awarded) * MILLIS
    as_of = insight.lead_as_of
    if as_of is None or entry.occurred_at >= as_of:  # older points decayed to the fact's time, then added
        millis = decayed(insight.lead_millis, as_of, at, scoring) + gained
        as_of = entry.occurred_at
    else:  # a late fact: its points decayed to the score's time
        millis = insight.lead_millis + decayed(gained, entry.occurred_at, parse_rfc3339(as_of), scoring)
    return insight.model_copy(update={"lead_millis": round(millis), "lead_as_of": as_of, "lead_caps": caps}), awarded


def folded(survivor: Insight, alias: Insight, scoring: LeadScoring) -> dict[str, Any]:
    """The survivor's score with a merged contact's added (both decayed to the later time)."""
    times = [t for t in (survivor.lead_as_of, alias.lead_as_of) if t]
    if not times:
        return {}
    as_of = max(times)
    moment = parse_rfc3339(as_of)
    millis = decayed(survivor.lead_millis, survivor.lead_as_of, moment, scoring)
    millis += decayed(alias.lead_millis, alias.lead_as_of, moment, scoring)
    return {"lead_millis": round(millis), "lead_as_of": as_of}


def contribution(item: dict[str, Any], scoring: LeadScoring, moment: datetime) -> Contribution:
    now = decayed(item["points"] * MILLIS, item["occurred_at"], moment, scoring) / MILLIS
    return Contribution.model_validate({**item, "points_now": round(now, 2)})


def check(scoring: LeadScoring) -> LeadScoring:
    """Refuse (422 at each condition's loc) conditions that do not fit their rule's fact type."""
    errors: list[dict[str, Any]] = []
    for index, rule in enumerate(scoring.rules):
        try:
            fact_rules.check(rule.on, rule.when, ["body", "rules", str(index), "when"])
        except Unprocessable as refused:
            errors += refused.extra["errors"]
    if errors:
        raise Unprocessable("A scoring rule's condition does not fit the fact it is about.", errors)
    return scoring
