"""Event consumers: an SQS batch of EventBridge events → one typed handler per detail-type.

- A malformed event (not JSON, unknown type, failing its contract) is sent to the consumer's
  dead-letter queue with the reason and counts as handled: it blocks nothing.
- A handler error reports that message as a batch item failure; SQS redelivers it and, after the
  queue's maximum receives, moves it to the dead-letter queue.
- Handlers are idempotent: they record the event id in the same transaction as their effect
  (see ``processed_marker``); a duplicate raises ``AlreadyProcessed``, which counts as success.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import ValidationError

from shared import aws
from shared.errors import Conflict
from shared.events.catalog import Contract, find
from shared.events.envelope import Envelope, EventMetadata
from shared.manifest import TTL_ATTRIBUTE
from shared.observability import correlated, count, lambda_entry, logger
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.dynamo import Transaction

INBOX_RETENTION_SECONDS = 30 * 24 * 3600  # longer than any redelivery or replay window we run


class AlreadyProcessed(Conflict):
    pass


class MalformedEvent(Exception):
    pass


def processed_marker(tx: Transaction, consumer: str, tenant_id: str, event_id: str) -> Transaction:
    """Add "this consumer handled this event" to a transaction; it fails if it was handled before."""
    item = {
        "pk": f"T#{tenant_id}#INBOX#{consumer}#{event_id}",
        "sk": "INBOX",
        "kind": "inbox",
        TTL_ATTRIBUTE: int(time.time()) + INBOX_RETENTION_SECONDS,
    }
    return tx.create(item, on_fail=AlreadyProcessed(f"{event_id} was already handled by {consumer}"))


# Plain classes, not dataclasses: building a dataclass costs about half a millisecond of every
# consumer's cold start.
class WithSource:
    """A handler that also needs the event's source: for partner events, which partner sent it."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Envelope[Any], str], None]) -> None:
        self.function = function


# A string: parametrising the envelope here would build a model class at every consumer's import.
Handler: TypeAlias = "Callable[[Envelope[Any]], None]"


class EventConsumer:
    def __init__(self, name: str, handlers: dict[str, Handler | WithSource]) -> None:
        self.name = name
        self.handlers = handlers  # detail-type → handler
        self._entry = lambda_entry(self._batch)
        # Every event's metadata is validated, whatever its type: built in the init phase, with
        # pydantic's own first-build work, rather than on the first event. Each type's data model
        # is built when its first event comes (event models defer their build: see the envelope).
        EventMetadata.model_rebuild()

    def _contract(self, source: str, detail_type: str) -> Contract:
        contract = find(source, detail_type)
        if contract is None or detail_type not in self.handlers:
            raise MalformedEvent(f"{self.name} does not handle {source} {detail_type}")
        return contract

    def parse(self, body: str) -> tuple[Envelope[Any], Handler]:
        try:
            message = json.loads(body)
        except ValueError as error:
            raise MalformedEvent(f"not JSON: {error}") from None
        if not isinstance(message, dict):
            raise MalformedEvent("not an EventBridge event")
        detail_type = str(message.get("detail-type", ""))
        contract = self._contract(str(message.get("source", "")), detail_type)
        try:
            envelope = contract.envelope.model_validate(message.get("detail"))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
            raise MalformedEvent(f"{detail_type} does not match its contract: {problems}") from None
        handler = self.handlers[detail_type]
        if isinstance(handler, WithSource):
            source, function = str(message.get("source")), handler.function
            return envelope, lambda parsed: function(parsed, source)
        return envelope, handler

    def _dead_letter(self, record: dict[str, Any], reason: str) -> None:
        aws.client("sqs").send_message(
            QueueUrl=get_settings().dead_letter_queue(self.name),
            MessageBody=record.get("body", ""),
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": reason[:1000]},
                "consumer": {"DataType": "String", "StringValue": self.name},
                "original_message_id": {
                    "DataType": "String",
                    "StringValue": str(record.get("messageId", "")),
                },
            },
        )
        count("EventsDeadLettered")
        logger.warning("malformed event dead-lettered", extra={"consumer": self.name, "reason": reason})

    def _handle(self, record: dict[str, Any]) -> bool:
        """True when the record is done with (handled, duplicate or dead-lettered)."""
        try:
            envelope, handle = self.parse(record.get("body", ""))
        except MalformedEvent as error:
            self._dead_letter(record, str(error))
            return True
        metadata = envelope.metadata
        with correlated(metadata.correlation_id, metadata.event_id):
            try:
                handle(envelope)
                count("EventsHandled")
            except AlreadyProcessed:
                logger.info("duplicate event ignored", extra={"event_id": metadata.event_id})
        return True

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self._entry(event, context)

    def _batch(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event.get("Records", []):
            try:
                self._handle(record)
            except Exception:
                logger.exception("event handling failed; it will be retried", extra={"consumer": self.name})
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}
