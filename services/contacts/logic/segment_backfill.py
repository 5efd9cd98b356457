"""The segment backfill job: a new or edited rule applied to every contact of the tenant.

It walks the tenant's contact listing (an index partition: ``T#{t}#CONTACTS``, never a table
scan) a page per step and re-evaluates each contact against every segment (``segments.reevaluate``,
idempotent: a step retried from its cursor changes nothing more). Contacts changing meanwhile are
evaluated by their own change as well, so nothing is missed between the pages. When the walk ends
the segment is ``ready``.
"""

from __future__ import annotations

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import segments as segments_dal
from services.contacts.job_models import Job, Progress
from services.contacts.logic import jobs, segments
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import WRITERS
from shared.errors import ConcurrentUpdate, NotFound
from shared.retry import retry_on_race

KIND_NAME = "segment_backfill"
PAGE = 200  # contacts per listing read; a step reads pages until its budget is spent


def start(staff: StaffPrincipal, segment_id: str) -> str:
    return jobs.create(staff, KIND_NAME, {"segment_id": segment_id}, start=True).job_id


def _mark_ready(tenant_id: str, segment_id: str, job_id: str) -> None:
    def attempt(_: int) -> None:
        try:
            segment = segments_dal.definition(tenant_id, segment_id)
        except NotFound:
            return  # deleted meanwhile
        if segment.backfill_job_id != job_id or segment.status == "ready":
            return  # edited meanwhile: the newer backfill finishes it
        after = segment.model_copy(update={"status": "ready", "version": segment.version + 1})
        segments_dal.save_definition(tenant_id, segment, after)

    retry_on_race(attempt, races=ConcurrentUpdate)


def step(job: Job) -> jobs.StepOutcome:
    tenant_id = job.tenant_id
    context = segments.context_of(tenant_id)
    budget = jobs.Budget(units=2_000)
    done, cursor = job.progress.done, job.cursor
    entered = int(job.result.get("entered", 0))
    while True:
        page, cursor = contacts_dal.contact_ids_page(tenant_id, PAGE, cursor)
        entered += sum(len(evaluation.entered) for evaluation in segments.reevaluate_many(tenant_id, page, context))
        done += len(page)
        if cursor is None:
            _mark_ready(tenant_id, str(job.params["segment_id"]), job.job_id)
            return jobs.StepOutcome(Progress(total=done, done=done), None, {"entered": entered}, finished=True)
        if budget.spent(done - job.progress.done):
            return jobs.StepOutcome(Progress(done=done), cursor, {"entered": entered})


KIND = jobs.JobKind(KIND_NAME, WRITERS, step)
