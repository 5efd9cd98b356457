"""Faults injected on the path from a table write to its effect in another service: the stream
publisher failing mid-batch, the bus refusing a put, a consumer dying after its write and before
its acknowledgement, a channel send dying midway. Each shows that no event is lost and none is
applied twice, with the real handlers over the in-process emulator."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from local.pumps import QueuePump, StreamPump
from local.stack import LocalStack
from services.cases.dal import cases as cases_dal
from services.cases.dal import contact_directory
from services.cases.dal.cases import SendAttempt
from services.cases.gateways.channel import FakeChannelGateway
from services.cases.logic import delivery
from shared import aws
from shared.clock import utc_now
from shared.errors import ConcurrentUpdate
from shared.publisher import handler as publish
from tests.unit.conftest import Client, eventually, stream_records_after_checkpoint
from tests.unit.test_events_flow import only_here
from tests.unit.test_points_api import balance
from tests.unit.test_points_api import publish as put_on_bus

GATEWAY = "cases-channel-gateway"

# ---- the stream publisher and the bus --------------------------------------------------------


QUIET_SECONDS = 1.0


@contextmanager
def publisher_paused(stack: LocalStack, service: str) -> Iterator[StreamPump]:
    """The service's stream pump stopped and drained: the test polls it itself, on its own thread."""
    pump = stack.stream_pumps[service]
    pump.stop()
    try:
        # Drained, then quiet for a while: earlier tests' consumers may still write the table (late
        # insight, segment or WeCom answers), and a test counts exactly what it writes.
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS:
            if pump.poll_once():
                quiet_since = time.monotonic()
            else:
                time.sleep(0.05)
        yield pump
    finally:
        pump.handler = publish
        pump.start()


class Bus:
    """The real bus behind a fault plan: ``plan(call_number, entries)`` returns None to forward the
    call, raises to fail it outright, or names the indexes of the entries to refuse."""

    def __init__(self, plan: Any) -> None:
        self.plan = plan
        self.real = aws.client("events")  # taken before the test puts this fake in its place
        self.calls = 0
        self.published: list[str] = []  # event ids the real bus accepted, in order

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        refused: set[int] = self.plan(self.calls, Entries) or set()
        accepted = [entry for index, entry in enumerate(Entries) if index not in refused]
        answer = self.real.put_events(Entries=accepted) if accepted else {"Entries": []}
        assert not answer.get("FailedEntryCount")
        self.published += [json.loads(entry["Detail"])["metadata"]["event_id"] for entry in accepted]
        results = iter(answer["Entries"])
        return {
            "FailedEntryCount": len(refused),
            "Entries": [
                {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}
                if index in refused
                else next(results)
                for index in range(len(Entries))
            ],
        }


def outbox_event_ids(records: list[dict[str, Any]], detail_type: str | None = None) -> list[str]:
    """The event ids of the outbox items among ``records`` (of one detail-type, when given)."""
    return [
        json.loads(record["dynamodb"]["NewImage"]["detail"]["S"])["metadata"]["event_id"]
        for record in records
        if record["dynamodb"].get("NewImage", {}).get("kind", {}).get("S") == "outbox"
        and detail_type in (None, record["dynamodb"]["NewImage"].get("detail_type", {}).get("S"))
    ]


def of_tenant(record: dict[str, Any], tenant: str) -> bool:
    return str(record["dynamodb"].get("Keys", {}).get("pk", {}).get("S", "")).startswith(f"T#{tenant}#")


def pending_stream_records(pump: StreamPump) -> list[dict[str, Any]]:
    return stream_records_after_checkpoint(pump, limit=pump.batch_size)


def create_contacts(client: Client, tenant: str, count: int) -> list[str]:
    admin = client.staff_token(tenant)
    made = [client.post("/v1/contacts", json_body={"owner": f"g-{n}"}, token=admin) for n in range(count)]
    assert all(answer.status == 201 for answer in made), [answer.body for answer in made]
    return [answer.json["contact_id"] for answer in made]


