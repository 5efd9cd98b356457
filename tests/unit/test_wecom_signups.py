"""群接龙: sign-up sheets posted to a customer group and joined by members through the H5 link —
numbers 1..N, unique, never above capacity under concurrency; a withdrawal's number goes to the
next member; nobody joins past the deadline; another tenant's member finds nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from local.fake_wecom import FAKE
from shared import clock
from shared.auth.principal import MemberPrincipal
from shared.auth.tokens import issue_member_token
from tests.unit.conftest import Client
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import ready
from tests.unit.test_wecom_groups import deliver, script_group


def member(tenant: str, contact_id: str) -> str:
    """A member token, as the member site holds after WeChat sign-in."""
    return issue_member_token(MemberPrincipal(tenant_id=tenant, contact_id=contact_id, app_id="wx-app"))[0]


def sheet(client: Client, tenant: str, capacity: int, *, minutes: int = 60) -> tuple[str, str]:
    """A sheet posted by the group's owner, a guide; its id and the admin's token."""
    admin = ready(client, tenant, "zhangsan")
    script_group(client, tenant, "wrSignup1", "zhangsan", [])
    deliver(tenant, FAKE.group_created(corp_of(tenant), "wrSignup1"))
    guide = client.staff_token(tenant, "zhangsan", ("guide",))
    deadline = (datetime.now(UTC) + timedelta(seconds=clock.offset_seconds(), minutes=minutes)).isoformat()
    body = {"chat_id": "wrSignup1", "title": "周六试吃会", "capacity": capacity, "deadline": deadline}
    created = client.post("/v1/wecom/signups", json_body=body, token=guide)
    assert created.status == 201, created.body
    assert created.json["link_path"] == f"/m/signups/{created.json['sheet_id']}"
    return str(created.json["sheet_id"]), admin


def join(client: Client, sheet_id: str, token: str) -> Any:
    return client.post(f"/v1/me/signups/{sheet_id}/entries", token=token)


def numbers(client: Client, admin: str, sheet_id: str) -> dict[int, str]:
    answer = client.get(f"/v1/wecom/signups/{sheet_id}", token=admin)
    assert answer.status == 200, answer.body
    return {entry["number"]: entry["contact_id"] for entry in answer.json["entries"]}


def test_thirty_concurrent_sign_ups_to_twenty_places_get_numbers_one_to_twenty(client: Client, tenant: str) -> None:
    sheet_id, admin = sheet(client, tenant, capacity=20)
    tokens = [member(tenant, f"c{index:02d}") for index in range(30)]
    answers: list[Any] = []
    barrier = threading.Barrier(len(tokens))

    def sign_up(token: str) -> None:
        barrier.wait()
        answers.append(join(client, sheet_id, token))

    threads = [threading.Thread(target=sign_up, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    joined = [answer for answer in answers if answer.status == 201]
    refused = [answer for answer in answers if answer.status != 201]
    assert len(joined) == 20
    assert sorted(answer.json["my_entry"]["number"] for answer in joined) == list(range(1, 21))
    assert [(answer.status, answer.json["reason"]) for answer in refused] == [(409, "full")] * 10
    listed = numbers(client, admin, sheet_id)
    assert sorted(listed) == list(range(1, 21))
    assert len(set(listed.values())) == 20
    read = client.get(f"/v1/wecom/signups/{sheet_id}", token=admin).json
    assert (read["taken"], read["places_left"]) == (20, 0)


def test_a_withdrawn_number_goes_to_the_next_member_and_a_member_joins_once(client: Client, tenant: str) -> None:
    sheet_id, admin = sheet(client, tenant, capacity=3)
    first, second, third, fourth = (member(tenant, name) for name in ("ca", "cb", "cc", "cd"))
    assert [join(client, sheet_id, token).json["my_entry"]["number"] for token in (first, second, third)] == [1, 2, 3]
    again = join(client, sheet_id, second)
    assert (again.status, again.json["reason"]) == (409, "already_joined")
    assert join(client, sheet_id, fourth).json["reason"] == "full"

    withdrawn = client.delete(f"/v1/me/signups/{sheet_id}/entries", token=second)
    assert withdrawn.status == 200, withdrawn.body
    assert withdrawn.json["my_entry"] is None
    assert withdrawn.json["sheet"]["places_left"] == 1
    assert client.delete(f"/v1/me/signups/{sheet_id}/entries", token=second).status == 404
    assert numbers(client, admin, sheet_id) == {1: "ca", 3: "cc"}

    taken = join(client, sheet_id, fourth)
    assert taken.status == 201, taken.body
    assert taken.json["my_entry"]["number"] == 2
    mine = client.get(f"/v1/me/signups/{sheet_id}", token=fourth).json
    assert (mine["my_entry"]["number"], mine["sheet"]["places_left"]) == (2, 0)
    assert numbers(client, admin, sheet_id) == {1: "ca", 2: "cd", 3: "cc"}


def test_nobody_joins_past_the_deadline_and_other_tenants_find_nothing(client: Client, tenant: str) -> None:
    sheet_id, _ = sheet(client, tenant, capacity=5, minutes=1)
    outsider = member(f"{tenant}-other", "ca")
    assert client.get(f"/v1/me/signups/{sheet_id}", token=outsider).status == 404
    assert join(client, sheet_id, outsider).status == 404
    early = member(tenant, "early")
    assert join(client, sheet_id, early).status == 201
    clock.set_offset_seconds(clock.offset_seconds() + 120)  # business time moves past the deadline
    try:
        late = join(client, sheet_id, member(tenant, "late"))
        assert (late.status, late.json["reason"]) == (409, "closed")
        assert client.delete(f"/v1/me/signups/{sheet_id}/entries", token=early).status == 409
        assert client.get(f"/v1/me/signups/{sheet_id}", token=early).json["sheet"]["open"] is False
    finally:
        clock.set_offset_seconds(clock.offset_seconds() - 120)


def test_a_sheet_needs_a_group_the_staff_member_sees_and_a_future_deadline(client: Client, tenant: str) -> None:
    sheet_id, admin = sheet(client, tenant, capacity=2)
    lisi = client.staff_token(tenant, "lisi", ("guide",))
    future = (datetime.now(UTC) + timedelta(seconds=clock.offset_seconds(), days=1)).isoformat()
    body = {"chat_id": "wrSignup1", "title": "x", "capacity": 2, "deadline": future}
    assert client.post("/v1/wecom/signups", json_body=body, token=lisi).status == 404
    assert client.get(f"/v1/wecom/signups/{sheet_id}", token=lisi).status == 404
    past = (datetime.now(UTC) + timedelta(seconds=clock.offset_seconds(), minutes=-1)).isoformat()
    assert client.post("/v1/wecom/signups", json_body=body | {"deadline": past}, token=admin).status == 422
    assert client.post("/v1/wecom/signups", json_body=body | {"capacity": 1001}, token=admin).status == 422
    listed = client.get("/v1/wecom/signups?chat_id=wrSignup1", token=admin).json["items"]
    assert [item["sheet_id"] for item in listed] == [sheet_id]
