"""Outbox publisher: DynamoDB Stream records of outbox items → EventBridge, in batches of 10.

Entries EventBridge refuses (FailedEntryCount, throttling) and calls that fail outright (a network
fault, a throttled or refused call) are retried with back-off; if some still fail, the function
reports the first record it could not publish as the batch item failure, so the stream (Lambda's
event source mapping, or the local pump) delivers it and everything after it again, while what was
already published before it is not put again. Delivery is therefore at least once (an entry the bus
accepted just before a call failed is put again), which is why every consumer is idempotent.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from shared import aws
from shared.observability import count, lambda_entry, logger
from shared.outbox import OUTBOX_KIND
from shared.settings import get_settings

BATCH = 10  # PutEvents' limit per call
ATTEMPTS = 3


class PendingEvent(NamedTuple):
    sequence_number: str
    entry: dict[str, Any]


def _pending(record: dict[str, Any]) -> PendingEvent | None:
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage") or {}
    if image.get("kind", {}).get("S") != OUTBOX_KIND:
        return None
    try:
        entry = {
            "Source": image["source"]["S"],
            "DetailType": image["detail_type"]["S"],
            "Detail": image["detail"]["S"],
            "EventBusName": get_settings().event_bus_name,
        }
    except (KeyError, TypeError):
        # A broken outbox item must not block every event behind it: it is reported and set aside
        # (the item itself stays in the table until its TTL, for investigation and redrive).
        logger.error("malformed outbox item skipped", extra={"keys": record.get("dynamodb", {}).get("Keys")})
        count("MalformedOutboxItems")
        return None
    return PendingEvent(record["dynamodb"]["SequenceNumber"], entry)


def _put_batch(batch: list[PendingEvent]) -> list[PendingEvent]:
    """Publish a batch; return what still failed after retries."""
    remaining = batch
    for attempt in range(ATTEMPTS):
        try:
            answer = aws.client("events").put_events(Entries=[item.entry for item in remaining])
        except Exception:  # the whole call failed: every entry in it is tried again
            logger.exception("the bus refused the call", extra={"count": len(remaining), "attempt": attempt + 1})
        else:
            if not answer.get("FailedEntryCount"):
                return []
            remaining = [
                item for item, result in zip(remaining, answer["Entries"], strict=True) if result.get("ErrorCode")
            ]
            logger.warning("events refused by the bus", extra={"count": len(remaining), "attempt": attempt + 1})
        time.sleep(0.1 * 2**attempt)
    return remaining


@lambda_entry
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    pending = [item for record in event.get("Records", []) if (item := _pending(record)) is not None]
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        failed = _put_batch(batch)
        if failed:
            first = min(failed, key=lambda item: int(item.sequence_number))
            count("EventsPublished", len(batch) - len(failed))
            count("PublishFailures", len(failed))
            return {"batchItemFailures": [{"itemIdentifier": first.sequence_number}]}
        count("EventsPublished", len(batch))
    return {"batchItemFailures": []}
