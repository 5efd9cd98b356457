"""Every event type every consumer takes, sent in a batch with a malformed and an out-of-bounds copy
among valid ones: the bad two reach the consumer's dead-letter queue at once with their reason,
the valid ones are applied, nothing raises and nothing is retried. The cases come from the
declarations (services/registry.py), so a new consumer or a new subscription is covered as is."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import pytest

from local.stack import LocalStack
from services.registry import SERVICES
from shared import aws
from shared.consumer import AlreadyProcessed, EventConsumer, WithSource, poison_reason
from shared.events.catalog import Contract, find
from shared.manifest import Consumer, resolve_handler
from tests.unit.conftest import eventually
from tests.unit.test_contracts import bus_event


def _consumed() -> list[tuple[Consumer, str, str]]:
    """(consumer, source, detail-type) for every event type each declared consumer subscribes to."""
    cases = []
    for service in SERVICES:
        for consumer in service.consumers:
            for pattern in consumer.patterns:
                sources = [s if isinstance(s, str) else f"{s['prefix']}example-shop" for s in pattern["source"]]
                cases += [
                    (consumer, source, detail_type) for source in sources for detail_type in pattern["detail-type"]
                ]
    return cases


CONSUMED = _consumed()


def test_every_declared_consumer_is_covered() -> None:
    covered = {consumer.name for consumer, _, _ in CONSUMED}
    assert covered == {consumer.name for service in SERVICES for consumer in service.consumers}
    assert len(CONSUMED) >= 13


def _property_schemas(contract: Contract) -> dict[str, dict[str, Any]]:
    schema = contract.data.model_json_schema()
    found: dict[str, dict[str, Any]] = {}
    for name, field in schema["properties"].items():
        options = field.get("anyOf", [field])
        found[name] = next((o for o in options if o.get("type") in ("integer", "string")), {})
    return found


def out_of_bounds(contract: Contract, data: dict[str, Any]) -> dict[str, Any]:
    """The sample with one value past its bound: a number far beyond any maximum when the event
    carries one (10**40 once became a poison message), else a string one character too long."""
    fields = _property_schemas(contract)
    numbers = [name for name, field in fields.items() if field.get("type") == "integer"]
    if numbers:
        return data | {numbers[0]: 10**40}
    name, field = next((n, f) for n, f in fields.items() if f.get("type") == "string" and "maxLength" in f)
    return data | {name: "x" * (field["maxLength"] + 1)}


# Event types whose valid sample applies only after another event: a refund waits for its order,
# a reward's reversal for its credit.
PRECEDED_BY = {"OrderRefunded": "OrderPaid", "ReferralRewardReversed": "ReferralRewardEarned"}


def record(body: str) -> dict[str, Any]:
    return {"messageId": f"m-{uuid.uuid4().hex}", "body": body}


def event_body(contract: Contract, source: str, tenant: str, data: Any, event_id: str) -> str:
    event = bus_event(contract)
    event["source"] = source
    event["detail"]["metadata"] |= {"tenant_id": tenant, "event_id": event_id}
    event["detail"]["data"] = data
    return json.dumps(event)


def dead_letters(dlq: str, message_ids: set[str]) -> dict[str, str]:
    """The reasons of these messages in the dead-letter queue; they are removed, others left."""
    sqs = aws.client("sqs")
    reasons: dict[str, str] = {}

    def collect() -> bool:
        answer = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        for message in answer.get("Messages", []):
            # Messages SQS itself moved after too many receives (other tests') carry no attributes.
            attributes = message.get("MessageAttributes", {})
            original = attributes.get("original_message_id", {}).get("StringValue")
            if original in message_ids:
                reasons[original] = attributes["reason"]["StringValue"]
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            else:
                sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        return message_ids <= reasons.keys()

    eventually(collect)
    return reasons


@pytest.mark.parametrize(("consumer", "source", "detail_type"), CONSUMED, ids=[f"{c.name}:{t}" for c, _, t in CONSUMED])
def test_a_malformed_and_an_out_of_bounds_event_are_dead_lettered_while_the_valid_ones_are_applied(
    stack: LocalStack, tenant: str, monkeypatch: pytest.MonkeyPatch, consumer: Consumer, source: str, detail_type: str
) -> None:
    handler = resolve_handler(consumer.handler)
    assert isinstance(handler, EventConsumer)
    contract = find(source, detail_type)
    assert contract is not None, (source, detail_type)
    applied: list[str] = []

    def spy(real: Any) -> Any:
        def spied(envelope: Any, *source: str) -> None:
            with contextlib.suppress(AlreadyProcessed):
                real(envelope, *source)
            if envelope.metadata.tenant_id == tenant:  # other tests' events reach the consumer too
                applied.append(envelope.metadata.event_id)

        return spied

    real = handler.handlers[detail_type]
    monkeypatch.setitem(
        handler.handlers,
        detail_type,
        WithSource(spy(real.function)) if isinstance(real, WithSource) else spy(real),
    )
    earlier = find(source, PRECEDED_BY.get(detail_type, ""))
    if earlier is not None:
        first = record(event_body(earlier, source, tenant, bus_event(earlier)["detail"]["data"], f"{tenant}-first"))
        assert handler({"Records": [first]}, None) == {"batchItemFailures": []}
    sample = bus_event(contract)["detail"]["data"]
    valid = [f"{tenant}-valid-1", f"{tenant}-valid-2"]
    malformed = record(event_body(contract, source, tenant, {**sample, "surprise": {"nested": [1]}}, f"{tenant}-bad"))
    bounded = record(event_body(contract, source, tenant, out_of_bounds(contract, sample), f"{tenant}-big"))
    batch = [
        record(event_body(contract, source, tenant, sample, valid[0])),
        malformed,
        bounded,
        record(event_body(contract, source, tenant, sample, valid[1])),
    ]

    assert handler({"Records": batch}, None) == {"batchItemFailures": []}
    assert applied == valid

    assert stack.resources is not None
    reasons = dead_letters(
        stack.resources.consumers[consumer.name].dlq_url, {malformed["messageId"], bounded["messageId"]}
    )
    assert "does not match its contract" in reasons[malformed["messageId"]]
    assert "surprise" in reasons[malformed["messageId"]]
    assert "does not match its contract" in reasons[bounded["messageId"]]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"detail-type": ' + "9" * 5000 + "}", "not JSON"),
        ('{"source": "siyu.contacts", "detail-type": "ContactCreated", "detail": ' + "[" * 5000 + "]" * 5000 + "}", ""),
    ],
    ids=["nested-100000-deep", "integer-of-5000-digits", "detail-nested-5000-deep"],
)
def test_unreadable_bodies_are_dead_lettered_at_once_with_a_reason(stack: LocalStack, body: str, reason: str) -> None:
    from services.cases.handlers.contact_directory import handler

    bad = record(body)
    assert handler({"Records": [bad]}, None) == {"batchItemFailures": []}
    assert stack.resources is not None
    reasons = dead_letters(stack.resources.consumers[handler.name].dlq_url, {bad["messageId"]})
    assert reason in reasons[bad["messageId"]]
    assert reasons[bad["messageId"]]


def _client_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "m"}}, "TransactWriteItems")


def test_only_failures_that_no_retry_can_cure_are_poison() -> None:
    from decimal import Inexact

    from boto3.dynamodb.types import TypeSerializer
    from botocore.exceptions import EndpointConnectionError, ParamValidationError, UnknownEndpointError
    from pydantic import BaseModel

    from shared.errors import ConcurrentUpdate, NotFound

    class Strict(BaseModel):
        n: int

    try:
        Strict.model_validate({"n": "x"})
    except ValueError as error:
        invalid = error
    try:
        TypeSerializer().serialize(10**40 + 1)  # more digits than DynamoDB's 38
    except Inexact as error:
        inexact = error
    poison = [
        RecursionError("maximum recursion depth exceeded"),
        invalid,
        inexact,
        TypeError("Unsupported type"),
        ParamValidationError(report="Invalid type for parameter"),
        _client_error("ValidationException"),
    ]
    transient = [
        _client_error("ProvisionedThroughputExceededException"),
        _client_error("ThrottlingException"),
        _client_error("TransactionConflict"),
        EndpointConnectionError(endpoint_url="https://dynamodb"),
        UnknownEndpointError(service_name="x", region_name="y"),
        ConcurrentUpdate("race"),
        NotFound("not yet"),
        RuntimeError("?"),
        TimeoutError(),
    ]
    assert all(poison_reason(error) for error in poison), [e for e in poison if not poison_reason(e)]
    assert [e for e in transient if poison_reason(e) is not None] == []


def test_a_handler_failing_for_good_dead_letters_its_message_and_a_transient_failure_is_retried(
    stack: LocalStack, tenant: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The value reaches DynamoDB's serialiser or a service refuses the request: dead-lettered at
    once with the reason; throttling goes back for a retry. Both are counted per consumer."""
    from services.cases.handlers import contact_directory as module

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    contract = find("siyu.contacts", "ContactErased")
    assert contract is not None

    def failing(envelope: Any) -> None:
        errors = {"poison": TypeError("Float types are not supported"), "busy": _client_error("ThrottlingException")}
        raise errors[envelope.data.contact_id]

    monkeypatch.setitem(module.handler.handlers, "ContactErased", failing)
    poison = record(
        event_body(contract, "siyu.contacts", tenant, {"contact_id": "poison", "version": 2}, f"{tenant}-p")
    )
    busy = record(event_body(contract, "siyu.contacts", tenant, {"contact_id": "busy", "version": 2}, f"{tenant}-b"))
    capsys.readouterr()
    assert module.handler({"Records": [poison, busy]}, None) == {
        "batchItemFailures": [{"itemIdentifier": busy["messageId"]}]
    }
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    counted = {(m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], m.get("consumer")) for m in metrics}
    assert {("ConsumerFailures", module.handler.name), ("ConsumerDeadLetters", module.handler.name)} <= counted

    assert stack.resources is not None
    reasons = dead_letters(stack.resources.consumers[module.handler.name].dlq_url, {poison["messageId"]})
    assert reasons[poison["messageId"]] == "ContactErased cannot be applied: TypeError: Float types are not supported"
