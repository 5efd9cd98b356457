"""Every service follows a merge of two contacts: ``ContactsMerged`` from
contacts (``contact_id`` survives, ``merged_contact_id`` becomes an alias) re-points points, cases
and campaigns, once, whatever the order and number of deliveries. This module holds the helpers
the ``test_merge_followers_*`` modules share and the end-to-end check across the three services:
events go over the bus, as in production, and the member keeps using the alias's token.

The contacts side is built separately: these tests build the events contacts will publish."""

from __future__ import annotations

import json
import uuid
from typing import Any

from shared import aws
from shared.manifest import resolve_handler
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually

REDELIVERIES = 5


def event_body(source: str, detail_type: str, tenant: str, data: dict[str, Any], event_id: str | None = None) -> str:
    """An EventBridge event as SQS hands it to a consumer."""
    return json.dumps(
        {
            "id": uuid.uuid4().hex,
            "source": source,
            "detail-type": detail_type,
            "detail": {
                "metadata": {
                    "event_id": event_id or f"evt-{uuid.uuid4().hex}",
                    "event_version": 1,
                    "tenant_id": tenant,
                    "occurred_at": "2026-11-22T00:00:00Z",
                    "correlation_id": "merge-test",
                },
                "data": data,
            },
        }
    )


def deliver(
    handler_path: str,
    tenant: str,
    detail_type: str,
    data: dict[str, Any],
    *,
    source: str = "siyu.contacts",
    event_id: str | None = None,
) -> dict[str, Any]:
    """Hand one event straight to a consumer (as its queue would), so a test decides the order and
    the repeats. A failure that a retry may cure (a race with the same contact's events arriving
    over the bus) is redelivered, as SQS would; the event must be applied within a few tries."""
    handler = resolve_handler(handler_path)
    record = {"messageId": f"m-{uuid.uuid4().hex}", "body": event_body(source, detail_type, tenant, data, event_id)}
    answer: dict[str, Any] = {}
    for _ in range(REDELIVERIES):
        answer = handler({"Records": [record]}, None)
        if answer == {"batchItemFailures": []}:
            return answer
    raise AssertionError(f"{detail_type} was not applied in {REDELIVERIES} deliveries: {answer}")


def merged(survivor: str, alias: str, version: int = 7) -> dict[str, Any]:
    return {"contact_id": survivor, "merged_contact_id": alias, "version": version}


def created(contact_id: str) -> dict[str, Any]:
    return {"contact_id": contact_id, "version": 1, "identity_kinds": ["phone"], "tags": [], "owners": {}}


def publish(tenant: str, detail_type: str, data: dict[str, Any], source: str = "siyu.contacts") -> None:
    """An event on the bus: every subscribed consumer gets it through its own queue."""
    entry = {
        "EventBusName": get_settings().event_bus_name,
        "Source": source,
        "DetailType": detail_type,
        "Detail": json.dumps(json.loads(event_body(source, detail_type, tenant, data))["detail"]),
    }
    assert aws.client("events").put_events(Entries=[entry])["FailedEntryCount"] == 0


def dead_lettered(consumer: str, body_contains: str) -> bool:
    """Whether the consumer's dead-letter queue holds a message whose body contains the text (it is
    removed; other messages are left for their own tests)."""
    sqs = aws.client("sqs")
    dlq = get_settings().dead_letter_queue(consumer)
    found = False
    for _ in range(5):
        answer = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        for message in answer.get("Messages", []):
            if body_contains in message["Body"]:
                found = True
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            else:
                sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        if found:
            return True
    return False


# ---- end to end, over the bus ------------------------------------------------------------------


def test_a_merge_over_the_bus_sums_the_points_moves_the_cases_and_the_old_token_keeps_working(
    client: Client, tenant: str
) -> None:
    """The issue's acceptance, on the side of the services that follow contacts: one points
    account with the summed balance and an intact ledger, cases moved, the old token works."""
    admin = client.staff_token(tenant)
    survivor = client.member_login(tenant, "dev:o-e2e-survivor")
    alias = client.member_login(tenant, "dev:o-e2e-alias")
    for member, points in ((survivor, 40), (alias, 60)):
        path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
        assert client.post(path, json_body={"points": points, "reason": "order"}, token=admin).status == 201
    filed = client.post(
        "/v1/me/cases", json_body={"type": "inquiry", "subject": "Where is my parcel?"}, token=alias["token"]
    )
    assert filed.status == 201, filed.body

    publish(tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))

    def followed() -> bool:
        points = client.get("/v1/me/points", token=survivor["token"]).json["balance"]
        cases = client.get("/v1/me/cases", token=survivor["token"]).json["items"]
        return points == 100 and [c["case_id"] for c in cases] == [filed.json["case_id"]]

    eventually(followed)
    # The old token: the survivor's balance, entries and cases.
    assert client.get("/v1/me/points", token=alias["token"]).json["balance"] == 100
    entries = client.get("/v1/me/points/entries", token=alias["token"]).json["items"]
    assert [(e["type"], e["points"]) for e in entries] == [("merge_in", 60), ("adjustment", 40)]
    assert [c["case_id"] for c in client.get("/v1/me/cases", token=alias["token"]).json["items"]] == [
        filed.json["case_id"]
    ]
    # The alias's own ledger is intact and says where its points went.
    own = client.get(f"/v1/contacts/{alias['contact_id']}/points/entries", token=admin).json["items"]
    assert [(e["type"], e["points"]) for e in own] == [("merge_out", -60), ("adjustment", 60)]
