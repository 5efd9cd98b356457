"""A contact's campaign records for a PIPL export (contacts' ContactExportRequested), and the event
that reports the part written. Reads the contact's own partition only: its conversions and, for an
alias, the survivor it points to. (Scans are kept by scan id, not by contact: contacts' timeline
holds every scan of the contact, and the bundle carries that.)"""

from __future__ import annotations

from typing import Any

from services.campaigns.dal.campaigns import contact_pk, table
from shared import dynamo
from shared.dynamo import Transaction
from shared.events.campaigns import CampaignsExportPartWritten
from shared.outbox import publish_with

KEYS = ("pk", "sk", "gsi1pk", "gsi1sk")


def contact_records(tenant_id: str, contact_id: str) -> list[dict[str, Any]]:
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": contact_pk(tenant_id, contact_id)}),
        "ConsistentRead": True,
    }
    return [
        {"contact_id": contact_id, **{name: value for name, value in item.items() if name not in KEYS}}
        for item in dynamo.query_pages(request)
    ]


def part_written(tenant_id: str, event: CampaignsExportPartWritten) -> None:
    publish_with(Transaction(table()), tenant_id, event).commit()