def ours(published: list[str], written: list[str]) -> list[str]:
    """The published event ids that are among those the test wrote, in order."""
    return [event_id for event_id in published if event_id in written]


def directory_revision(tenant: str, contact_id: str) -> int:
    _, revision = contact_directory.get(tenant, contact_id)
    return revision


def test_the_bus_failing_after_the_first_chunk_loses_nothing_and_puts_nothing_twice(
    stack: LocalStack, client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shared.publisher.time.sleep", lambda seconds: None)

    def down_after_first_chunk(call: int, entries: list[dict[str, Any]]) -> set[int] | None:
        if call in (2, 3, 4):  # every try at the second chunk of ten, within one invocation
            raise EndpointConnectionError(endpoint_url="https://events.example")
        return None

    bus = Bus(down_after_first_chunk)
    with publisher_paused(stack, "contacts") as pump:
        contacts = create_contacts(client, tenant, 12)
        pending = pending_stream_records(pump)
        written = outbox_event_ids(pending)  # another test's late consumer may have written too
        # Each create publishes ContactCreated and the profile snapshot (ContactProfileChanged).
        assert len(outbox_event_ids([r for r in pending if of_tenant(r, tenant)])) == 24
        monkeypatch.setattr(aws, "client", only_here(bus))
        assert pump.poll_once() is False  # the invocation reported the second chunk's first record
        assert bus.published == written[:10]
        while pump.poll_once():  # the stream delivers from the first unpublished record again
            pass
        monkeypatch.undo()
    assert ours(bus.published, written) == written  # each once, in order: none lost, none put twice
    eventually(lambda: [directory_revision(tenant, contact_id) for contact_id in contacts] == [1] * 12)


def test_entries_the_bus_keeps_refusing_come_again_from_the_stream_and_are_applied_once(
    stack: LocalStack, client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bus throttles the first entry on every try while accepting the others: the stream
    delivers from the refused record again, so the entries after it reach the bus twice; their
    consumers apply each once."""
    monkeypatch.setattr("shared.publisher.time.sleep", lambda seconds: None)
    refusing = True

    def throttle_the_first(call: int, entries: list[dict[str, Any]]) -> set[int] | None:
        return {0} if refusing else None

    bus = Bus(throttle_the_first)
    directory = stack.queue_pumps["cases-contact-directory"]
    real = directory.handler
    consumed: list[str] = []

    def recording(event: dict[str, Any], context: Any) -> dict[str, Any]:
        answer = real(event, context)
        failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
        done = [r for r in event["Records"] if r["messageId"] not in failed]
        consumed.extend(json.loads(r["body"])["detail"]["metadata"]["event_id"] for r in done)
        return answer

    directory.handler = recording
    try:
        with publisher_paused(stack, "contacts") as pump:
            contacts = create_contacts(client, tenant, 3)
            pending = pending_stream_records(pump)
            written = outbox_event_ids(pending)
            created = outbox_event_ids(pending, "ContactCreated")  # what the directory consumes
            assert len(created) == 3
            monkeypatch.setattr(aws, "client", only_here(bus))
            assert pump.poll_once() is False
            # Only this test's entries are compared: other tests' consumers on the same stack may
            # write contacts' stream meanwhile (insight and segment events), published with them.
            assert ours(bus.published, written) == written[1:]  # only the refused entry was tried again
            refusing = False
            while pump.poll_once():
                pass
            monkeypatch.undo()
        published = ours(bus.published, written)
        assert Counter(published) == Counter({written[0]: 1, **dict.fromkeys(written[1:], 2)})
        reached = Counter(e for e in published if e in created)
        eventually(lambda: Counter(e for e in consumed if e in created) == reached)
    finally:
        directory.handler = real
    assert [directory_revision(tenant, contact_id) for contact_id in contacts] == [1, 1, 1]  # applied once each
    owners = [contact_directory.get(tenant, contact_id)[0].owners for contact_id in contacts]
    assert owners == [{"*": "g-0"}, {"*": "g-1"}, {"*": "g-2"}]


def test_a_consumer_dying_after_its_write_and_before_its_ack_applies_the_event_once(
    stack: LocalStack, client: Client, tenant: str
) -> None:
    member = client.member_login(tenant, "dev:o-crash")
    pump: QueuePump = stack.queue_pumps["points-conversions"]
    real = pump.handler
    invocations: list[int] = []

    def dies_after_its_writes(event: dict[str, Any], context: Any) -> dict[str, Any]:
        answer = real(event, context)  # the credit and its marker are written...
        invocations.append(len(event["Records"]))
        if len(invocations) == 1:
            raise RuntimeError("killed before returning")  # ...and the batch is never acknowledged
        return answer

    pump.handler = dies_after_its_writes
    try:
        data = {
            "scan_id": "sc-1",
            "contact_id": member["contact_id"],
            "campaign_id": "cp-1",
            "code": "k",
            "channel": "poster",
            "conversion_id": f"cp-1:{member['contact_id']}",
            "kind": "acquisition",
            "points": 100,
            "rewarded": True,
        }
        put_on_bus(tenant, "CampaignConversionRecorded", data, source="siyu.campaigns")
        eventually(lambda: len(invocations) >= 2)  # redelivered after the crash
    finally:
        pump.handler = real
    assert balance(client, member) == 100
    entries = client.get("/v1/me/points/entries", token=member["token"]).json["items"]
    assert [entry["points"] for entry in entries] == [100]


# ---- the channel gateway: a reply never stays "sending" ------------------------------------


@contextmanager
def gateway_paused(stack: LocalStack) -> Iterator[QueuePump]:
    pump = stack.queue_pumps[GATEWAY]
    pump.stop()
    try:
        yield pump
    finally:
        pump.start()


def requested_reply(client: Client, tenant: str, openid: str) -> tuple[str, str, str]:
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, f"dev:{openid}")
    body = {"type": "complaint", "subject": "杯子裂了", "description": "收到就裂了"}
    case_id = client.post("/v1/me/cases", json_body=body, token=member["token"]).json["case_id"]
    reply = client.post(f"/v1/cases/{case_id}/messages", json_body={"body": "您好"}, token=admin)
    assert reply.status == 201, reply.body
    return admin, case_id, reply.json["message_id"]


def request_record(stack: LocalStack, pump: QueuePump, message_id: str) -> dict[str, Any]:
    """The reply's request as the gateway function receives it; other messages go back."""
    sqs = aws.client("sqs")

    def receive() -> dict[str, Any] | None:
        answer = sqs.receive_message(QueueUrl=pump.queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        found = None
        for message in answer.get("Messages", []):
            if message_id in message["Body"]:
                found = pump._record(message)
            else:
                sqs.change_message_visibility(
                    QueueUrl=pump.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        return found

    return dict(eventually(receive))


def acknowledge(pump: QueuePump, record: dict[str, Any]) -> None:
    aws.client("sqs").delete_message(QueueUrl=pump.queue_url, ReceiptHandle=record["receiptHandle"])


def reply_delivery(tenant: str, case_id: str, message_id: str) -> dict[str, Any]:
    found = cases_dal.get_outbound(tenant, case_id, message_id)
    assert found is not None
    assert found[0].delivery is not None
    return found[0].delivery.model_dump()


def sent_to(client: Client, admin: str, openid: str) -> list[str]:
    answer = client.get(f"/v1/local/channel-deliveries?app_id=wx-app&openid={openid}", token=admin)
    return [item["message_id"] for item in answer.json["items"]]


class DiesMidSend:
    def send(self, *args: Any) -> None:
        raise SystemExit("the function timed out mid-send")  # no outcome is written


class NoSecret:
    """The deployed failure: the function may not read the WeChat secret."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, *args: Any) -> None:
        self.calls += 1
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetSecretValue")


def test_a_reply_left_sending_by_a_dead_attempt_is_sent_by_a_redelivery_once_its_lease_runs_out(
    stack: LocalStack, client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.cases.handlers.channel_gateway import handler

    with gateway_paused(stack) as pump:
        admin, case_id, message_id = requested_reply(client, tenant, "o-stuck")
        record = request_record(stack, pump, message_id)
        monkeypatch.setattr(delivery, "gateway", DiesMidSend)
        with pytest.raises(SystemExit):
            handler({"Records": [record]}, None)
        assert reply_delivery(tenant, case_id, message_id)["status"] == "sending"

        # Redelivered while the attempt may still run: neither sent again nor dropped, retried later.
        monkeypatch.setattr(delivery, "gateway", FakeChannelGateway)
        assert handler({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        assert reply_delivery(tenant, case_id, message_id)["status"] == "sending"
        assert sent_to(client, admin, "o-stuck") == []

        later = utc_now() + delivery.SEND_LEASE + timedelta(seconds=1)
        monkeypatch.setattr(delivery, "utc_now", lambda: later)
        assert handler({"Records": [record]}, None) == {"batchItemFailures": []}
        assert reply_delivery(tenant, case_id, message_id)["status"] == "delivered"
        assert handler({"Records": [record]}, None) == {"batchItemFailures": []}  # a duplicate: nothing
        acknowledge(pump, record)
    assert sent_to(client, admin, "o-stuck") == [message_id]
    staff_view = client.get(f"/v1/cases/{case_id}", token=admin).json["messages"]
    assert [m["delivery"]["status"] for m in staff_view if m["message_id"] == message_id] == ["delivered"]


def emf_lines(output: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


def test_a_reply_whose_attempts_keep_failing_is_failed_with_its_reason_and_staff_can_send_it_again(
    stack: LocalStack,
    client: Client,
    tenant: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from services.cases.handlers.channel_gateway import handler

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    refusing = NoSecret()
    with gateway_paused(stack) as pump:
        admin, case_id, message_id = requested_reply(client, tenant, "o-nosecret")
        record = request_record(stack, pump, message_id)
        monkeypatch.setattr(delivery, "gateway", lambda: refusing)
        capsys.readouterr()
        for _ in range(delivery.MAX_SEND_ATTEMPTS - 1):
            assert handler({"Records": [record]}, None)["batchItemFailures"] == [
                {"itemIdentifier": record["messageId"]}
            ]
            assert reply_delivery(tenant, case_id, message_id)["status"] == "requested"
        assert handler({"Records": [record]}, None) == {"batchItemFailures": []}
        acknowledge(pump, record)
        assert refusing.calls == delivery.MAX_SEND_ATTEMPTS
        failed = reply_delivery(tenant, case_id, message_id)
        assert (failed["status"], failed["reason"]) == ("failed", "error:ClientError")

        failures = [line for line in emf_lines(capsys.readouterr().out) if "ConsumerFailures" in line]
        assert [(line["consumer"], line["ConsumerFailures"]) for line in failures] == [(GATEWAY, 1.0)] * (
            delivery.MAX_SEND_ATTEMPTS - 1
        )
        assert failures[0]["_aws"]["CloudWatchMetrics"][0] == {
            "Namespace": "Siyu",
            "Dimensions": [["consumer"]],
            "Metrics": [{"Name": "ConsumerFailures", "Unit": "Count"}],
        }
        monkeypatch.setattr(delivery, "gateway", FakeChannelGateway)

    # The wiring fixed, staff send the failed reply again: its attempts count from one again.
    again = client.post(f"/v1/cases/{case_id}/messages/{message_id}/retry", token=admin)
    assert again.status == 200, again.body
    eventually(lambda: reply_delivery(tenant, case_id, message_id)["status"] == "delivered")
    assert sent_to(client, admin, "o-nosecret") == [message_id]


def test_a_reply_whose_last_attempt_died_is_failed_not_sent_again(
    stack: LocalStack, client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.cases.handlers.channel_gateway import handler

    with gateway_paused(stack) as pump:
        admin, case_id, message_id = requested_reply(client, tenant, "o-dies")
        record = request_record(stack, pump, message_id)
        monkeypatch.setattr(delivery, "gateway", DiesMidSend)
        moment = utc_now()
        for _ in range(delivery.MAX_SEND_ATTEMPTS):
            moment += delivery.SEND_LEASE + timedelta(seconds=1)
            monkeypatch.setattr(delivery, "utc_now", lambda moment=moment: moment)
            with pytest.raises(SystemExit):
                handler({"Records": [record]}, None)
        moment += delivery.SEND_LEASE + timedelta(seconds=1)
        monkeypatch.setattr(delivery, "utc_now", lambda: moment)
        assert handler({"Records": [record]}, None) == {"batchItemFailures": []}
        acknowledge(pump, record)
    failed = reply_delivery(tenant, case_id, message_id)
    assert (failed["status"], failed["reason"]) == ("failed", delivery.INTERRUPTED)
    assert sent_to(client, admin, "o-dies") == []


def test_two_deliveries_cannot_both_take_a_reply(stack: LocalStack, client: Client, tenant: str) -> None:
    with gateway_paused(stack) as pump:
        _, case_id, message_id = requested_reply(client, tenant, "o-race")
        acknowledge(pump, request_record(stack, pump, message_id))
    found = cases_dal.get_outbound(tenant, case_id, message_id)
    assert found is not None
    message, last = found
    assert last is None
    sending = message.model_copy(update={"delivery": message.delivery.model_copy(update={"status": "sending"})})  # type: ignore[union-attr]
    first, second = SendAttempt("att-a", 1), SendAttempt("att-b", 1)
    outcomes: list[str] = []

    def take(attempt: SendAttempt) -> None:
        try:
            cases_dal.claim_delivery(tenant, case_id, sending, "requested", None, attempt)
            outcomes.append(attempt.token)
        except ConcurrentUpdate:
            outcomes.append("lost")

    threads = [threading.Thread(target=take, args=(attempt,)) for attempt in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["att-a", "lost"], ["att-b", "lost"])
    winner = SendAttempt(next(o for o in outcomes if o != "lost"), 1)
    # Two redeliveries after the winner's lease ran out: each takes over the winner's token; one wins.
    takeovers = [SendAttempt("att-c", 2), SendAttempt("att-d", 2)]
    cases_dal.claim_delivery(tenant, case_id, sending, "sending", winner, takeovers[0])
    with pytest.raises(ConcurrentUpdate):
        cases_dal.claim_delivery(tenant, case_id, sending, "sending", winner, takeovers[1])
    assert cases_dal.get_outbound(tenant, case_id, message_id) == (sending, takeovers[0])


def test_a_reply_stuck_sending_with_no_request_left_can_be_sent_again_by_staff_once_its_lease_ran_out(
    stack: LocalStack, client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replies stuck before redeliveries recovered them: their request was acknowledged and is gone."""
    from services.cases.handlers.channel_gateway import handler

    with gateway_paused(stack) as pump:
        admin, case_id, message_id = requested_reply(client, tenant, "o-orphan")
        record = request_record(stack, pump, message_id)
        monkeypatch.setattr(delivery, "gateway", DiesMidSend)
        with pytest.raises(SystemExit):
            handler({"Records": [record]}, None)
        acknowledge(pump, record)  # no request is left to redeliver it
        monkeypatch.setattr(delivery, "gateway", FakeChannelGateway)
        retry = f"/v1/cases/{case_id}/messages/{message_id}/retry"

        early = client.post(retry, token=admin)  # the attempt may still be running: not sent twice
        assert (early.status, early.json["reason"]) == (409, "not_held")
        assert reply_delivery(tenant, case_id, message_id)["status"] == "sending"

        later = utc_now() + delivery.SEND_LEASE + timedelta(seconds=1)
        monkeypatch.setattr(delivery, "utc_now", lambda: later)
        assert client.post(retry, token=admin).status == 200
        assert reply_delivery(tenant, case_id, message_id)["status"] == "requested"
    eventually(lambda: reply_delivery(tenant, case_id, message_id)["status"] == "delivered")
    assert sent_to(client, admin, "o-orphan") == [message_id]
