"""Points' part of a PIPL export: the contact's account, ledger entries and
redemptions, its merged contacts' too (an absorbed account keeps its entries under its own id),
written as one JSON document under points' own prefix of the file store and reported to contacts
(``PointsExportPartWritten``). A repeated request writes the same file again and reports it again;
contacts records each part once."""

from __future__ import annotations

import json

from services.points.dal import exports as dal
from shared import files
from shared.events.contacts import ContactExportRequested
from shared.events.points import PointsExportPartWritten

SERVICE = "points"


def part_key(tenant_id: str, job_id: str) -> str:
    return files.key(SERVICE, "exports", tenant_id, f"{job_id}.json")


def write_part(tenant_id: str, request: ContactExportRequested) -> None:
    accounts, entries, redemptions = [], [], []
    for contact_id in dict.fromkeys([request.contact_id, *request.merged_from]):
        account = dal.account(tenant_id, contact_id)
        accounts.append(account.model_dump(mode="json", exclude={"tenant_id"}))
        entries += [
            {"contact_id": contact_id, **entry.model_dump(mode="json")} for entry in dal.entries(tenant_id, contact_id)
        ]
        redemptions += [
            redemption.model_dump(mode="json", exclude={"tenant_id"})
            for redemption in dal.redemptions(tenant_id, contact_id)
        ]
    part = {"service": SERVICE, "accounts": accounts, "ledger_entries": entries, "redemptions": redemptions}
    key = part_key(tenant_id, request.job_id)
    files.put(key, json.dumps(part, ensure_ascii=False).encode(), "application/json")
    written = PointsExportPartWritten(
        job_id=request.job_id,
        contact_id=request.contact_id,
        key=key,
        items=len(accounts) + len(entries) + len(redemptions),
    )
    dal.part_written(tenant_id, written)
