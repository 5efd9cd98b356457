"""Wecom's jobs: long work in bounded steps (a directory or group sync, a nightly reconciliation,
a transfer's batches), run by ``wecom-jobs`` one ``WeComJobStepped`` event at a time.

A kind is a module with ``step(job) -> StepOutcome``, named in ``KINDS`` (imported only when a
job of the kind runs). A step does bounded work from ``job.cursor`` and answers the new cursor,
progress and result; its effects must be idempotent (a step that dies is run again from the same
cursor when SQS redelivers its event). The outcome is saved on the condition that the job is still
at that step, with the next step's event unless it is the last: a duplicate event finds the job
moved on and does nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from services.wecom.dal import jobs as dal
from services.wecom.models import JobProgress, WeComJob, WeComJobView
from shared import ids
from shared.clock import now_rfc3339
from shared.errors import NotFound
from shared.events.wecom import WeComJobStepped
from shared.observability import logger

# Kind → the module whose ``step`` runs it.
KINDS: dict[str, str] = {
    "directory_sync": "services.wecom.logic.directory_sync",
    "reconcile": "services.wecom.logic.reconcile",
    "transfer": "services.wecom.logic.transfers",
    "group_sync": "services.wecom.logic.group_sync",
}


@dataclass(frozen=True)
class StepOutcome:
    cursor: str | None
    progress: JobProgress
    result: dict[str, Any] = field(default_factory=dict)
    finished: bool = False
    failed: str | None = None  # the job ends failed with this reason
    events: list[BaseModel] = field(default_factory=list)  # published with the step's save


StepFunction = Callable[[WeComJob], StepOutcome]


def _step_function(kind: str) -> StepFunction:
    module = KINDS.get(kind)
    if module is None:
        raise LookupError(f"no wecom job kind {kind!r}")
    function: StepFunction = importlib.import_module(module).step
    return function


def start(tenant_id: str, kind: str, params: dict[str, Any], created_by: str) -> WeComJob:
    """A new job, queued with its first step's event."""
    now = now_rfc3339()
    job = WeComJob(
        tenant_id=tenant_id,
        job_id=ids.new_id("wj_"),
        kind=kind,
        params=params,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    dal.create(job, [WeComJobStepped(job_id=job.job_id, kind=kind, step=0)])
    return job


def view(tenant_id: str, job_id: str) -> WeComJobView:
    job = dal.get(tenant_id, job_id)
    if job is None:
        raise NotFound("No such job.")
    return WeComJobView.model_validate(job.model_dump())


def run_step(tenant_id: str, stepped: WeComJobStepped) -> None:
    job = dal.get(tenant_id, stepped.job_id)
    if job is None or job.status not in ("queued", "running") or job.step != stepped.step:
        logger.info("wecom job step not due", extra={"job_id": stepped.job_id, "step": stepped.step})
        return
    outcome = _step_function(job.kind)(job)
    status = "failed" if outcome.failed else "succeeded" if outcome.finished else "running"
    after = job.model_copy(
        update={
            "status": status,
            "step": job.step + 1,
            "cursor": outcome.cursor,
            "progress": outcome.progress,
            "result": {**job.result, **outcome.result},
            "error": outcome.failed,
            "updated_at": now_rfc3339(),
        }
    )
    events = list(outcome.events)
    if status == "running":
        events.append(WeComJobStepped(job_id=job.job_id, kind=job.kind, step=after.step))
    try:
        dal.save(job, after, events)
    except dal.JobMoved:
        logger.info("wecom job step ran twice; the other run saved it", extra={"job_id": job.job_id})
