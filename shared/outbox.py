"""The transactional outbox: an event is an item written in the same transaction as the change it
announces. The table's stream carries it to the publisher, so a change and its event can never
part, even if a function dies between the two."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from shared import ids, observability
from shared.clock import now_rfc3339
from shared.manifest import TTL_ATTRIBUTE

if TYPE_CHECKING:
    from pydantic import BaseModel

    from shared.dynamo import Transaction

# The publisher imports this module for OUTBOX_KIND alone: what only writers need is imported
# when an event is written, not at the publisher's cold start.
OUTBOX_KIND = "outbox"
OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600  # kept for investigation; the stream is what delivers
MAX_CORRELATION_ID = 256  # the envelope's bound (shared.events.envelope.EventMetadata)


def outbox_item(tenant_id: str, data: BaseModel) -> dict[str, Any]:
    from shared.events.catalog import contract_of

    contract = contract_of(type(data))
    event_id = ids.new_id("evt_")
    detail = {
        "metadata": {
            "event_id": event_id,
            "event_version": contract.version,
            "tenant_id": tenant_id,
            "occurred_at": now_rfc3339(),
            # Bounded as the contracts bound it: a client's over-long X-Correlation-Id must not
            # make the event its request caused undeliverable.
            "correlation_id": (observability.correlation_id() or event_id)[:MAX_CORRELATION_ID],
            "causation_id": observability.causation_id(),
        },
        "data": data.model_dump(mode="json"),
    }
    return {
        "pk": f"T#{tenant_id}#OUTBOX#{event_id}",  # one partition per event: no hot key under load
        "sk": "OUTBOX",
        "kind": OUTBOX_KIND,
        "source": contract.source,
        "detail_type": contract.detail_type,
        "detail": json.dumps(detail, separators=(",", ":"), ensure_ascii=False),
        TTL_ATTRIBUTE: int(time.time()) + OUTBOX_RETENTION_SECONDS,
    }


def publish_with(tx: Transaction, tenant_id: str, *events: BaseModel) -> Transaction:
    for data in events:
        tx.put(outbox_item(tenant_id, data))
    return tx
