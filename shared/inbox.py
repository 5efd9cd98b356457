"""A consumer's "this event was handled" markers, as a step of the transaction that makes the
event's change or on their own (``shared.consumer.processed_marker`` is the item). Apart from
``shared.consumer`` so that the consumer module stays free of the DynamoDB helpers at import."""

from __future__ import annotations

from shared.consumer import processed_marker
from shared.dynamo import Prepare, Transaction


def handled(consumer: str, tenant_id: str, event_id: str) -> Prepare:
    """The marker as a step of the transaction that makes the event's change (a redelivery then
    fails on it and changes nothing)."""

    def mark(tx: Transaction) -> None:
        processed_marker(tx, consumer, tenant_id, event_id)

    return mark


def mark_handled(table: str, consumer: str, tenant_id: str, event_id: str) -> None:
    """Record on its own that a consumer finished with an event that changed nothing (a duplicate
    then ends here as handled)."""
    processed_marker(Transaction(table), consumer, tenant_id, event_id).commit()
