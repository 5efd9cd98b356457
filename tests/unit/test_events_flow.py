"""The outbox → stream → publisher → bus → rule → queue → consumer path, and its failure modes."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from local.stack import LocalStack
from services.cases.dal import contact_directory
from shared import aws
from shared.consumer import AlreadyProcessed
from shared.events.catalog import contract
from shared.publisher import handler as publish
from tests.unit.conftest import Client, eventually, stream_records_after_checkpoint

CONSUMER = "cases-contact-directory"


def directory_owner(tenant: str, contact_id: str) -> dict[str, str]:
    entry, _ = contact_directory.get(tenant, contact_id)
    return entry.owners


def test_a_contact_change_reaches_the_cases_directory(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = client.post("/v1/contacts", json_body={"name": "a", "owner": "g-1"}, token=admin).json
    assert eventually(lambda: directory_owner(tenant, contact["contact_id"])) == {"*": "g-1"}
    client.put(f"/v1/contacts/{contact['contact_id']}/owner", json_body={"staff_id": "g-2"}, token=admin)
    assert eventually(lambda: directory_owner(tenant, contact["contact_id"]) == {"*": "g-2"})


def _records_after_checkpoint(stack: LocalStack) -> list[dict[str, Any]]:
    return stream_records_after_checkpoint(stack.stream_pumps["contacts"])


def test_a_publisher_killed_between_write_and_publish_loses_no_event(
    stack: LocalStack, client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pump = stack.stream_pumps["contacts"]
    pump.stop()
    try:
        admin = client.staff_token(tenant)
        contact = client.post("/v1/contacts", json_body={"owner": "g-7"}, token=admin).json
        checkpoint = pump.checkpoint

        def killed(event: dict[str, Any], context: Any) -> dict[str, Any]:
            raise SystemExit("the publisher died")  # like a timeout or an out-of-memory kill

        pump.handler = killed
        with pytest.raises(SystemExit):
            pump.poll_once()
        assert pump.checkpoint == checkpoint  # nothing was acknowledged
        assert directory_owner(tenant, contact["contact_id"]) == {}

        pump.handler = publish
        while pump.poll_once():
            pass
    finally:
        pump.handler = publish
        pump.start()
    assert eventually(lambda: directory_owner(tenant, contact["contact_id"])) == {"*": "g-7"}


def only_here(fake_events: Any) -> Any:
    """aws.client with EventBridge faked for this test's thread only: the stack's pumps, on
    threads of their own, keep their real clients."""
    real, here = aws.client, threading.get_ident()
    return lambda name: fake_events if name == "events" and threading.get_ident() == here else real(name)


def test_entries_the_bus_refuses_are_retried(monkeypatch: pytest.MonkeyPatch, stack: LocalStack) -> None:
    sent: list[list[dict[str, Any]]] = []

    class FlakyEvents:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            sent.append(Entries)
            if len(sent) == 1:
                return {"FailedEntryCount": 1, "Entries": [{"EventId": "1"}, {"ErrorCode": "Throttling"}]}
            return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i in range(len(Entries))]}

    monkeypatch.setattr(aws, "client", only_here(FlakyEvents()))
    monkeypatch.setattr("shared.publisher.time.sleep", lambda seconds: None)
    records = [_stream_record(str(100 + i), f"evt_{i}") for i in range(2)]
    assert publish({"Records": records}, None) == {"batchItemFailures": []}
    assert [len(batch) for batch in sent] == [2, 1]
    assert json.loads(sent[1][0]["Detail"])["metadata"]["event_id"] == "evt_1"


def test_a_malformed_outbox_item_is_set_aside_and_blocks_nothing(stack: LocalStack) -> None:
    broken = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "99", "NewImage": {"kind": {"S": "outbox"}}}}
    sent: list[Any] = []

    class Events:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            sent.extend(Entries)
            return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"}] * len(Entries)}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aws, "client", only_here(Events()))
        assert publish({"Records": [broken, _stream_record("100", "evt_ok")]}, None) == {"batchItemFailures": []}
    assert [json.loads(e["Detail"])["metadata"]["event_id"] for e in sent] == ["evt_ok"]


def test_entries_that_keep_failing_are_reported_from_the_first_failed_record(
    monkeypatch: pytest.MonkeyPatch, stack: LocalStack
) -> None:
    class DownEvents:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            return {
                "FailedEntryCount": len(Entries),
                "Entries": [{"ErrorCode": "InternalFailure"}] * len(Entries),
            }

    monkeypatch.setattr(aws, "client", only_here(DownEvents()))
    monkeypatch.setattr("shared.publisher.time.sleep", lambda seconds: None)
    records = [_stream_record(str(100 + i), f"evt_{i}") for i in range(12)]
    assert publish({"Records": records}, None) == {"batchItemFailures": [{"itemIdentifier": "100"}]}


def test_published_events_match_their_contract(stack: LocalStack, client: Client, tenant: str) -> None:
    queue = aws.client("sqs").create_queue(QueueName=f"tap-{tenant}")["QueueUrl"]
    arn = aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert stack.resources is not None
    bus = stack.resources.bus_name
    events_client = aws.client("events")
    events_client.put_rule(
        Name=f"tap-{tenant}", EventBusName=bus, EventPattern=json.dumps({"source": ["siyu.contacts"]})
    )
    events_client.put_targets(Rule=f"tap-{tenant}", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    try:
        admin = client.staff_token(tenant)
        contact = client.post(
            "/v1/contacts",
            json_body={"phone": "+8613100000000"},
            token=admin,
            headers={"X-Correlation-Id": "corr-1"},
        ).json
        client.put(f"/v1/contacts/{contact['contact_id']}/tags/vip", token=admin)
        client.patch(f"/v1/contacts/{contact['contact_id']}", json_body={"city": "杭州"}, token=admin)
        received: list[dict[str, Any]] = []

        def collect() -> bool:
            answer = aws.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
            received.extend(json.loads(m["Body"]) for m in answer.get("Messages", []))
            return len([e for e in received if e["detail"]["metadata"]["tenant_id"] == tenant]) >= 5

        eventually(collect)
    finally:
        events_client.remove_targets(Rule=f"tap-{tenant}", EventBusName=bus, Ids=["q"])
        events_client.delete_rule(Name=f"tap-{tenant}", EventBusName=bus)
    mine = [e for e in received if e["detail"]["metadata"]["tenant_id"] == tenant]
    # Each change that alters what outreach copies (not the city) is also published as a snapshot.
    assert [e["detail-type"] for e in mine] == [
        "ContactCreated",
        "ContactProfileChanged",
        "ContactTagged",
        "ContactProfileChanged",
        "ContactUpdated",
    ]
    for event in mine:
        envelope = contract(event["source"], event["detail-type"]).envelope.model_validate(event["detail"])
        assert envelope.metadata.correlation_id == "corr-1" or envelope.metadata.correlation_id
        assert envelope.data.contact_id == contact["contact_id"]
    assert mine[0]["detail"]["metadata"]["correlation_id"] == "corr-1"
    assert "+8613100000000" not in json.dumps(mine)  # identities' values never travel on the bus
    assert [e["detail"]["data"]["version"] for e in mine] == [1, 1, 2, 2, 3]
    assert mine[3]["detail"]["data"]["tags"] == ["vip"]


def _stream_record(sequence: str, event_id: str) -> dict[str, Any]:
    detail = {"metadata": {"event_id": event_id}, "data": {}}
    return {
        "eventName": "INSERT",
        "dynamodb": {
            "SequenceNumber": sequence,
            "NewImage": {
                "kind": {"S": "outbox"},
                "source": {"S": "siyu.contacts"},
                "detail_type": {"S": "ContactCreated"},
                "detail": {"S": json.dumps(detail)},
            },
        },
    }


def _bus_event(tenant: str, detail_type: str, data: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "source": "siyu.contacts",
            "detail-type": detail_type,
            "detail": {
                "metadata": {
                    "event_id": event_id,
                    "event_version": 1,
                    "tenant_id": tenant,
                    "occurred_at": "2026-01-01T00:00:00Z",
                    "correlation_id": "c",
                },
                "data": data,
            },
        }
    )


def test_a_malformed_event_goes_to_the_dlq_with_its_reason_and_blocks_nothing(stack: LocalStack, tenant: str) -> None:
    from services.cases.handlers.contact_directory import handler

    good = _bus_event(
        tenant,
        "ContactCreated",
        {"contact_id": "c1", "version": 1, "identity_kinds": [], "tags": [], "owners": {"*": "g-1"}},
        f"{tenant}-e1",
    )
    bad = _bus_event(tenant, "ContactCreated", {"contact_id": "c2"}, f"{tenant}-e2")
    records = [
        {"messageId": "m-bad", "body": bad},
        {"messageId": "m-junk", "body": "{not json"},
        {"messageId": "m-good", "body": good},
    ]
    assert handler({"Records": records}, None) == {"batchItemFailures": []}
    assert directory_owner(tenant, "c1") == {"*": "g-1"}

    assert stack.resources is not None
    dlq = stack.resources.consumers[CONSUMER].dlq_url
    reasons: dict[str, str] = {}

    def collect() -> bool:
        answer = aws.client("sqs").receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        for message in answer.get("Messages", []):
            attributes = message["MessageAttributes"]
            reasons[attributes["original_message_id"]["StringValue"]] = attributes["reason"]["StringValue"]
        return {"m-bad", "m-junk"} <= reasons.keys()

    eventually(collect)
    assert "does not match its contract" in reasons["m-bad"]
    assert "version" in reasons["m-bad"]
    assert "not JSON" in reasons["m-junk"]


def test_duplicates_and_reordering_do_not_change_the_outcome(stack: LocalStack, tenant: str) -> None:
    from services.cases.handlers.contact_directory import handler, on_contact_event
    from services.cases.logic.contact_directory import DirectoryEntry

    created = _bus_event(
        tenant,
        "ContactCreated",
        {"contact_id": "c9", "version": 1, "identity_kinds": [], "tags": [], "owners": {"*": "old"}},
        f"{tenant}-created",
    )
    moved = _bus_event(
        tenant,
        "ContactOwnerChanged",
        {"contact_id": "c9", "version": 2, "brand": "*", "previous_owner": "old", "owner": "new"},
        f"{tenant}-moved",
    )
    # Later event first, then the earlier one, then both again.
    for body in (moved, created, moved, created):
        assert handler({"Records": [{"messageId": "m", "body": body}]}, None) == {"batchItemFailures": []}
    entry, revision = contact_directory.get(tenant, "c9")
    assert entry.owners == {"*": "new"}
    assert revision == 2  # only the two distinct events wrote

    envelope, _ = handler.parse(moved)
    with pytest.raises(AlreadyProcessed):
        on_contact_event(envelope)
    assert isinstance(entry, DirectoryEntry)


def test_a_failing_handler_reports_only_its_message(
    monkeypatch: pytest.MonkeyPatch, tenant: str, stack: LocalStack
) -> None:
    from services.cases.handlers import contact_directory as module

    calls: list[str] = []

    def flaky(event: Any) -> None:
        calls.append(event.data.contact_id)
        if event.data.contact_id == "boom":
            raise RuntimeError("transient")

    monkeypatch.setitem(module.handler.handlers, "ContactErased", flaky)
    records = [
        {
            "messageId": "m1",
            "body": _bus_event(tenant, "ContactErased", {"contact_id": "boom", "version": 2}, f"{tenant}-x1"),
        },
        {
            "messageId": "m2",
            "body": _bus_event(tenant, "ContactErased", {"contact_id": "fine", "version": 2}, f"{tenant}-x2"),
        },
    ]
    assert module.handler({"Records": records}, None) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert calls == ["boom", "fine"]


def test_a_cancelled_transaction_leaves_no_item_and_no_stream_record(stack: LocalStack, tenant: str) -> None:
    """The emulator's cheaper transaction backup (local/moto_patches.py) keeps rollback exact."""
    from shared.dynamo import Transaction
    from shared.errors import Conflict
    from shared.settings import get_settings

    table = get_settings().table("contacts")
    pump = stack.stream_pumps["contacts"]
    pump.stop()
    try:
        while pump.poll_once():
            pass
        tx = Transaction(table)
        tx.put({"pk": f"T#{tenant}#probe", "sk": "A"})
        tx.check({"pk": f"T#{tenant}#missing", "sk": "B"}, "attribute_exists(pk)", on_fail=Conflict("absent"))
        with pytest.raises(Conflict):
            tx.commit()
        # Other tests' consumers may still be writing to the table: only this test's keys count.
        records = _records_after_checkpoint(stack)  # their times are datetimes: written as text
        assert [record for record in records if tenant in json.dumps(record, default=str)] == []
        assert (
            aws.client("dynamodb")
            .get_item(TableName=table, Key={"pk": {"S": f"T#{tenant}#probe"}, "sk": {"S": "A"}})
            .get("Item")
            is None
        )
        Transaction(table).put({"pk": f"T#{tenant}#probe", "sk": "A"}).commit()
        mine = [record for record in _records_after_checkpoint(stack) if tenant in json.dumps(record, default=str)]
        assert len(mine) == 1
    finally:
        pump.start()


