"""An agent's availability on its own (``PUT /v1/agents/{staff_id}/availability``): agents set
their own, managers and admins anyone's; only that attribute is written, so a manager's edit of
the profile made meanwhile survives; someone without a profile gets a 404 that says why. And
agents find the redemptions they may fulfil (``GET /v1/redemptions``)."""

from __future__ import annotations

import threading
from typing import Any

from tests.unit.conftest import Client, eventually

PROFILE = {"queues": ["complaints"], "availability": "offline", "capacity": 5}


def availability(client: Client, staff_id: str, value: str, token: str) -> Any:
    return client.put(f"/v1/agents/{staff_id}/availability", json_body={"availability": value}, token=token)


def agent(client: Client, admin: str, staff_id: str) -> dict[str, Any]:
    found = {item["staff_id"]: item for item in client.get("/v1/agents", token=admin).json["items"]}
    return dict(found[staff_id])


def desk(client: Client, tenant: str, *agents: str) -> str:
    admin = client.staff_token(tenant)
    queue = {"name": "投诉", "is_default": True}
    assert client.put("/v1/queues/complaints", json_body=queue, token=admin).status == 200
    for staff_id in agents:
        assert client.put(f"/v1/agents/{staff_id}", json_body=PROFILE, token=admin).status == 200
    return admin


def test_an_agent_sets_their_own_availability_and_managers_set_anyones(client: Client, tenant: str) -> None:
    admin = desk(client, tenant, "alice", "bob")
    alice = client.staff_token(tenant, "alice", ("agent",))
    manager = client.staff_token(tenant, "m1", ("manager",))

    mine = availability(client, "alice", "away", alice)
    assert mine.status == 200, mine.body
    assert (mine.json["staff_id"], mine.json["availability"]) == ("alice", "away")
    assert agent(client, admin, "alice")["availability"] == "away"

    others = availability(client, "bob", "online", alice)
    assert others.status == 403, others.body
    assert others.headers["Content-Type"] == "application/problem+json"
    assert agent(client, admin, "bob")["availability"] == "offline"

    for token, value in ((manager, "online"), (admin, "away")):
        answer = availability(client, "bob", value, token)
        assert answer.status == 200, answer.body
        assert agent(client, admin, "bob")["availability"] == value
    # The whole profile stays the managers' to change (PUT /v1/agents/{staff_id} is unchanged).
    grab = PROFILE | {"capacity": 50}
    assert client.put("/v1/agents/alice", json_body=grab, token=alice).status == 403

    guide = client.staff_token(tenant, "guide-1", ("guide",))
    assert availability(client, "guide-1", "online", guide).status == 403  # guides do not work cases
    member = client.member_login(tenant, "dev:o-availability")
    assert availability(client, "alice", "online", member["token"]).status == 403
    for body in ({}, {"availability": "busy"}, {"availability": "online", "capacity": 9}):
        refused = client.put("/v1/agents/alice/availability", json_body=body, token=alice)
        assert refused.status == 422, (body, refused.body)


def test_without_a_profile_the_answer_is_404_saying_why_and_nothing_is_created(client: Client, tenant: str) -> None:
    admin = desk(client, tenant)
    newcomer = client.staff_token(tenant, "newcomer", ("agent",))
    for token in (newcomer, admin):
        missing = availability(client, "newcomer", "online", token)
        assert missing.status == 404, missing.body
        assert missing.headers["Content-Type"] == "application/problem+json"
        assert missing.json["reason"] == "not_an_agent"
        assert "no agent profile" in missing.json["detail"]
        assert "PUT /v1/agents/newcomer" in missing.json["detail"]
    assert client.get("/v1/agents", token=admin).json["items"] == []


