"""The contacts service on the local stack, over HTTP, events included."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Http, emulator_client, wait_for

pytestmark = pytest.mark.e2e


def test_health_docs_and_startup(local_stack: Http) -> None:
    assert local_stack.call("GET", "/v1/health") == (200, {"status": "ok", "stage": "local"})
    status, page = local_stack.call("GET", "/v1/docs")
    assert status == 200
    assert b"swagger" in page.lower()
    status, spec = local_stack.call("GET", "/v1/openapi.json")
    assert status == 200
    assert "/v1/contacts" in spec["paths"]


def test_a_staff_journey_with_tenancy_and_roles(local_stack: Http) -> None:
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    admin = local_stack.staff_token(tenant)
    status, contact = local_stack.call(
        "POST", "/v1/contacts", {"name": "陈静", "phone": "13812345678", "owner": "guide-a"}, admin
    )
    assert status == 201
    path = f"/v1/contacts/{contact['contact_id']}"
    assert local_stack.call("GET", path, token=admin)[0] == 200
    assert local_stack.call("GET", path, token=local_stack.staff_token(f"{tenant}-b"))[0] == 404
    assert local_stack.call("GET", path)[0] == 401
    assert local_stack.call("GET", path, token=local_stack.staff_token(tenant, "guide-z", ("guide",)))[0] == 404
    assert local_stack.call("GET", path, token=local_stack.staff_token(tenant, "guide-a", ("guide",)))[0] == 200


def test_member_login_is_stable(local_stack: Http) -> None:
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    login = {"tenant_id": tenant, "app_id": "wx-e2e", "code": "dev:o-123"}
    first = local_stack.call("POST", "/v1/auth/wechat", login)[1]
    second = local_stack.call("POST", "/v1/auth/wechat", login)[1]
    assert first["contact_id"] == second["contact_id"]
    status, me = local_stack.call("GET", "/v1/me", token=second["token"])
    assert status == 200
    assert me["contact_id"] == first["contact_id"]


def test_bad_requests_change_nothing(local_stack: Http) -> None:
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    admin = local_stack.staff_token(tenant)
    assert local_stack.call("POST", "/v1/contacts", raw=b"{oops", token=admin)[0] == 400
    status, problem = local_stack.call("POST", "/v1/contacts", {"nickname": "x"}, admin)
    assert status == 422
    assert problem["errors"]
    assert local_stack.call("POST", "/v1/contacts", raw=b'{"name":"' + b"x" * 300_000 + b'"}', token=admin)[0] == 413
    assert local_stack.call("GET", "/v1/contacts", token=admin)[1]["items"] == []


def test_an_event_is_observed_on_a_consumer_queue(local_stack: Http) -> None:
    """A contact written through the API reaches the cases service's consumer through the outbox,
    the stream, the bus and the consumer's own queue; a malformed event lands in its DLQ."""
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    admin = local_stack.staff_token(tenant)
    contact = local_stack.call("POST", "/v1/contacts", {"owner": "guide-q"}, admin)[1]
    dynamodb = emulator_client(local_stack, "dynamodb")
    key = {"pk": {"S": f"T#{tenant}#CONTACT#{contact['contact_id']}"}, "sk": {"S": "DIRECTORY"}}

    def directory() -> Any:
        item = dynamodb.get_item(TableName="siyu-local-cases", Key=key).get("Item")
        return item and item["owners"]["M"]["*"]["S"]

    assert wait_for(directory) == "guide-q"

    sqs = emulator_client(local_stack, "sqs")
    queue = sqs.get_queue_url(QueueName="siyu-local-cases-contact-directory")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="siyu-local-cases-contact-directory-dlq")["QueueUrl"]
    sqs.send_message(
        QueueUrl=queue,
        MessageBody=json.dumps({"source": "siyu.contacts", "detail-type": "ContactCreated", "detail": {}}),
    )

    def dead_lettered() -> Any:
        messages = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"]).get("Messages", [])
        return messages and messages[0]["MessageAttributes"]["reason"]["StringValue"]

    assert "does not match its contract" in wait_for(dead_lettered)
