"""The file a finished export job made (a segment's CSV, a contact's PIPL bundle), offered as a
presigned URL made when it is asked for: never stored, valid ``DOWNLOAD_SECONDS``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.contacts.export_models import Download
from services.contacts.logic import contact_export, jobs
from shared import files
from shared.auth.principal import StaffPrincipal
from shared.clock import rfc3339
from shared.errors import Conflict, NotFound

DOWNLOAD_SECONDS = 600
KINDS_WITH_FILES = frozenset({"segment_export", contact_export.KIND_NAME})


class NotReady(Conflict):
    """The job has no file (yet)."""


def download(staff: StaffPrincipal, job_id: str) -> Download:
    job = jobs.visible(staff, job_id)
    if job.kind not in KINDS_WITH_FILES:
        raise NotFound("This job makes no file.")
    if job.status == "failed":
        raise NotReady(f"The job failed, so it has no file: {job.error}", reason="job_failed")
    if job.status != "succeeded" or "key" not in job.result:
        raise NotReady(f"The job is {job.status}; its file is offered once it has succeeded.", reason="job_unfinished")
    # Real time, not business time: S3 checks a presigned URL's expiry against its own clock.
    expires_at = rfc3339(datetime.now(UTC) + timedelta(seconds=DOWNLOAD_SECONDS))
    name = str(job.result["file_name"])
    url = files.download_url(str(job.result["key"]), DOWNLOAD_SECONDS, name)
    return Download(url=url, expires_at=expires_at, file_name=name)
