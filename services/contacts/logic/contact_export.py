"""PIPL export of one contact: everything Siyu holds about a person, gathered
from every service into one JSON bundle, as a job of kind ``contact_export``.

``POST /v1/contacts/{contact_id}/export`` (writers; 404 for a contact not in the tenant, 409 for an
erased one; an alias's id exports its survivor) creates the job ``running`` and, in the same
transaction, publishes ``ContactExportRequested {job_id, contact_id, merged_from}``. Each service
holding personal data about contacts consumes it and writes its part, the records of the contact
and of every contact merged into it, as one JSON document under its OWN prefix of the file store,
``<service>/exports/<tenant>/<job_id>.json`` (a function may write only under its service's
prefix), then reports it:

- contacts (this module, ``contacts-exports``): profile with identities, consent and attributes,
  the merged contacts, the merge log, the timeline (every fact from every service: scans, logins,
  orders, points, cases…), insight (lifecycle, RFM, facts), lead score and its contributions,
  segment memberships;
- points (``PointsExportPartWritten``): accounts, ledger entries, redemptions;
- cases (``CasesExportPartWritten``): cases with their messages, history and rating (CSAT);
- campaigns (``CampaignsExportPartWritten``): conversions (scans are on contacts' timeline).

Contacts records each part (an item per service beside the job: a part reported twice is recorded
once) and reads them back; whoever records the last one assembles the bundle
``contacts/exports/<tenant>/<job_id>.json`` (``{export, contacts, points, cases, campaigns}``)
and marks the job succeeded, on the condition that it is still running (two finishing at once:
one wins, the same bundle written twice). Contacts reads the other services' parts, so its
functions may Get ``<service>/exports/*`` of those services (infra). A reported key is used only
if it is the one that service's part must have for this tenant and job: tenants never mix.

A part that never arrives leaves the job running, with ``result.received`` and ``result.missing``,
until its ``deadline_at`` (``PART_TIMEOUT_HOURS`` after the request): from then on it reads as
failed, naming the missing services (``jobs.as_read``), and a part arriving later changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import exports as dal
from services.contacts.dal import insight as insight_dal
from services.contacts.dal import jobs as jobs_dal
from services.contacts.dal import segments as segments_dal
from services.contacts.job_models import RUNNABLE, Job, Progress
from services.contacts.logic import jobs, merging
from shared import files
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import WRITERS
from shared.clock import now_rfc3339, rfc3339, utc_now
from shared.errors import Conflict, NotFound
from shared.events.contacts import ContactExportRequested
from shared.observability import logger

KIND_NAME = "contact_export"
SERVICES = ("contacts", "points", "cases", "campaigns")
PART_TIMEOUT_HOURS = 24
PAGE = 500
T = TypeVar("T")


class ContactErased(Conflict):
    """An erased contact has nothing left to export."""


def part_key(service: str, tenant_id: str, job_id: str) -> str:
    return files.key(service, "exports", tenant_id, f"{job_id}.json")


def bundle_key(tenant_id: str, job_id: str) -> str:
    return files.key("contacts", "exports", tenant_id, job_id, "bundle.json")


# Starting ---------------------------------------------------------------------------------------
def request(staff: StaffPrincipal, contact_id: str) -> Job:
    contact = merging.resolve(staff.tenant_id, contact_id)
    if contact is None:
        raise NotFound("No such contact.")
    if contact.erased:
        raise ContactErased("The contact was erased; nothing about it is kept.", reason="contact_erased")
    params = {"contact_id": contact.contact_id, "merged_from": contact.merged_from, "parts": list(SERVICES)}
    job = jobs.create(staff, KIND_NAME, params, start=False)
    running = job.model_copy(
        update={
            "status": "running",
            "progress": Progress(total=len(SERVICES)),
            "updated_at": now_rfc3339(),
            "deadline_at": rfc3339(utc_now() + timedelta(hours=PART_TIMEOUT_HOURS)),
        }
    )
    requested = ContactExportRequested(
        job_id=job.job_id, contact_id=contact.contact_id, merged_from=contact.merged_from
    )
    jobs_dal.save(job, running, [requested], statuses=frozenset({"awaiting_upload"}))
    return running


# Contacts' own part -------------------------------------------------------------------------------
def _all(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> list[T]:
    found: list[T] = []
    cursor: str | None = None
    while True:
        page, cursor = fetch(cursor)
        found += page
        if cursor is None:
            return found


def _contributions(tenant_id: str, contact_id: str) -> list[dict[str, Any]]:
    def fetch(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        page = insight_dal.contributions_page(tenant_id, contact_id, PAGE, cursor)
        return [{k: v for k, v in item.items() if k not in ("pk", "sk")} for item in page.items], page.next_cursor

    return _all(fetch)


def contacts_part(tenant_id: str, contact_id: str, merged_from: list[str]) -> dict[str, Any]:
    contact = contacts_dal.get(tenant_id, contact_id)
    if contact is None:  # an id no contact of the tenant has: nothing to tell
        return {
            "service": "contacts",
            "profile": None,
            "merged_contacts": [],
            "timeline": [],
            "score_contributions": [],
        }
    aliases = contacts_dal.profiles(tenant_id, merged_from)
    insight = insight_dal.get(tenant_id, contact_id)
    memberships = segments_dal.memberships(tenant_id, contact_id)
    timeline = _all(lambda cursor: contacts_dal.timeline_page(tenant_id, contact_id, PAGE, cursor))
    merges = _all(lambda cursor: contacts_dal.merge_log_page(tenant_id, contact_id, PAGE, cursor))
    return {
        "service": "contacts",
        "profile": contact.model_dump(mode="json", exclude={"tenant_id"}),
        "merged_contacts": [alias.model_dump(mode="json", exclude={"tenant_id"}) for alias in aliases.values()],
        "merges": [entry.model_dump(mode="json") for entry in merges],
        "timeline": [entry.model_dump(mode="json") for entry in timeline],
        "insight": insight.model_dump(mode="json", exclude={"tenant_id", "lead_caps", "due_at"}) if insight else None,
        "score_contributions": _contributions(tenant_id, contact_id),
        "segments": memberships.model_dump(mode="json", include={"segment_ids", "static_ids"}),
    }


def on_requested(tenant_id: str, requested: ContactExportRequested) -> None:
    """Contacts' own part, written and recorded; a request for no running export of the tenant (a
    late redelivery, another tenant's job id) does nothing."""
    job = jobs_dal.get(tenant_id, requested.job_id)
    if job is None or job.kind != KIND_NAME or jobs.as_read(job).status != "running":
        logger.info("export request for no running export", extra={"job_id": requested.job_id})
        return
    part = contacts_part(tenant_id, requested.contact_id, list(requested.merged_from))
    key = part_key("contacts", tenant_id, requested.job_id)
    files.put(key, json.dumps(part, ensure_ascii=False, default=str).encode(), "application/json")
    items = 1 + len(part["merged_contacts"]) + len(part["timeline"]) + len(part["score_contributions"])
    on_part(tenant_id, requested.job_id, "contacts", key, items)


