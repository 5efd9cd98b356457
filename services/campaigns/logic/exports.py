"""Campaigns' part of a PIPL export: the conversions of the contact and of the
contacts merged into it (each campaign that acquired or engaged them, and the reward), written as
one JSON document under campaigns' own prefix of the file store and reported to contacts
(``CampaignsExportPartWritten``). A repeated request writes the same file again and reports it
again; contacts records each part once."""

from __future__ import annotations

import json

from services.campaigns.dal import exports as dal
from shared import files
from shared.events.campaigns import CampaignsExportPartWritten
from shared.events.contacts import ContactExportRequested

SERVICE = "campaigns"


def part_key(tenant_id: str, job_id: str) -> str:
    return files.key(SERVICE, "exports", tenant_id, f"{job_id}.json")


def write_part(tenant_id: str, request: ContactExportRequested) -> None:
    found = [
        record
        for contact_id in dict.fromkeys([request.contact_id, *request.merged_from])
        for record in dal.contact_records(tenant_id, contact_id)
    ]
    part = {
        "service": SERVICE,
        "conversions": [record for record in found if record.get("kind") == "conversion"],
        "merged": [record for record in found if record.get("kind") == "alias"],
    }
    key = part_key(tenant_id, request.job_id)
    files.put(key, json.dumps(part, ensure_ascii=False, default=str).encode(), "application/json")
    written = CampaignsExportPartWritten(
        job_id=request.job_id, contact_id=request.contact_id, key=key, items=len(found)
    )
    dal.part_written(tenant_id, written)
