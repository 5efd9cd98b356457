"""Bulk tagging: one tag set on or taken off a segment's members or a list of
contacts, as a job (``logic/jobs.py``).

``POST /v1/contacts/bulk-tags {tag, action: add|remove, segment_id | contact_ids}`` answers 202
with the job. Ids are inline up to ``MAX_INLINE_IDS`` (the API's body limit is 256 KiB). A longer
list, up to ``MAX_FILE_IDS``, is a file uploaded like an import's: ``POST
/v1/contacts/bulk-tags/uploads {tag, action, file_name}`` answers the job (awaiting its upload)
and a presigned URL to PUT the file to, ``POST /v1/contacts/bulk-tags/{job_id}/start`` queues it
(409 before the upload). The file: UTF-8, one contact id a line, an optional ``contact_id``
header, blank lines skipped; its first step counts the ids (more than ``MAX_FILE_IDS``: the job
fails before tagging anyone), later steps stream it from the byte offset where the previous one
stopped. A segment is read as its members are when each page is read.

Each step works through the ids in batches of ``BATCH`` (one batch read resolves aliases to their
survivors, so a merged id tags its survivor), at most ``STEP_CONTACTS`` a step or the step's
time budget. Each contact is one conditional write of its tags with its events, as a single
tag change from the API is (``contacts.add_tags``: a tag of a single-choice group replaces its
siblings); a contact that already is as asked writes nothing and publishes nothing (unchanged),
so a step retried from its cursor re-applies nothing. A contact changed meanwhile is read again.

``result``: tagged, unchanged, failed, and ``failures`` (the first ``MAX_FAILURES_LISTED``:
``{contact_id, reason}``, reason ``unknown`` (no such contact in the tenant), ``erased``,
``too_many_tags`` or, in a file, ``invalid`` (not an id: the line's text, or ``line <n>`` for
one that is not UTF-8)). Counts are exact, except that contacts a crashed step had already tagged
count as unchanged when it is retried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import segments as segments_dal
from services.contacts.export_models import BulkTagRequest, BulkTagUpload
from services.contacts.job_models import ImportCreated, Job, JobView, Progress
from services.contacts.logic import imports, jobs, merging
from services.contacts.logic.contacts import TooManyTags, add_tags
from services.contacts.models import Contact
from shared import files
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import WRITERS
from shared.clock import now_rfc3339, rfc3339
from shared.errors import ConcurrentUpdate, Conflict, Unprocessable
from shared.events import contacts as events
from shared.retry import retry_on_race

KIND_NAME = "bulk_tag"
BATCH = 100
STEP_CONTACTS = 1_000
MAX_FAILURES_LISTED = 100
COUNTS = ("tagged", "unchanged", "failed")
MAX_FILE_IDS = 100_000
MAX_FILE_BYTES = 8 * 1024 * 1024  # 100,000 ids of up to 64 characters, a line each
UPLOAD_SECONDS = 3600
HEADER = "contact_id"
VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def file_key(tenant_id: str, job_id: str) -> str:
    return files.key("contacts", "bulk-tags", tenant_id, f"{job_id}.csv")


def start(staff: StaffPrincipal, request: BulkTagRequest) -> Job:
    params: dict[str, Any] = {"tag": request.tag, "action": request.action}
    if request.segment_id is not None:
        segments_dal.definition(staff.tenant_id, request.segment_id)  # 404 for an unknown segment
        params["segment_id"] = request.segment_id
    else:
        params["contact_ids"] = list(dict.fromkeys(request.contact_ids or []))
    return jobs.create(staff, KIND_NAME, params, start=True)


def create_upload(staff: StaffPrincipal, request: BulkTagUpload) -> ImportCreated:
    params = {"tag": request.tag, "action": request.action, "file_name": request.file_name}
    job = jobs.create(staff, KIND_NAME, params, start=False)
    # Real time, not business time: S3 checks a presigned URL's expiry against its own clock.
    expires_at = rfc3339(datetime.now(UTC) + timedelta(seconds=UPLOAD_SECONDS))
    url = files.upload_url(file_key(staff.tenant_id, job.job_id), UPLOAD_SECONDS)
    return ImportCreated(job=JobView.of(job), upload_url=url, expires_at=expires_at)


def start_upload(staff: StaffPrincipal, job_id: str) -> Job:
    job = jobs.visible(staff, job_id, KIND_NAME)
    if "file_name" not in job.params:
        raise Conflict("This bulk tagging takes no file; it started when it was created.", reason="job_started")
    if job.status == "awaiting_upload":
        size = files.size(file_key(staff.tenant_id, job_id))
        if size is None:
            raise Conflict("Upload the file to upload_url before starting.", reason="file_missing")
        if size > MAX_FILE_BYTES:
            raise Unprocessable(
                f"The file is {size} bytes; at most {MAX_FILE_BYTES} ({MAX_FILE_IDS} ids).",
                [{"loc": ["file"], "msg": "too large"}],
            )
    return jobs.start(job)


# Tagging one contact ------------------------------------------------------------------------------
def _untag(contact: Contact, name: str) -> Contact:
    if name not in contact.tags:
        return contact
    updated = contact.model_copy(
        update={
            "tags": [tag for tag in contact.tags if tag != name],
            "version": contact.version + 1,
            "updated_at": now_rfc3339(),
        }
    )
    contacts_dal.save(
        contact, updated, [events.ContactUntagged(contact_id=contact.contact_id, version=updated.version, tag=name)]
    )
    return updated


def _apply(tenant_id: str, contact: Contact, name: str, add: bool) -> str:
    """``tagged``, ``unchanged`` or a failure reason."""

    def attempt(number: int) -> str:
        current = contact if number == 0 else merging.resolve(tenant_id, contact.contact_id)
        if current is None:
            return "unknown"
        if current.erased:
            return "erased"
        try:
            after = add_tags(current, [name]) if add else _untag(current, name)
        except TooManyTags:
            return "too_many_tags"
        return "unchanged" if after is current else "tagged"

    return retry_on_race(attempt, races=ConcurrentUpdate)


def _tag_batch(tenant_id: str, ids: list[str], name: str, add: bool, result: dict[str, Any]) -> None:
    live = merging.resolve_many(tenant_id, ids)
    missing = [contact_id for contact_id in ids if contact_id not in live]
    erased = (
        {c.contact_id for c in contacts_dal.profiles(tenant_id, missing).values() if c.erased} if missing else set()
    )
    done: set[str] = set()
    for contact_id in ids:
        contact = live.get(contact_id)
        if not VALID_ID.match(contact_id):
            outcome = "invalid"
        elif contact is None:
            outcome = "erased" if contact_id in erased else "unknown"
        elif contact.contact_id in done:
            outcome = "unchanged"  # two ids of one person (an alias and its survivor)
        else:
            outcome = _apply(tenant_id, contact, name, add)
            done.add(contact.contact_id)
        if outcome in ("tagged", "unchanged"):
            result[outcome] += 1
            continue
        result["failed"] += 1
        if len(result["failures"]) < MAX_FAILURES_LISTED:
            result["failures"].append({"contact_id": contact_id[:64], "reason": outcome})


# The job --------------------------------------------------------------------------------------------
def _file_lines(job: Job, offset: int, row: int) -> Iterator[tuple[int, int, str | None]]:
    """(row, end offset, the id or None for a blank or header line) from byte ``offset`` on; a line
    that is not UTF-8 gives its line number (reported invalid)."""
    try:
        with files.opened(file_key(job.tenant_id, job.job_id), offset) as handle:
            for record in imports.records(handle, offset, row):
                try:
                    value = record.raw.decode("utf-8").removeprefix("\ufeff").strip().strip('"').strip()
                except UnicodeDecodeError:
                    value = f"line {record.row}"
                header = record.row == 1 and value.lower() == HEADER
                yield record.row, record.end, None if header or not value else value
    except files.FileMissing:
        raise jobs.JobFailed(f"The file is gone (uploads are kept {files.RETENTION_DAYS} days).") from None


def _count(job: Job) -> jobs.StepOutcome:
    """A file's first step: its ids counted, before anyone is tagged."""
    total = 0
    for _, _, value in _file_lines(job, 0, 0):
        total += value is not None
        if total > MAX_FILE_IDS:
            raise jobs.JobFailed(f"The file lists more than {MAX_FILE_IDS} ids; split it.")
    result: dict[str, Any] = dict.fromkeys(COUNTS, 0) | {"failures": []}
    return jobs.StepOutcome(Progress(total=total), "0:0", result, finished=total == 0)


