"""Event consumers: an SQS batch of EventBridge events → one typed handler per detail-type.

- An event the consumer can never apply is sent to its dead-letter queue at once, with the
  reason (``reason`` message attribute), and counts as handled: it blocks nothing and the rest of
  its batch is applied. That is a malformed event (not JSON, nested too deep, unknown type, failing
  its contract, out of its bounds) and one whose handling fails the same way whatever the number of
  tries (``poison_reason``: a value DynamoDB cannot store, a record or event its own model refuses).
- Any other handler error (throttling, a network fault, a race lost too often) reports that
  message as a batch item failure; SQS redelivers it and, after the queue's maximum receives,
  moves it to the dead-letter queue (without a reason: the logs have it).
- Every invocation that reports batch item failures writes the metric ``ConsumerFailures`` and
  every one that dead-letters writes ``ConsumerDeadLetters`` (namespace "Siyu", dimension
  ``consumer``), so a consumer that keeps failing is alarmed on even though it never raises.
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
from shared.observability import correlated, count, count_per, lambda_entry, logger
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.dynamo import Transaction

INBOX_RETENTION_SECONDS = 30 * 24 * 3600  # longer than any redelivery or replay window we run


class AlreadyProcessed(Conflict):
    pass


class MalformedEvent(Exception):
    pass


# Client errors that mean "this request can never succeed", whatever the number of tries.
_INVALID_REQUEST_CODES = frozenset({"ValidationException", "SerializationException"})


def poison_reason(error: BaseException) -> str | None:
    """Why handling failed for good (so retrying is pointless), or None when a retry may succeed.

    Deterministic failures: input nested too deep (RecursionError), a record or event that its own
    model refuses (pydantic's ValidationError, a ValueError or TypeError), a number the DynamoDB
    serialiser or service cannot hold (decimal's Inexact/Rounded/Overflow, botocore's parameter
    validation, a ValidationException). Transient ones (throttling, networks, a race lost too
    often, a domain error such as a not-yet-known record) are retried. botocore's own ValueErrors
    (an unknown region or endpoint: configuration, fixed by a deploy) are retried too."""
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    if isinstance(error, MalformedEvent):
        return str(error)
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return f"{code}: {error}" if code in _INVALID_REQUEST_CODES else None
    if isinstance(error, ParamValidationError | RecursionError | ArithmeticError):
        return f"{type(error).__name__}: {error}"
    if isinstance(error, ValueError | TypeError) and not isinstance(error, BotoCoreError):
        return f"{type(error).__name__}: {error}"
    return None


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
        except ValueError as error:  # integers over 4,300 digits are ValueErrors too
            raise MalformedEvent(f"not JSON: {error}") from None
        except RecursionError:
            raise MalformedEvent("not JSON that can be read: nested too deeply") from None
        if not isinstance(message, dict):
            raise MalformedEvent("not an EventBridge event")
        detail_type = str(message.get("detail-type", ""))
        contract = self._contract(str(message.get("source", "")), detail_type)
        try:
            envelope = contract.envelope.model_validate(message.get("detail"))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
            raise MalformedEvent(f"{detail_type} does not match its contract: {problems}") from None
        except RecursionError:
            raise MalformedEvent(f"{detail_type} is nested too deeply to read") from None
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
        logger.warning("event dead-lettered", extra={"consumer": self.name, "reason": reason})

    def _handle(self, record: dict[str, Any]) -> bool:
        """Apply one record: True when it is applied (or a duplicate), False when it was
        dead-lettered; raises when a retry may succeed."""
        try:
            envelope, handle = self.parse(record.get("body", ""))
        except MalformedEvent as error:
            self._dead_letter(record, str(error))
            return False
        metadata = envelope.metadata
        with correlated(metadata.correlation_id, metadata.event_id):
            try:
                handle(envelope)
                count("EventsHandled")
            except AlreadyProcessed:
                logger.info("duplicate event ignored", extra={"event_id": metadata.event_id})
            except Exception as error:
                reason = poison_reason(error)
                if reason is None:
                    raise
                logger.exception("event cannot be applied", extra={"consumer": self.name})
                self._dead_letter(record, f"{type(envelope.data).__name__} cannot be applied: {reason}")
                return False
        return True

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self._entry(event, context)

    def _batch(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        dead_lettered = 0
        for record in event.get("Records", []):
            try:
                dead_lettered += not self._handle(record)
            except Exception:
                logger.exception("event handling failed; it will be retried", extra={"consumer": self.name})
                failures.append({"itemIdentifier": record["messageId"]})
        if failures:
            count_per("ConsumerFailures", {"consumer": self.name}, len(failures))
        if dead_lettered:
            count_per("ConsumerDeadLetters", {"consumer": self.name}, dead_lettered)
        return {"batchItemFailures": failures}
