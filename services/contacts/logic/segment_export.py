"""Segment CSV export: a segment's members as one CSV file in the file store,
as a job (``logic/jobs.py``); only writers may start it (personal data).

``POST /v1/segments/{segment_id}/exports`` answers 202 with the job (404 for an unknown segment).
Each step reads up to ``STEP_ROWS`` members (pages of ``PAGE`` from the segment's member
partition, never a scan), their profiles and insight with batch reads, and writes those rows as
one part object, ``contacts/exports/<tenant>/<job_id>/part-<step>.csv`` (a step retried from its
cursor writes the same part again). The last step writes the file: the header and the parts in
order, ``contacts/exports/<tenant>/<job_id>.csv`` (100,000 members of ~200 bytes: ~20 MB held
once, well within the consumer's memory; S3 multipart would avoid even that but needs a store
interface the local folder lacks). ``result``: rows, parts, key, file_name.

The finished job's file is offered by ``GET /v1/jobs/{job_id}/download``: a presigned URL made
when asked (never stored), valid ``DOWNLOAD_SECONDS``.

Columns (``SEGMENT_EXPORT_COLUMNS``): contact_id, name, phone, email, tags (``|``-separated),
lifecycle, rfm_group, lead_grade, points_balance, points_tier, source_channel, created_at. UTF-8
with a BOM (Excel reads Chinese names right). A text cell that a spreadsheet would take for a
formula (starting with ``= + - @``, a tab or a carriage return) is prefixed with ``'``; phone and
email are validated identities and left as they are. A member merged or erased since it entered
is left out (the alias's survivor is a member of its own).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import insight as insight_dal
from services.contacts.dal import segments as segments_dal
from services.contacts.export_models import SEGMENT_EXPORT_COLUMNS
from services.contacts.job_models import Job, Progress
from services.contacts.logic import jobs
from shared import files
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import WRITERS

KIND_NAME = "segment_export"
PAGE = 200
STEP_ROWS = 5_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def file_key(tenant_id: str, job_id: str) -> str:
    return files.key("contacts", "exports", tenant_id, f"{job_id}.csv")


def part_key(tenant_id: str, job_id: str, part: int) -> str:
    return files.key("contacts", "exports", tenant_id, job_id, f"part-{part:05d}.csv")


def start(staff: StaffPrincipal, segment_id: str) -> Job:
    segment = segments_dal.definition(staff.tenant_id, segment_id)  # 404 for an unknown segment
    return jobs.create(staff, KIND_NAME, {"segment_id": segment_id, "segment_name": segment.name}, start=True)


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def rows(tenant_id: str, contact_ids: list[str]) -> list[list[str]]:
    """The CSV rows of these contacts (live ones only), in the order given."""
    profiles = contacts_dal.profiles(tenant_id, contact_ids)
    insights = insight_dal.get_many(tenant_id, contact_ids)
    found: list[list[str]] = []
    for contact_id in contact_ids:
        contact = profiles.get(contact_id)
        if contact is None or contact.erased or contact.is_alias:
            continue
        insight = insights.get(contact_id)
        found.append(
            [
                contact_id,
                _text(contact.name),
                contact.identities.phone or "",
                contact.identities.email or "",
                _text("|".join(contact.tags)),
                insight.lifecycle if insight else "new",
                insight.rfm.group if insight and insight.rfm else "",
                insight.lead_grade if insight else "",
                str(insight.points_balance) if insight and insight.points_balance is not None else "",
                _text(insight.points_tier) if insight and insight.points_tier else "",
                _text((contact.source or {}).get("channel")),
                contact.created_at,
            ]
        )
    return found


def _csv(lines: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode("utf-8")


def _assemble(tenant_id: str, job_id: str, parts: int) -> str:
    body = bytearray((BOM + ",".join(SEGMENT_EXPORT_COLUMNS) + "\r\n").encode("utf-8"))
    for part in range(parts):
        body += files.get(part_key(tenant_id, job_id, part))
    key = file_key(tenant_id, job_id)
    files.put(key, bytes(body), "text/csv; charset=utf-8")
    return key


def step(job: Job) -> jobs.StepOutcome:
    tenant_id, segment_id = job.tenant_id, str(job.params["segment_id"])
    lines: list[list[str]] = []
    cursor = job.cursor
    read = 0
    while True:
        members, cursor = segments_dal.members_page(tenant_id, segment_id, PAGE, cursor)
        read += len(members)
        lines += rows(tenant_id, [member.contact_id for member in members])
        if cursor is None or read >= STEP_ROWS:
            break
    files.put(part_key(tenant_id, job.job_id, job.step), _csv(lines), "text/csv; charset=utf-8")
    total_rows = int(job.result.get("rows", 0)) + len(lines)
    result: dict[str, Any] = {"rows": total_rows, "parts": job.step + 1}
    done = job.progress.done + read
    if cursor is not None:
        return jobs.StepOutcome(Progress(done=done), cursor, result)
    key = _assemble(tenant_id, job.job_id, job.step + 1)
    result |= {"key": key, "file_name": f"segment-{segment_id}.csv"}
    return jobs.StepOutcome(Progress(total=done, done=done), None, result, finished=True)


KIND = jobs.JobKind(KIND_NAME, WRITERS, step)
