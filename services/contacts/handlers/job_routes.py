"""Job routes (any kind's progress) and the contacts CSV import's own routes. Parse, authorise,
call the logic, shape the answer."""

from __future__ import annotations

from typing import Annotated

from services.contacts.handlers.resolver import api
from services.contacts.job_models import (
    ImportCreate,
    ImportCreated,
    JobKindName,
    JobList,
    JobView,
    RowErrorList,
)
from services.contacts.logic import jobs
from shared.params import Cursor, Id, Limit, Query


@api.route("GET /v1/jobs")
def list_jobs(
    kind: Annotated[JobKindName | None, Query(description="Only jobs of this kind.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JobList:
    """The tenant's jobs, newest first (those of kinds the caller's roles may start)."""
    found, next_cursor = jobs.page(api.staff(), kind, limit, cursor)
    return JobList(items=[JobView.of(job) for job in found], next_cursor=next_cursor)


@api.route("GET /v1/jobs/{job_id}")
def get_job(job_id: Id) -> JobView:
    """A job's status, progress and result."""
    return JobView.of(jobs.visible(api.staff(), job_id))


@api.route("POST /v1/contacts/imports", status=201)
def create_import(body: ImportCreate) -> ImportCreated:
    """Create a CSV import: PUT the file to upload_url, then start it."""
    from services.contacts.logic import imports  # CSV reading and bulk writes: only these routes

    return imports.create_import(api.staff(), body)


@api.route("POST /v1/contacts/imports/{job_id}/start", status=202, errors=(409,))
def start_import(job_id: Id) -> JobView:
    """Start an import whose file is uploaded (409: not uploaded yet, or started already)."""
    from services.contacts.logic import imports

    return JobView.of(imports.start_import(api.staff(), job_id))


@api.route("GET /v1/contacts/imports/{job_id}/errors")
def import_errors(job_id: Id, limit: Limit = 50, cursor: Cursor = None) -> RowErrorList:
    """The rows an import reported and skipped, in file order."""
    from services.contacts.logic import imports

    found, next_cursor = imports.row_errors(api.staff(), job_id, limit, cursor)
    return RowErrorList(items=found, next_cursor=next_cursor)
