"""The SLA sweep (every minute, and on demand): marks breaches and closes resolved cases whose
auto-close time has come.

It reads only the sparse due index (cases whose next SLA target or auto-close falls due), never
the cases themselves in bulk. Each case is changed over the version read and a target is
recorded in ``breached`` with its event in the same write, so a breach is published exactly
once however often (or concurrently) the sweep runs.
"""

from __future__ import annotations

from datetime import datetime

from services.cases.dal import cases as dal
from services.cases.logic import sla
from services.cases.logic.changes import CaseChange
from services.cases.models import Actor, Case, SweepReport
from shared.clock import rfc3339, utc_now
from shared.errors import ConcurrentUpdate
from shared.events import cases as events

MOST_PER_SHARD = 1000  # per run; a backlog beyond it is taken up by the next run
SWEEPER = Actor(kind="system", id="sla")


def _sweep_change(case: Case, now: str) -> CaseChange | None:
    targets = sla.overdue(case, now)
    closing = case.status == "resolved" and case.close_due_at is not None and case.close_due_at <= now
    if not targets and not closing:
        return None
    change = CaseChange.of(case, SWEEPER, now)
    for target in targets:
        change.case.breached.append(target)  # type: ignore[arg-type]
        change.note(f"SLA {target} target missed")
        change.write.events.append(
            events.CaseSlaBreached(
                case_id=case.case_id,
                contact_id=case.contact_id,
                target=target,
                due_at=case.sla_pending()[target],
                priority=case.priority,
                assignee=case.assignee,
            )
        )
    if closing:
        change.move("closed", "closed automatically after resolution")
    return change


def sweep(tenant_id: str | None = None, now: datetime | None = None) -> SweepReport:
    """Every due case (of one tenant, when given)."""
    moment = rfc3339(now or utc_now())
    report = SweepReport()
    for shard in range(dal.SLA_SHARDS):
        for tenant, case_id in dal.due_for_sla(shard, moment, MOST_PER_SHARD):
            if tenant_id is not None and tenant != tenant_id:
                continue
            case = dal.get_case(tenant, case_id)
            change = _sweep_change(case, moment) if case else None
            if change is None:
                continue
            try:
                dal.commit(change.write)
            except ConcurrentUpdate:
                continue  # it moved meanwhile; the next run sees it as it is now
            report.breaches += len(change.case.breached) - len(case.breached)  # type: ignore[union-attr]
            report.closed += change.case.status == "closed"
    return report
