"""Cases' part of a PIPL export: every case of the contact and of the contacts
merged into it, with its messages, history and rating (CSAT lives on the case), written as one
JSON document under cases' own prefix of the file store and reported to contacts
(``CasesExportPartWritten``). A repeated request writes the same file again and reports it again;
contacts records each part once."""

from __future__ import annotations

import json

from services.cases.dal import exports as dal
from shared import files
from shared.events.cases import CasesExportPartWritten
from shared.events.contacts import ContactExportRequested

SERVICE = "cases"


def part_key(tenant_id: str, job_id: str) -> str:
    return files.key(SERVICE, "exports", tenant_id, f"{job_id}.json")


def write_part(tenant_id: str, request: ContactExportRequested) -> None:
    contact_ids = list(dict.fromkeys([request.contact_id, *request.merged_from]))
    found = [record.model_dump(mode="json") for record in dal.records(tenant_id, contact_ids)]
    part = {"service": SERVICE, "cases": found}
    key = part_key(tenant_id, request.job_id)
    files.put(key, json.dumps(part, ensure_ascii=False).encode(), "application/json")
    written = CasesExportPartWritten(job_id=request.job_id, contact_id=request.contact_id, key=key, items=len(found))
    dal.part_written(tenant_id, written)