def test_every_consumer_marks_events_under_the_name_its_service_declares() -> None:
    """A consumer's name is its queue, its dead-letter queue and the key of its processed markers:
    the function answering a subscription must go by the name the declaration gives it."""
    from services.registry import SERVICES
    from shared.consumer import EventConsumer
    from shared.manifest import resolve_handler

    for service in SERVICES:
        for consumer in service.consumers:
            handler = resolve_handler(consumer.handler)
            assert isinstance(handler, EventConsumer), consumer.handler
            assert handler.name == consumer.name, consumer.handler


def test_an_owner_change_is_one_write_and_never_undoes_a_newer_fact_or_an_erasure(
    stack: LocalStack, tenant: str
) -> None:
    """The scan flow's directory hop: an owner change onto a known entry costs one request (no
    read); a stale change, a duplicate and a change after erasure leave the entry as it was."""
    from services.cases.handlers.contact_directory import handler

    def deliver(detail_type: str, data: dict[str, Any], event_id: str) -> None:
        body = _bus_event(tenant, detail_type, {"contact_id": "c5", **data}, f"{tenant}-{event_id}")
        assert handler({"Records": [{"messageId": "m", "body": body}]}, None) == {"batchItemFailures": []}

    def owner_change(version: int, owner: str | None) -> dict[str, Any]:
        return {"version": version, "brand": "*", "previous_owner": None, "owner": owner}

    deliver("ContactCreated", {"version": 1, "identity_kinds": [], "tags": [], "owners": {}}, "created")
    calls: list[str] = []

    here = threading.get_ident()

    def count(model: Any, **_: Any) -> None:
        if threading.get_ident() == here:  # other tests' consumers share the client
            calls.append(model.name)

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", count)
    try:
        deliver("ContactOwnerChanged", owner_change(3, "g-3"), "v3")
    finally:
        events.unregister("before-call.dynamodb", count)
    assert calls == ["TransactWriteItems"]
    assert directory_owner(tenant, "c5") == {"*": "g-3"}

    deliver("ContactOwnerChanged", owner_change(2, "g-2"), "v2")  # older: read, found newer, kept
    deliver("ContactOwnerChanged", owner_change(3, "g-3"), "v3")  # duplicate
    assert directory_owner(tenant, "c5") == {"*": "g-3"}
    deliver("ContactOwnerChanged", owner_change(4, None), "v4")  # cleared without a read
    assert directory_owner(tenant, "c5") == {}
    deliver("ContactErased", {"version": 5}, "erased")
    deliver("ContactOwnerChanged", owner_change(6, "g-6"), "v6")  # after erasure: ignored
    assert directory_owner(tenant, "c5") == {}
