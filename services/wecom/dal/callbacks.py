"""The callback door's items: a callback already queued, and callbacks refused with a reason."""

from __future__ import annotations

import time
from typing import Any

from services.wecom.dal.table import table
from shared import dynamo, ids
from shared.clock import now_rfc3339
from shared.dynamo import Transaction
from shared.errors import Conflict
from shared.events.wecom import WeComCallbackReceived
from shared.manifest import TTL_ATTRIBUTE
from shared.outbox import publish_with

# WeCom retries an unanswered call three times within about a minute; days is plenty.
QUEUED_RETENTION_SECONDS = 3 * 24 * 3600
REJECTED_RETENTION_SECONDS = 30 * 24 * 3600


class _AlreadyQueued(Conflict):
    pass


def queue(tenant_id: str, digest: str, event: WeComCallbackReceived) -> bool:
    """Queue the callback on the bus once: False when the same message was queued before."""
    tx = Transaction(table())
    tx.create(
        {
            "pk": f"T#{tenant_id}#CALLBACK#{digest}",
            "sk": "CALLBACK",
            "kind": "callback",
            "callback_kind": event.kind,
            "received_at": now_rfc3339(),
            TTL_ATTRIBUTE: int(time.time()) + QUEUED_RETENTION_SECONDS,
        },
        on_fail=_AlreadyQueued("queued before"),
    )
    publish_with(tx, tenant_id, event)
    try:
        tx.commit()
    except _AlreadyQueued:
        return False
    return True


def reject(tenant_id: str, corp_id: str, kind: str, reason: str) -> None:
    """Record a verified callback that was not queued, and why (operators read them)."""
    at = now_rfc3339()
    item = {
        "pk": f"T#{tenant_id}#REJECTED",
        "sk": f"{at}#{ids.new_id('cb_')}",
        "kind": "rejected_callback",
        "corp_id": corp_id,
        "callback_kind": kind[:128],
        "reason": reason[:500],
        "at": at,
        TTL_ATTRIBUTE: int(time.time()) + REJECTED_RETENTION_SECONDS,
    }
    dynamo.client().put_item(TableName=table(), Item=dynamo.serialize(item))


def rejected(tenant_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The most recent refused callbacks."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": f"T#{tenant_id}#REJECTED"}),
        "ScanIndexForward": False,
    }
    return list(dynamo.query_pages(request, most=limit))
