"""Jobs: long work (a 100k-row import, a segment backfill or export, a PIPL bundle, bulk tagging)
done in bounded steps by contacts' own consumer, with progress staff can follow.

A job is one item (``dal/jobs.py``): its kind, status (``awaiting_upload`` → ``queued`` →
``running`` → ``succeeded`` | ``failed`` | ``cancelled``), progress {total, done, failed}, who
created it and when, ``step`` (the number of the next step), ``cursor`` (where that step starts,
opaque to all but the kind), ``params``, ``result`` and ``error``.

Running it:

1. ``create`` writes the job (``start=True``: queued at once, with its first step event);
   ``start`` queues a job that waited for its input (an import's upload).
2. Queuing publishes ``ContactsJobStepped {job_id, kind, step: 0}`` through the outbox, in the
   transaction that writes the job.
3. The ``contacts-jobs`` consumer (``handlers/jobs.py``) calls ``run_step``: it reads the job,
   ignores the event unless the job is queued or running at exactly that step (a duplicate or
   late event does nothing), takes a lease on the step (``STEP_LEASE_SECONDS``: a second delivery
   arriving meanwhile does nothing either) and calls the kind's step function. The step does bounded work
   (``STEP_SECONDS``, or what the kind bounds itself to) and answers a ``StepOutcome``.
4. In ONE transaction the job is saved on the condition that it is still at that step — its
   progress, cursor and result, ``step + 1`` — and, unless the outcome is final, the next
   ``ContactsJobStepped`` is published with it. Two deliveries of one step race for that write:
   one wins, the other's save fails and it stops (its effects, if any, were idempotent).
5. A step's effects must be idempotent on their own: a step that crashed half-way is retried
   from the same cursor (SQS redelivers the event), and re-applies what it had applied.

Failure: a step raising ``JobFailed`` (bad input: a file that is not CSV, too many rows) or an
error that no retry can fix (``shared.consumer.poison_reason``) ends the job ``failed`` with the
error; a race or a transient AWS error is raised, so SQS retries the step, and after the queue's
receives the event waits in the DLQ, from where a redrive resumes the job at that very step.

Adding a kind: a module exposing ``KIND = JobKind(name, roles, step)`` and a line in ``KINDS``
(its name → that module, imported only when a job of the kind runs or is read). ``roles`` are
the staff roles that may start the kind and read its jobs (the routes admit at least WRITERS).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.contacts.dal import jobs as dal
from services.contacts.job_models import FINISHED, RUNNABLE, Job, Progress
from shared import ids
from shared.auth.principal import StaffPrincipal
from shared.clock import now_rfc3339
from shared.errors import DomainError, NotFound, Unprocessable
from shared.events.contacts import ContactsJobStepped
from shared.observability import logger

STEP_SECONDS = 10.0  # a step's budget of wall time; the consumer's function has 60 s
# How long a delivery holds a step: past the function's 60 s, within the queue's visibility
# timeout (360 s), so a step whose runner died is taken again by its redelivered event.
STEP_LEASE_SECONDS = 120
MAX_ERROR_CHARS = 1000

# Kind name → the module whose ``KIND`` it is.
KINDS: dict[str, str] = {
    "contacts_import": "services.contacts.logic.imports",
    "segment_backfill": "services.contacts.logic.segment_backfill",
    "bulk_tag": "services.contacts.logic.bulk_tags",
    "segment_export": "services.contacts.logic.segment_export",
    "contact_export": "services.contacts.logic.contact_export",
    "profile_republish": "services.contacts.logic.profile_republish",
}


class JobFailed(DomainError):
    """The job cannot go on (its input is unusable): it ends ``failed`` with this message."""


@dataclass(frozen=True)
class StepOutcome:
    progress: Progress
    cursor: str | None
    result: dict[str, Any] = field(default_factory=dict)
    finished: bool = False


StepFunction = Callable[[Job], StepOutcome]


@dataclass(frozen=True)
class JobKind:
    name: str
    roles: frozenset[str]
    step: StepFunction


def kind_of(name: str) -> JobKind:
    module = KINDS.get(name)
    if module is None:
        raise LookupError(f"no job kind {name!r}")
    kind: JobKind = importlib.import_module(module).KIND
    return kind


def _stepped(job: Job) -> ContactsJobStepped:
    return ContactsJobStepped(job_id=job.job_id, kind=job.kind, step=job.step)


# Starting ----------------------------------------------------------------------------------------
def create(staff: StaffPrincipal, kind: str, params: dict[str, Any], *, start: bool) -> Job:
    """A new job of ``kind`` by ``staff``: queued with its first step event, or (``start=False``)
    awaiting its input until ``start``."""
    now = now_rfc3339()
    job = Job(
        tenant_id=staff.tenant_id,
        job_id=ids.new_id("job_"),
        kind=kind_of(kind).name,
        status="queued" if start else "awaiting_upload",
        created_by=staff.staff_id,
        created_at=now,
        updated_at=now,
        params=params,
    )
    dal.create(job, [_stepped(job)] if start else [])
    return job


def start(job: Job) -> Job:
    """Queue a job that waited for its input; a second start is refused (409)."""
    if job.status != "awaiting_upload":
        raise dal.JobStateChanged(f"The job is {job.status}; it can be started once.", reason="job_started")
    queued = job.model_copy(update={"status": "queued", "updated_at": now_rfc3339()})
    dal.save(job, queued, [_stepped(queued)], statuses=frozenset({"awaiting_upload"}))
    return queued


def cancel(job: Job) -> Job:
    """Stop a job that has not finished: its next step event finds it cancelled and does nothing."""
    if job.status in FINISHED:
        raise dal.JobStateChanged(f"The job is {job.status} already.", reason="job_finished")
    cancelled = job.model_copy(update={"status": "cancelled", "updated_at": now_rfc3339()})
    dal.save(job, cancelled, [], statuses=frozenset({"awaiting_upload", *RUNNABLE}))
    return cancelled


# Reading -----------------------------------------------------------------------------------------
def _may_read(staff: StaffPrincipal, job: Job) -> bool:
    return bool(staff.roles & kind_of(job.kind).roles)


def visible(staff: StaffPrincipal, job_id: str, kind: str | None = None) -> Job:
    """The job, if it is of the caller's tenant (and of ``kind``) and their roles may read its
    kind; 404 otherwise, whichever it is."""
    job = dal.get(staff.tenant_id, job_id)
    if job is None or (kind is not None and job.kind != kind) or not _may_read(staff, job):
        raise NotFound("No such job.")
    return as_read(job)


def as_read(job: Job) -> Job:
    """The job as it stands now: one still queued or running past its ``deadline_at`` has failed
    (what it waited for never came; its result keeps what did). Nothing is written: the deadline
    is part of the job, so every reader sees the same, and no sweep has to look for late jobs."""
    if job.status not in RUNNABLE or job.deadline_at is None or now_rfc3339() <= job.deadline_at:
        return job
    missing = ", ".join(str(name) for name in job.result.get("missing", []))
    error = f"Not finished by its deadline, {job.deadline_at}" + (f": nothing came from {missing}." if missing else ".")
    return job.model_copy(update={"status": "failed", "error": error})


def page(staff: StaffPrincipal, kind: str | None, limit: int, cursor: str | None) -> tuple[list[Job], str | None]:
    if kind is not None and kind not in KINDS:
        raise Unprocessable("No such job kind.", [{"loc": ["query", "kind"], "msg": f"one of {sorted(KINDS)}"}])
    jobs, next_cursor = dal.page(staff.tenant_id, kind, limit, cursor)
    return [as_read(job) for job in jobs if _may_read(staff, job)], next_cursor


# Running -----------------------------------------------------------------------------------------
def run_step(tenant_id: str, stepped: ContactsJobStepped) -> None:
    """Run the step an event names, if it is still due; save its outcome and queue the next."""
    job = dal.get(tenant_id, stepped.job_id)
    if job is None or job.status not in RUNNABLE or job.step != stepped.step:
        logger.info("job step not due", extra={"job_id": stepped.job_id, "step": stepped.step})
        return
    if not dal.claim(job, time.time(), STEP_LEASE_SECONDS):
        # Another delivery of this step is running it: that one saves it and queues the next (or,
        # if it dies, its own message comes back after the lease has expired).
        logger.info("job step running elsewhere", extra={"job_id": job.job_id, "step": job.step})
        return
    kind = kind_of(job.kind)
    try:
        outcome = kind.step(job)
    except JobFailed as failure:
        _finish_failed(job, failure.detail)
        return
    except Exception as error:
        from shared.consumer import poison_reason

        if poison_reason(error) is None:
            raise  # transient: the step is retried from the same cursor
        logger.exception("job step failed for good", extra={"job_id": job.job_id})
        _finish_failed(job, "The job stopped on an unexpected error; the operators have it in the logs.")
        return
    after = job.model_copy(
        update={
            "status": "succeeded" if outcome.finished else "running",
            "progress": outcome.progress,
            "cursor": outcome.cursor,
            "result": outcome.result,
            "step": job.step + 1,
            "updated_at": now_rfc3339(),
        }
    )
    try:
        dal.save(job, after, [] if outcome.finished else [_stepped(after)], statuses=RUNNABLE)
    except dal.JobStateChanged:
        # Another delivery of this step saved first, or the job was cancelled meanwhile.
        logger.info("job step already saved", extra={"job_id": job.job_id, "step": job.step})


def _finish_failed(job: Job, message: str) -> None:
    failed = job.model_copy(
        update={
            "status": "failed",
            "error": message[:MAX_ERROR_CHARS],
            "step": job.step + 1,
            "updated_at": now_rfc3339(),
        }
    )
    try:
        dal.save(job, failed, [], statuses=RUNNABLE)
    except dal.JobStateChanged:
        logger.info("job changed before its failure was saved", extra={"job_id": job.job_id})


class Budget:
    """A step's bound: ``units`` at most, and ``seconds`` of wall time."""

    def __init__(self, units: int, seconds: float = STEP_SECONDS) -> None:
        self.units = units
        self.deadline = time.monotonic() + seconds

    def spent(self, used: int) -> bool:
        return used >= self.units or time.monotonic() >= self.deadline
