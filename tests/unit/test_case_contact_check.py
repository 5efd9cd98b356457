"""``POST /v1/cases`` names a contact cases knows of: one of this tenant, announced by contacts and
not erased. Another tenant's contact, one that does not exist and one erased get the same 404 and
open nothing; one created a moment ago, before its event reached cases, gets a 404 that says so."""

from __future__ import annotations

from typing import Any

from local.stack import LocalStack
from services.cases.logic.contact_directory import is_known
from tests.unit.conftest import Client, eventually

CASE = {"type": "complaint", "subject": "杯子裂了"}


def known_contact(client: Client, tenant: str, admin: str) -> str:
    contact_id = str(client.post("/v1/contacts", json_body={"name": "王芳"}, token=admin).json["contact_id"])
    eventually(lambda: is_known(tenant, contact_id))
    return contact_id


def open_case(client: Client, admin: str, contact_id: str, **headers: str) -> Any:
    return client.post("/v1/cases", json_body=CASE | {"contact_id": contact_id}, token=admin, headers=headers)


def refusal(answer: Any, contact_id: str) -> tuple[int, str, str, str]:
    problem = answer.json
    return answer.status, problem["title"], problem["reason"], problem["detail"].replace(contact_id, "<id>")


def test_a_case_for_a_contact_cases_knows_is_opened(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = known_contact(client, tenant, admin)
    answer = open_case(client, admin, contact_id)
    assert answer.status == 201, answer.body
    assert answer.json["contact_id"] == contact_id


def test_another_tenants_contact_and_a_missing_one_are_the_same_404_and_open_nothing(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    elsewhere = f"{tenant}-other"
    theirs = known_contact(client, elsewhere, client.staff_token(elsewhere))
    missing = "c_01JNOSUCHCONTACT000000000"

    other_tenants = open_case(client, admin, theirs)
    never_existed = open_case(client, admin, missing)
    assert refusal(other_tenants, theirs) == refusal(never_existed, missing)
    assert refusal(never_existed, missing)[:3] == (404, "Not found", "unknown_contact")
    assert never_existed.headers.get("content-type", never_existed.headers.get("Content-Type", "")).startswith(
        "application/problem+json"
    )
    assert client.get("/v1/cases", token=admin).json["items"] == []


def test_an_erased_contact_opens_no_case(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = known_contact(client, tenant, admin)
    assert client.delete(f"/v1/contacts/{contact_id}", token=admin).status in (200, 204)
    eventually(lambda: not is_known(tenant, contact_id))
    answer = open_case(client, admin, contact_id)
    assert (answer.status, answer.json["reason"]) == (404, "unknown_contact")


def test_a_contact_created_a_moment_ago_is_unknown_until_its_event_arrives_and_then_opens_a_case(
    stack: LocalStack, client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    publisher = stack.stream_pumps["contacts"]
    publisher.stop()  # contacts' events wait on the stream, as they may for a moment in AWS
    try:
        contact_id = str(client.post("/v1/contacts", json_body={"name": "李雷"}, token=admin).json["contact_id"])
        early = open_case(client, admin, contact_id)
        assert (early.status, early.json["reason"]) == (404, "unknown_contact")
        assert "within seconds" in early.json["detail"]
    finally:
        publisher.start()
    eventually(lambda: is_known(tenant, contact_id))
    assert open_case(client, admin, contact_id).status == 201


def test_a_replayed_create_answers_as_first_even_once_the_contact_is_gone(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = known_contact(client, tenant, admin)
    first = open_case(client, admin, contact_id, **{"Idempotency-Key": "k-1"})
    assert first.status == 201, first.body
    assert client.delete(f"/v1/contacts/{contact_id}", token=admin).status in (200, 204)
    eventually(lambda: not is_known(tenant, contact_id))
    replay = open_case(client, admin, contact_id, **{"Idempotency-Key": "k-1"})
    assert (replay.status, replay.json["case_id"]) == (201, first.json["case_id"])
