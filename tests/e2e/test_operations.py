"""The operator's commands (``make redrive``, ``make replay``, ``make smoke``) against the local stack,
run as an operator runs them: separate processes that find the stack from its API address alone."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.events.contacts import ContactCreated
from shared.outbox import outbox_item
from tests.e2e.conftest import ROOT, Http, emulator_client, wait_for

pytestmark = pytest.mark.e2e

COMMAND_SECONDS = 60


def ops(http: Http, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"ops.{command}", *args, "--stage", "local", "--url", http.base],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


def stack_map(http: Http) -> dict[str, Any]:
    status, body = http.call("GET", "/_local/stack")
    assert status == 200
    return dict(body)


def queue_depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def settled(http: Http) -> None:
    """Every consumer queue empty twice in a row: nothing left in flight."""
    sqs = emulator_client(http, "sqs")
    queues = [q["queue_url"] for q in stack_map(http)["consumers"].values()]
    quiet = 0
    deadline = time.monotonic() + 15
    while quiet < 2:
        assert time.monotonic() < deadline, "the consumers did not settle"
        quiet = quiet + 1 if all(queue_depth(sqs, url) == 0 for url in queues) else 0
        time.sleep(0.2)


@dataclass
class Observer:
    """A queue subscribed to every Siyu event on the bus, as an extra consumer would be."""

    http: Http
    url: str

    def drain(self, seconds: float = 1.0) -> list[dict[str, Any]]:
        sqs = emulator_client(self.http, "sqs")
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            messages = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            for message in messages:
                events.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
            if not messages:
                time.sleep(0.1)
        return events


@pytest.fixture(scope="module")
def observer(local_stack: Http) -> Observer:
    sqs, events = emulator_client(local_stack, "sqs"), emulator_client(local_stack, "events")
    name = f"observer-{uuid.uuid4().hex[:6]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = stack_map(local_stack)["event_bus"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": [{"prefix": "siyu."}]}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "observer", "Arn": arn}])
    return Observer(local_stack, url)


def event_ids(events: list[dict[str, Any]], tenant: str) -> set[str]:
    return {e["detail"]["metadata"]["event_id"] for e in events if e["detail"]["metadata"]["tenant_id"] == tenant}


# Redrive ---------------------------------------------------------------------------------------
def test_redrive_lists_with_reasons_then_moves_back_and_the_consumer_applies_it(local_stack: Http) -> None:
    tenant, contact_id = f"ops-{uuid.uuid4().hex[:8]}", f"c_{uuid.uuid4().hex[:12]}"
    queues = stack_map(local_stack)["consumers"]["cases-contact-directory"]
    detail = json.loads(
        outbox_item(
            tenant,
            ContactCreated(contact_id=contact_id, version=1, identity_kinds=[], tags=[], owners={"*": "guide-r"}),
        )["detail"]
    )
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "source": "siyu.contacts",
        "detail-type": "ContactCreated",
        "detail": detail,
    }
    sqs, dynamodb = emulator_client(local_stack, "sqs"), emulator_client(local_stack, "dynamodb")
    # A valid event dead-lettered as the consumer does it (shared/consumer.py): body and reason.
    sqs.send_message(
        QueueUrl=queues["dlq_url"],
        MessageBody=json.dumps(event),
        MessageAttributes={
            "reason": {"DataType": "String", "StringValue": "simulated: the table was throttled"},
            "consumer": {"DataType": "String", "StringValue": "cases-contact-directory"},
        },
    )
    key = {"pk": {"S": f"T#{tenant}#CONTACT#{contact_id}"}, "sk": {"S": "DIRECTORY"}}

    def directory() -> Any:
        return dynamodb.get_item(TableName="siyu-local-cases", Key=key).get("Item")

    listed = ops(local_stack, "redrive", "cases-contact-directory", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert "reason: simulated: the table was throttled" in listed.stdout
    assert f"siyu.contacts ContactCreated event {detail['metadata']['event_id']} tenant {tenant}" in listed.stdout
    assert "nothing moved (dry run)" in listed.stdout
    assert queue_depth(sqs, queues["dlq_url"]) == 1  # still there, visible again
    assert directory() is None

    moved = ops(local_stack, "redrive", "cases-contact-directory")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert (
        "moved 1 of 1 message(s) from siyu-local-cases-contact-directory-dlq to siyu-local-cases-contact-directory"
        in moved.stdout
    )
    assert wait_for(directory)["owners"]["M"]["*"]["S"] == "guide-r"  # the consumer applied it
    assert queue_depth(sqs, queues["dlq_url"]) == 0

    again = ops(local_stack, "redrive", "cases-contact-directory")  # nothing left: nothing happens
    assert again.returncode == 0
    assert "moved 0 of 0" in again.stdout


def test_a_publisher_dlq_is_redriven_by_publishing_the_stream_batch_again(
    local_stack: Http, observer: Observer
) -> None:
    tenant = f"ops-{uuid.uuid4().hex[:8]}"
    admin = local_stack.staff_token(tenant)
    contact = local_stack.call("POST", "/v1/contacts", {"name": "Zhou", "owner": "guide-p"}, admin)[1]
    published = wait_for(lambda: event_ids(observer.drain(0.3), tenant))
    # The stream record of that outbox item, and the descriptor Lambda writes to the publisher's
    # on-failure queue when it gives up on a batch (the local pump never gives up).
    layout = stack_map(local_stack)
    streams = emulator_client(local_stack, "dynamodbstreams")
    stream_arn = layout["streams"]["contacts"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    mine = [
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if contact["contact_id"] in json.dumps(r["dynamodb"].get("NewImage", {}))
    ]
    descriptor = {
        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 3},
        "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
        "version": "1.0",
        "DDBStreamBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": mine[0],
            "endSequenceNumber": mine[-1],
            "batchSize": len(mine),
            "streamArn": stream_arn,
        },
    }
    sqs = emulator_client(local_stack, "sqs")
    dlq = layout["publisher_dlqs"]["contacts"]
    sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps(descriptor))

    listed = ops(local_stack, "redrive", "contacts-publisher", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert "reason: RetryAttemptsExhausted after 3 invocations (Unhandled)" in listed.stdout
    assert observer.drain(0.3) == []

    moved = ops(local_stack, "redrive", "contacts-publisher")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "stream records published again" in moved.stdout
    assert wait_for(lambda: event_ids(observer.drain(0.3), tenant)) == published  # the same event, again
    assert queue_depth(sqs, dlq) == 0
    settled(local_stack)
    assert local_stack.call("GET", "/v1/contacts", token=admin)[1]["items"][0]["version"] == contact["version"]


def test_redrive_refuses_an_unknown_queue_or_a_schedule_and_says_why(local_stack: Http) -> None:
    answer = ops(local_stack, "redrive", "no-such-consumer")
    assert answer.returncode == 1
    assert "no queue 'no-such-consumer'" in answer.stderr
    assert "cases-channel-gateway" in answer.stderr
    assert "contacts-publisher" in answer.stderr
    schedule = ops(local_stack, "redrive", "cases-sla")
    assert schedule.returncode == 1
    assert "cases-sla is a scheduled job" in schedule.stderr


# Replay ----------------------------------------------------------------------------------------
def test_replay_redelivers_the_window_and_nothing_is_applied_twice(local_stack: Http, observer: Observer) -> None:
    began = datetime.now(UTC) - timedelta(seconds=1)
    tenant = f"ops-{uuid.uuid4().hex[:8]}"
    admin = local_stack.staff_token(tenant)
    campaign = local_stack.call(
        "POST",
        "/v1/campaigns",
        {
            "name": "Replay",
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2036-01-01T00:00:00Z",
            "acquisition_points": 100,
            "engagement_points": 10,
            "points_budget": 100_000,
        },
        admin,
    )[1]
    campaign_id = campaign["campaign_id"]
    assert local_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin)[0] == 200
    code = local_stack.call("POST", f"/v1/campaigns/{campaign_id}/codes", {"channel": "poster"}, admin)[1]["code"]
    member = local_stack.call(
        "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": "wx-ops", "code": "dev:o-replay"}
    )[1]
    assert local_stack.call("POST", "/v1/scans", {"code": code}, member["token"])[0] == 202

    def balance() -> int:
        return int(local_stack.call("GET", "/v1/me/points", token=member["token"])[1]["balance"])

    def seen() -> tuple[Any, ...]:
        return (
            balance(),
            local_stack.call("GET", "/v1/me/points/entries", token=member["token"])[1],
            local_stack.call("GET", f"/v1/campaigns/{campaign_id}/stats", token=admin)[1],
            local_stack.call("GET", f"/v1/contacts/{member['contact_id']}", token=admin)[1],
        )

    wait_for(lambda: balance() == 100)
    settled(local_stack)
    before = seen()
    original = event_ids(observer.drain(0.5), tenant)
    assert len(original) >= 4  # scan, attribution, conversion, points awarded (and more)
    ended = datetime.now(UTC) + timedelta(seconds=1)

    replayed = ops(local_stack, "replay", "--from", began.isoformat(), "--to", ended.isoformat())
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert re.search(r"replay siyu-local-\S+: COMPLETED", replayed.stdout)
    again = observer.drain(1.0)
    assert event_ids(again, tenant) == original  # every event of the window came again...
    assert all("replay-name" in e for e in again if e["detail"]["metadata"]["tenant_id"] == tenant)
    settled(local_stack)
    assert seen() == before  # ...and changed nothing

    earlier = ops(local_stack, "replay", "--from", (began - timedelta(hours=1)).isoformat(), "--to", began.isoformat())
    assert earlier.returncode == 0, earlier.stdout + earlier.stderr
    assert event_ids(observer.drain(0.5), tenant) == set()  # a window before the flow holds none of it

    typed = ops(
        local_stack,
        "replay",
        "--from",
        began.isoformat(),
        "--to",
        ended.isoformat(),
        "--types",
        "CampaignConversionRecorded",
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr
    rules = re.search(r"to the rules (.*)", typed.stdout)
    assert rules is not None
    assert "points-conversions-0" in rules.group(1)
    assert "cases-contact-directory-0" not in rules.group(1)  # not a consumer of that type
    settled(local_stack)
    assert seen() == before


def test_replay_refuses_bad_windows_and_unknown_types(local_stack: Http) -> None:
    now = datetime.now(UTC)
    backwards = ops(local_stack, "replay", "--from", now.isoformat(), "--to", (now - timedelta(hours=1)).isoformat())
    assert (backwards.returncode, "FROM must be before TO" in backwards.stderr) == (1, True)
    naive = ops(local_stack, "replay", "--from", "2026-03-01T08:00:00", "--to", "2026-03-01T09:00:00Z")
    assert (naive.returncode, "has no time zone" in naive.stderr) == (1, True)
    unknown = ops(
        local_stack, "replay", "--from", "2026-03-01T08:00:00Z", "--to", "2026-03-01T09:00:00Z", "--types", "Nope"
    )
    assert (unknown.returncode, "unknown detail-types ['Nope']" in unknown.stderr) == (1, True)
    forgotten = now - timedelta(days=31)  # consumers keep what they applied for 30 days
    too_old = ops(local_stack, "replay", "--from", forgotten.isoformat(), "--to", now.isoformat())
    assert (too_old.returncode, "could apply some twice" in too_old.stderr) == (1, True)


# Smoke -----------------------------------------------------------------------------------------
def test_make_smoke_passes_and_leaves_nothing_of_its_tenant_visible(local_stack: Http) -> None:
    answer = subprocess.run(
        [shutil.which("make") or "make", "--no-print-directory", "smoke", "STAGE=local", f"URL={local_stack.base}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "smoke passed on local" in answer.stdout
    found = re.search(r"in tenant (smoke-[0-9a-f]+)", answer.stdout)
    assert found is not None
    admin = local_stack.staff_token(found.group(1))
    assert local_stack.call("GET", "/v1/contacts", token=admin)[1]["items"] == []
    cases = local_stack.call("GET", "/v1/cases", token=admin)[1]["items"]
    assert [case["subject"] for case in cases] == ["[erased]"]  # the case keeps its shape, not the person


def test_smoke_fails_clearly_when_there_is_no_stack() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "ops.smoke", "--stage", "local", "--url", "http://127.0.0.1:9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert answer.returncode == 1
    assert "no local stack answers at http://127.0.0.1:9: start one with `make run`" in answer.stderr