def test_coming_online_hands_out_the_waiting_cases(client: Client, tenant: str) -> None:
    admin = desk(client, tenant, "alice")
    filed = client.post("/v1/cases", json_body={"type": "complaint", "subject": "漏水"}, token=admin)
    assert filed.status == 201, filed.body
    assert filed.json["assignee"] is None  # nobody online
    alice = client.staff_token(tenant, "alice", ("agent",))
    online = availability(client, "alice", "online", alice)
    assert online.status == 200, online.body
    assert online.json["open_cases"] == 1
    case = client.get(f"/v1/cases/{filed.json['case_id']}", token=admin).json
    assert (case["assignee"], case["status"]) == ("alice", "assigned")


def test_a_managers_profile_edit_and_the_agents_availability_change_both_survive(client: Client, tenant: str) -> None:
    admin = desk(client, tenant, "alice")
    assert client.put("/v1/queues/vip", json_body={"name": "VIP"}, token=admin).status == 200
    alice = client.staff_token(tenant, "alice", ("agent",))
    manager = client.staff_token(tenant, "m1", ("manager",))

    # The agent's console read the profile; then a manager changes queues and capacity; then the
    # agent switches availability from what they read: the manager's change stays.
    read = agent(client, admin, "alice")
    edit = PROFILE | {"queues": ["complaints", "vip"], "capacity": 8}
    assert client.put("/v1/agents/alice", json_body=edit, token=manager).status == 200
    assert read["capacity"] == 5
    assert availability(client, "alice", "away", alice).status == 200
    now = agent(client, admin, "alice")
    assert (now["queues"], now["capacity"], now["availability"]) == (["complaints", "vip"], 8, "away")

    # At the same time, over and over (the manager's form sends back the availability it read, so
    # which availability wins depends on the order; the manager's capacity always stays).
    errors: list[Any] = []

    def run(write: Any) -> None:
        try:
            write()
        except AssertionError as error:  # reported below, in the test's own thread
            errors.append(error)

    for capacity in range(10, 16):
        value = "online" if capacity % 2 else "away"
        current = agent(client, admin, "alice")["availability"]

        def edit_profile(capacity: int = capacity, current: str = current) -> None:
            body = PROFILE | {"capacity": capacity, "availability": current}
            answer = client.put("/v1/agents/alice", json_body=body, token=manager)
            assert answer.status == 200, answer.body

        def switch(value: str = value) -> None:
            answer = availability(client, "alice", value, alice)
            assert answer.status == 200, answer.body

        threads = [threading.Thread(target=run, args=(write,)) for write in (edit_profile, switch)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        # The agent's switch never carries a stale profile back over the manager's edit.
        now = agent(client, admin, "alice")
        assert (now["queues"], now["capacity"]) == (["complaints"], capacity)


def test_agents_find_the_redemptions_they_fulfil_and_guides_do_not(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    reward = client.post("/v1/rewards", json_body={"name": "Mug", "cost": 10}, token=admin)
    assert reward.status == 201, reward.body
    member = client.member_login(tenant, "dev:o-redeem-agent")
    adjustment = {"points": 100, "reason": "welcome"}
    path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
    assert client.post(path, json_body=adjustment, token=admin).status == 201
    body = {"reward_id": reward.json["reward_id"]}
    redeemed = client.post("/v1/me/redemptions", json_body=body, token=member["token"])
    assert redeemed.status == 201, redeemed.body

    desk_agent = client.staff_token(tenant, "agent-1", ("agent",))
    waiting = eventually(
        lambda: client.get("/v1/redemptions?status=requested", token=desk_agent).json["items"], timeout=5
    )
    assert [item["redemption_id"] for item in waiting] == [redeemed.json["redemption_id"]]
    fulfilled = client.post(f"/v1/redemptions/{waiting[0]['redemption_id']}/fulfil", token=desk_agent)
    assert fulfilled.status == 200, fulfilled.body
    listed = client.get("/v1/redemptions?status=fulfilled", token=desk_agent).json["items"]
    assert [item["status"] for item in listed] == ["fulfilled"]
    assert client.get("/v1/redemptions", token=client.staff_token(tenant, "g1", ("guide",))).status == 403
