"""A journey's tag step reaches the contact (issue 16, point 4: tag/untag): contacts applies
outreach's JourneyTagDecided once per decision, to the survivor of a merged contact, never to an
erased one; a tag name contacts refuses is dead-lettered with its reason."""

from __future__ import annotations

import json
import uuid
from typing import Any

from local.stack import LocalStack
from services.contacts.handlers.journeys import handler
from shared import aws
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_merge import merge
from tests.unit.test_daily_stats import sqs_record
from tests.unit.test_points_api import publish

CONSUMER = "contacts-journeys"


def decision(contact_id: str, tag: str, action: str = "add", decision_id: str | None = None) -> dict[str, Any]:
    return {
        "decision_id": decision_id or f"jr_1#1#{contact_id}#1#{uuid.uuid4().hex[:6]}",
        "journey_id": "jr_1",
        "contact_id": contact_id,
        "tag": tag,
        "action": action,
    }


def deliver(tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    """One delivery of the decision to the consumer (a new event id each time, as a republish has)."""
    record = sqs_record("siyu.outreach", "JourneyTagDecided", tenant, data, f"evt-{uuid.uuid4().hex}")
    return dict(handler({"Records": [record]}, None))


def contact(client: Client, token: str, contact_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/contacts/{contact_id}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def create(client: Client, token: str, **fields: Any) -> str:
    answer = client.post("/v1/contacts", json_body=fields, token=token)
    assert answer.status == 201, answer.body
    return str(answer.json["contact_id"])


def test_a_decision_on_the_bus_tags_the_contact(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="王芳")
    publish(tenant, "JourneyTagDecided", decision(contact_id, "沉睡召回"), source="siyu.outreach")
    assert eventually(lambda: "沉睡召回" in contact(client, admin, contact_id)["tags"])


def test_a_decision_is_applied_once_however_often_it_comes(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, tags=["VIP"])
    added = decision(contact_id, "生日礼")
    assert deliver(tenant, added) == {"batchItemFailures": []}
    tagged = contact(client, admin, contact_id)
    assert tagged["tags"] == ["VIP", "生日礼"]
    assert deliver(tenant, added) == {"batchItemFailures": []}  # published again: nothing more
    assert contact(client, admin, contact_id)["version"] == tagged["version"]

    removed = decision(contact_id, "VIP", "remove")
    assert deliver(tenant, removed) == {"batchItemFailures": []}
    assert contact(client, admin, contact_id)["tags"] == ["生日礼"]
    # Staff set the tag again; the removal delivered late does not take it off a second time.
    assert client.put(f"/v1/contacts/{contact_id}/tags/VIP", token=admin).status == 200
    assert deliver(tenant, removed) == {"batchItemFailures": []}
    assert contact(client, admin, contact_id)["tags"] == ["VIP", "生日礼"]


def test_a_merged_contact_s_survivor_is_tagged_and_an_erased_one_is_left_alone(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    survivor = create(client, admin, phone="13800000001")
    alias = create(client, admin, email="a@example.com")
    assert merge(client, admin, survivor, alias).status == 200
    assert deliver(tenant, decision(alias, "回访")) == {"batchItemFailures": []}
    assert contact(client, admin, survivor)["tags"] == ["回访"]

    erased = create(client, admin, name="gone")
    assert client.delete(f"/v1/contacts/{erased}", token=admin).status == 204
    assert deliver(tenant, decision(erased, "回访")) == {"batchItemFailures": []}
    assert client.get(f"/v1/contacts/{erased}", token=admin).status == 404


def test_a_tag_name_contacts_refuses_is_dead_lettered_with_its_reason(
    stack: LocalStack, client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin)
    bad = f"a/{uuid.uuid4().hex}"  # "/" separates a tag's parts: no tag is named so
    assert deliver(tenant, decision(contact_id, bad)) == {"batchItemFailures": []}  # blocks nothing
    assert contact(client, admin, contact_id)["tags"] == []
    assert stack.resources is not None
    dlq = stack.resources.consumers[CONSUMER].dlq_url

    def dead_lettered() -> str | None:
        answer = aws.client("sqs").receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        for message in answer.get("Messages", []):
            if json.loads(message["Body"])["detail"]["data"]["tag"] == bad:
                return str(message["MessageAttributes"]["reason"]["StringValue"])
        return None

    reason = eventually(dead_lettered, timeout=5)
    assert "tag contacts refuses" in reason
