"""Profile republish: every contact's ``ContactProfileChanged`` published again, as a job.

A service that keeps a copy of contacts' profiles (outreach's facts) and was deployed after the
contacts it should know had last changed has never seen their snapshot. An admin starts this job
(``POST /v1/contacts/profile-snapshots/republish``); it walks the tenant's contact listing (an
index partition, never a table scan) a page a read and publishes each live contact's snapshot as
it stands. Consumers keep a snapshot only if its version is newer than their copy's, so the job
changes nothing for a contact they already know, and a step retried from its cursor publishes its
page again harmlessly. The other events such a copy is built from (WeCom relationships, lifecycle,
points, segment memberships) are in the bus's archive, which ``make replay`` sends again.
"""

from __future__ import annotations

from services.contacts.dal import contacts as contacts_dal
from services.contacts.job_models import Job, Progress
from services.contacts.logic import jobs
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import ADMINS

KIND_NAME = "profile_republish"
PAGE = 100  # contacts per listing read (one BatchGetItem of their profiles)


def start(staff: StaffPrincipal) -> Job:
    return jobs.create(staff, KIND_NAME, {}, start=True)


def step(job: Job) -> jobs.StepOutcome:
    budget = jobs.Budget(units=2_000)
    done, cursor = job.progress.done, job.cursor
    while True:
        page, cursor = contacts_dal.contact_ids_page(job.tenant_id, PAGE, cursor)
        live = contacts_dal.get_many(job.tenant_id, page)
        contacts_dal.republish_profiles(job.tenant_id, live)
        done += len(live)
        if cursor is None:
            return jobs.StepOutcome(Progress(total=done, done=done), None, {"published": done}, finished=True)
        if budget.spent(done - job.progress.done):
            return jobs.StepOutcome(Progress(done=done), cursor, {"published": done})


KIND = jobs.JobKind(KIND_NAME, ADMINS, step)