def _next_ids(job: Job, cursor: str | None) -> tuple[list[str], str | None]:
    if "file_name" in job.params:
        start, first = (int(part) for part in str(cursor).split(":"))
        ids: list[str] = []
        for row, end, value in _file_lines(job, start, first):
            if value is not None:
                ids.append(value)
            if len(ids) == BATCH:
                return ids, f"{end}:{row}"
        return ids, None
    if "segment_id" in job.params:
        members, next_cursor = segments_dal.members_page(job.tenant_id, str(job.params["segment_id"]), BATCH, cursor)
        return [member.contact_id for member in members], next_cursor
    listed = [str(contact_id) for contact_id in job.params["contact_ids"]]
    start = int(cursor or 0)
    end = start + BATCH
    return listed[start:end], (str(end) if end < len(listed) else None)


def step(job: Job) -> jobs.StepOutcome:
    if "file_name" in job.params and job.step == 0:
        return _count(job)
    name, add = str(job.params["tag"]), job.params["action"] == "add"
    result: dict[str, Any] = {count: int(job.result.get(count, 0)) for count in COUNTS}
    result["failures"] = list(job.result.get("failures", []))
    total = len(job.params["contact_ids"]) if "contact_ids" in job.params else job.progress.total
    budget = jobs.Budget(units=STEP_CONTACTS)
    done, cursor = job.progress.done, job.cursor
    while True:
        ids, cursor = _next_ids(job, cursor)
        _tag_batch(job.tenant_id, ids, name, add, result)
        done += len(ids)
        progress = Progress(total=done if cursor is None else total, done=done, failed=result["failed"])
        if cursor is None:
            return jobs.StepOutcome(progress, None, result, finished=True)
        if budget.spent(done - job.progress.done):
            return jobs.StepOutcome(progress, cursor, result)


KIND = jobs.JobKind(KIND_NAME, WRITERS, step)
