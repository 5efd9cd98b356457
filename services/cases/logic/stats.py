"""Case statistics for managers: open cases by status and queue, first-response and resolution
medians (business minutes), SLA hit rates, CSAT, and the same per agent.

Figures cover the cases opened in the period asked for (30 days by default); agents' open loads
are their live counters. Resolution time is the SLA clock's business minutes, so time spent
waiting on the customer does not count against the team.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from statistics import median

from services.cases.api_models import AgentFigures, CsatFigures, Figures, Stats
from services.cases.dal import cases as dal
from services.cases.dal import routing as routing_dal
from services.cases.logic.business_time import minutes_between
from services.cases.models import Agent, BusinessHours, Case
from shared.clock import parse_rfc3339


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def _figures(cases: list[Case], hours: BusinessHours) -> Figures:
    first = [
        minutes_between(parse_rfc3339(c.created_at), parse_rfc3339(c.first_response_at), hours)
        for c in cases
        if c.first_response_at
    ]
    resolved = [c for c in cases if c.resolutions and c.sla is not None]
    met = missed = 0
    for case in cases:
        settled_first = case.first_response_at is not None or "first_response" in case.breached
        settled_resolution = case.resolutions > 0 or "resolution" in case.breached
        for target, settled in (("first_response", settled_first), ("resolution", settled_resolution)):
            if settled:
                missed += target in case.breached
                met += target not in case.breached
    ratings = [c.csat.rating for c in cases if c.csat is not None]
    return Figures(
        cases=len(cases),
        resolved=len(resolved),
        first_response_median_minutes=_median(first),
        resolution_median_minutes=_median([c.sla.used_minutes for c in resolved if c.sla]),
        sla_hit_rate=round(met / (met + missed), 4) if met + missed else None,
        csat=CsatFigures(
            responses=len(ratings),
            average=round(sum(ratings) / len(ratings), 2) if ratings else None,
            distribution=dict(sorted(Counter(ratings).items())),
        ),
    )


def compute(cases: Iterable[Case], agents: Iterable[Agent], hours: BusinessHours, period_days: int) -> Stats:
    everything = list(cases)
    open_cases = [c for c in everything if c.is_open]
    by_agent: dict[str, list[Case]] = defaultdict(list)
    for case in everything:
        if case.assignee:
            by_agent[case.assignee].append(case)
    loads = {agent.staff_id: agent.open_cases for agent in agents}
    return Stats(
        period_days=period_days,
        open_by_status=dict(sorted(Counter(c.status for c in open_cases).items())),
        open_by_queue=dict(sorted(Counter(c.queue_id or "-" for c in open_cases).items())),
        overall=_figures(everything, hours),
        per_agent={
            staff_id: AgentFigures(
                **_figures(by_agent.get(staff_id, []), hours).model_dump(), open_cases=loads.get(staff_id, 0)
            )
            for staff_id in sorted(set(by_agent) | set(loads))
        },
    )


def for_tenant(tenant_id: str, days: int) -> Stats:
    """The figures over the tenant's cases opened in the last ``days`` days."""
    routing = routing_dal.routing(tenant_id)
    opened = dal.cases_since(tenant_id, time.time() - days * 86400)
    return compute(opened, routing.agents, routing.settings.business_hours, days)