# Parts and the bundle -----------------------------------------------------------------------------
def on_part(tenant_id: str, job_id: str, service: str, key: str, items: int) -> None:
    """Record a service's part; when it was the last one, assemble the bundle and finish the job."""
    if service not in SERVICES or key != part_key(service, tenant_id, job_id):
        logger.warning("export part refused", extra={"job_id": job_id, "service": service})
        return
    job = jobs_dal.get(tenant_id, job_id)
    if job is None or job.kind != KIND_NAME or jobs.as_read(job).status != "running":
        logger.info("export part for no running export", extra={"job_id": job_id, "service": service})
        return
    dal.record_part(tenant_id, job_id, service, key, items)
    received = dal.parts(tenant_id, job_id)
    missing = [name for name in SERVICES if name not in received]
    counts = {name: received[name][1] for name in SERVICES if name in received}
    if missing:
        after = job.model_copy(
            update={
                "progress": Progress(total=len(SERVICES), done=len(received)),
                "result": {"received": counts, "missing": missing},
                "updated_at": now_rfc3339(),
            }
        )
    else:
        key = _assemble(job, received)
        after = job.model_copy(
            update={
                "status": "succeeded",
                "step": job.step + 1,
                "progress": Progress(total=len(SERVICES), done=len(SERVICES)),
                "result": {"received": counts, "missing": [], "key": key, "file_name": _file_name(job)},
                "updated_at": now_rfc3339(),
            }
        )
    try:
        jobs_dal.save(job, after, [], statuses=RUNNABLE)
    except jobs_dal.JobStateChanged:
        # Finished by another part's delivery meanwhile (which read this part too).
        logger.info("export finished elsewhere", extra={"job_id": job_id})


def _file_name(job: Job) -> str:
    return f"contact-{job.params['contact_id']}.json"


def _assemble(job: Job, received: dict[str, tuple[str, int]]) -> str:
    bundle: dict[str, Any] = {
        "export": {
            "job_id": job.job_id,
            "contact_id": job.params["contact_id"],
            "merged_from": job.params.get("merged_from", []),
            "requested_by": job.created_by,
            "requested_at": job.created_at,
            "assembled_at": now_rfc3339(),
        }
    }
    for service in SERVICES:
        bundle[service] = json.loads(files.get(received[service][0]))
    key = bundle_key(job.tenant_id, job.job_id)
    files.put(key, json.dumps(bundle, ensure_ascii=False, default=str).encode(), "application/json")
    return key


def step(job: Job) -> jobs.StepOutcome:
    """Never stepped: the parts' consumer finishes the job. A step event for one (a redrive) fails
    it, naming the parts that never came."""
    raise jobs.JobFailed(f"The export's parts did not all arrive: missing {job.result.get('missing', list(SERVICES))}.")


KIND = jobs.JobKind(KIND_NAME, WRITERS, step)
