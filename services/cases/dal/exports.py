"""A contact's cases for a PIPL export (contacts' ContactExportRequested), and the event that
reports the part written. Reads the contact's case index and each case's partition only."""

from __future__ import annotations

from services.cases.dal import cases
from services.cases.dal.table import table
from services.cases.models import CaseRecord
from shared.dynamo import Transaction
from shared.events.cases import CasesExportPartWritten
from shared.outbox import publish_with


def records(tenant_id: str, contact_ids: list[str]) -> list[CaseRecord]:
    """Every case of these contacts (a case moved by a merge is listed once), with its thread."""
    case_ids = dict.fromkeys(
        case_id for contact_id in contact_ids for case_id in cases.contact_case_ids(tenant_id, contact_id)
    )
    found = (cases.get_record(tenant_id, case_id) for case_id in case_ids)
    return [record for record in found if record is not None]


def part_written(tenant_id: str, event: CasesExportPartWritten) -> None:
    publish_with(Transaction(table()), tenant_id, event).commit()
