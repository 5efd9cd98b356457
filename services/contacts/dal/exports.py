"""The parts of a PIPL export (``logic/contact_export.py``) that have come in, in the contacts
table beside their job.

Item layout (pk / sk):
- part   T#{tenant}#JOB#{job_id} / PART#{service}   the service's part: its file key and item count;
  written again, the same, when a part is reported twice
"""

from __future__ import annotations

import time

from services.contacts.dal import jobs as jobs_dal
from shared import dynamo
from shared.dynamo import Transaction
from shared.manifest import TTL_ATTRIBUTE

PART_PREFIX = "PART#"
PART_RETENTION_SECONDS = 30 * 24 * 3600


def record_part(tenant_id: str, job_id: str, service: str, key: str, items: int) -> None:
    Transaction(jobs_dal.table()).put(
        {
            "pk": jobs_dal.job_pk(tenant_id, job_id),
            "sk": f"{PART_PREFIX}{service}",
            "kind": "export_part",
            "service": service,
            "key": key,
            "items": items,
            TTL_ATTRIBUTE: int(time.time()) + PART_RETENTION_SECONDS,
        }
    ).commit()


def parts(tenant_id: str, job_id: str) -> dict[str, tuple[str, int]]:
    """Service → (key, items) of every part recorded (a consistent read: a part recorded before
    the call is seen)."""
    request = {
        "TableName": jobs_dal.table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": jobs_dal.job_pk(tenant_id, job_id), ":s": PART_PREFIX}),
        "ConsistentRead": True,
    }
    return {str(item["service"]): (str(item["key"]), int(item["items"])) for item in dynamo.query_pages(request)}
