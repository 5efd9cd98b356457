"""The cases service over its API: intake, routing and assignment, the workflow, replies through the
channel and its window, sensitive words, CSAT — and who may see what."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

from local.stack import LocalStack
from services.cases.dal import channel as channel_dal
from services.cases.dal.table import table
from shared.dynamo import Transaction
from shared.events.cases import ChannelAddress
from tests.unit.conftest import Client, eventually

COMPLAINTS = {"name": "投诉", "rank": 10, "rules": [{"types": ["complaint"]}, {"keywords": ["投诉", "质量问题"]}]}
GENERAL = {"name": "General", "rank": 100, "is_default": True}


def setup_desk(client: Client, tenant: str, agents: dict[str, dict[str, Any]], policy: str = "round_robin") -> str:
    admin = client.staff_token(tenant)
    for queue_id, body in (("complaints", COMPLAINTS | {"policy": policy}), ("general", GENERAL)):
        answer = client.put(f"/v1/queues/{queue_id}", json_body=body, token=admin)
        assert answer.status == 200, answer.body
    for staff_id, profile in agents.items():
        body = {"queues": ["complaints"], "availability": "online", "capacity": 5} | profile
        answer = client.put(f"/v1/agents/{staff_id}", json_body=body, token=admin)
        assert answer.status == 200, answer.body
    return admin


def file_case(client: Client, member: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"type": "complaint", "subject": "收到的杯子有裂痕", "description": "质量问题"} | fields
    answer = client.post("/v1/me/cases", json_body=body, token=member["token"])
    assert answer.status == 201, answer.body
    return dict(answer.json)


def staff_case(client: Client, admin: str, **fields: Any) -> dict[str, Any]:
    answer = client.post("/v1/cases", json_body={"type": "complaint", "subject": "s"} | fields, token=admin)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def case_of(client: Client, admin: str, case_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/cases/{case_id}", token=admin)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def agents_of(client: Client, admin: str) -> dict[str, dict[str, Any]]:
    return {agent["staff_id"]: agent for agent in client.get("/v1/agents", token=admin).json["items"]}


def deliveries(client: Client, admin: str, openid: str) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/local/channel-deliveries?app_id=wx-app&openid={openid}", token=admin)
    assert answer.status == 200, answer.body
    return list(answer.json["items"])


def test_a_complaint_is_routed_assigned_answered_through_the_channel_and_rated_once(
    client: Client, tenant: str
) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    member = client.member_login(tenant, "dev:o-flow")
    filed = file_case(client, member)
    assert filed["status"] == "assigned"
    case = case_of(client, admin, filed["case_id"])
    assert (case["queue_id"], case["assignee"], case["channel"]) == ("complaints", "alice", "wechat_mini_program")

    alice = client.staff_token(tenant, "alice", ("agent",))
    reply = client.post(f"/v1/cases/{filed['case_id']}/messages", json_body={"body": "抱歉 我们马上换新"}, token=alice)
    assert reply.status == 201, reply.body
    sent = eventually(lambda: deliveries(client, admin, "o-flow"))
    assert [d["body"] for d in sent] == ["抱歉 我们马上换新"]
    delivered = eventually(
        lambda: [
            m for m in case_of(client, admin, filed["case_id"])["messages"] if m["delivery"]["status"] == "delivered"
        ]
    )
    assert delivered[0]["message_id"] == reply.json["message_id"]
    case = case_of(client, admin, filed["case_id"])
    assert case["status"] == "in_progress"
    assert case["first_response_at"]

    waiting = client.patch(f"/v1/cases/{filed['case_id']}", json_body={"status": "waiting_on_customer"}, token=alice)
    assert waiting.status == 200, waiting.body
    answer = client.post(f"/v1/me/cases/{filed['case_id']}/messages", json_body={"body": "好的"}, token=member["token"])
    assert answer.status == 201, answer.body
    assert case_of(client, admin, filed["case_id"])["status"] == "in_progress"

    resolved = client.patch(f"/v1/cases/{filed['case_id']}", json_body={"status": "resolved"}, token=alice)
    assert resolved.status == 200, resolved.body
    assert agents_of(client, admin)["alice"]["open_cases"] == 0
    mine = client.get(f"/v1/me/cases/{filed['case_id']}", token=member["token"]).json
    assert mine["can_rate"] is True
    first = client.post(f"/v1/me/cases/{filed['case_id']}/csat", json_body={"rating": 5}, token=member["token"])
    assert first.status == 201, first.body
    again = client.post(f"/v1/me/cases/{filed['case_id']}/csat", json_body={"rating": 4}, token=member["token"])
    assert again.status == 409
    assert again.json["reason"] == "already_rated"
    case = case_of(client, admin, filed["case_id"])
    assert case["csat"]["rating"] == 5
    moves = [(line["from_status"], line["to_status"]) for line in case["history"]]
    assert ("assigned", "in_progress") in moves
    assert ("in_progress", "resolved") in moves


def test_round_robin_over_three_agents_gives_three_cases_each(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"a1": {}, "a2": {}, "a3": {}})
    for _ in range(9):
        staff_case(client, admin)
    agents = agents_of(client, admin)
    assert {name: agent["open_cases"] for name, agent in agents.items()} == {"a1": 3, "a2": 3, "a3": 3}


def test_least_loaded_respects_capacity_and_hands_out_waiting_cases_when_room_frees(
    client: Client, tenant: str
) -> None:
    admin = setup_desk(client, tenant, {"busy": {"capacity": 1}, "roomy": {"capacity": 3}}, policy="least_loaded")
    cases = [staff_case(client, admin) for _ in range(5)]
    agents = agents_of(client, admin)
    assert (agents["busy"]["open_cases"], agents["roomy"]["open_cases"]) == (1, 3)
    waiting = [c for c in cases if case_of(client, admin, c["case_id"])["assignee"] is None]
    assert len(waiting) == 1
    assert case_of(client, admin, waiting[0]["case_id"])["status"] == "new"

    held_by_busy = next(c for c in cases if case_of(client, admin, c["case_id"])["assignee"] == "busy")
    answer = client.patch(f"/v1/cases/{held_by_busy['case_id']}", json_body={"status": "resolved"}, token=admin)
    assert answer.status == 200, answer.body
    assert case_of(client, admin, waiting[0]["case_id"])["assignee"] == "busy"
    assert agents_of(client, admin)["busy"]["open_cases"] == 1


def test_cases_wait_while_nobody_is_online_and_go_to_the_first_agent_who_comes_online(
    client: Client, tenant: str
) -> None:
    admin = setup_desk(client, tenant, {"late": {"availability": "offline"}})
    case = staff_case(client, admin)
    assert case["status"] == "new"
    assert case["assignee"] is None
    listed = client.get("/v1/cases?queue_id=complaints&status=new", token=admin).json["items"]
    assert [c["case_id"] for c in listed] == [case["case_id"]]
    late = client.staff_token(tenant, "late", ("agent",))
    online = {"queues": ["complaints"], "availability": "online", "capacity": 5}
    assert client.put("/v1/agents/late", json_body=online, token=late).status == 200
    assert case_of(client, admin, case["case_id"])["assignee"] == "late"
    assert client.get("/v1/cases?assignee=late", token=admin).json["items"][0]["case_id"] == case["case_id"]


def test_thirty_cases_at_once_never_overfill_an_agent_or_assign_a_case_twice(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"x": {"capacity": 8}, "y": {"capacity": 8}, "z": {"capacity": 8}})
    opened: list[str] = []
    errors: list[Any] = []

    def open_one() -> None:
        answer = client.post("/v1/cases", json_body={"type": "complaint", "subject": "s"}, token=admin)
        (opened.append(answer.json["case_id"]) if answer.status == 201 else errors.append(answer.body))

    threads = [threading.Thread(target=open_one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(opened) == 30
    holders = Counter(case_of(client, admin, case_id)["assignee"] for case_id in opened)
    agents = agents_of(client, admin)
    assert holders == Counter({"x": 8, "y": 8, "z": 8, None: 6})
    assert {name: agent["open_cases"] for name, agent in agents.items()} == {"x": 8, "y": 8, "z": 8}


def test_the_contacts_owner_gets_the_case_first_when_they_can_take_it(
    client: Client, tenant: str, stack: LocalStack
) -> None:
    admin = setup_desk(client, tenant, {"owner": {}, "other": {}})
    member = client.member_login(tenant, "dev:o-owned")
    answer = client.put(f"/v1/contacts/{member['contact_id']}/owner", json_body={"staff_id": "owner"}, token=admin)
    assert answer.status in (200, 204), answer.body
    from services.cases.dal import contact_directory

    eventually(lambda: contact_directory.get(tenant, member["contact_id"])[0].owners.get("*") == "owner")
    for _ in range(3):
        assert case_of(client, admin, file_case(client, member)["case_id"])["assignee"] == "owner"


def test_illegal_moves_are_refused_and_the_history_names_who_did_what(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    case = staff_case(client, admin)
    closing = client.patch(f"/v1/cases/{case['case_id']}", json_body={"status": "closed"}, token=admin)
    assert closing.status == 409
    assert case_of(client, admin, case["case_id"])["status"] == "assigned"
    for status in ("in_progress", "resolved", "closed"):
        assert client.patch(f"/v1/cases/{case['case_id']}", json_body={"status": status}, token=admin).status == 200
    reopen = client.patch(f"/v1/cases/{case['case_id']}", json_body={"status": "in_progress"}, token=admin)
    assert reopen.status == 409
    lines = case_of(client, admin, case["case_id"])["history"]
    assert [line["to_status"] for line in lines][-3:] == ["in_progress", "resolved", "closed"]
    assert all(line["actor_id"] == "s1" for line in lines[-3:])


def test_transfer_and_reassign_move_the_load_with_the_case(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}, "bob": {"queues": ["general"]}})
    case = staff_case(client, admin)
    assert case["assignee"] == "alice"
    moved = client.patch(f"/v1/cases/{case['case_id']}", json_body={"queue_id": "general"}, token=admin)
    assert moved.status == 200, moved.body
    assert (moved.json["queue_id"], moved.json["assignee"]) == ("general", "bob")
    agents = agents_of(client, admin)
    assert (agents["alice"]["open_cases"], agents["bob"]["open_cases"]) == (0, 1)
    back = client.patch(f"/v1/cases/{case['case_id']}", json_body={"assignee": "alice"}, token=admin)
    assert back.status == 200
    assert back.json["assignee"] == "alice"
    # Several changes to one agent in one request count once each way.
    same = client.patch(
        f"/v1/cases/{case['case_id']}", json_body={"queue_id": "general", "assignee": "alice"}, token=admin
    )
    assert (same.status, same.json["assignee"], same.json["queue_id"]) == (200, "alice", "general")
    done = client.patch(
        f"/v1/cases/{case['case_id']}", json_body={"assignee": "bob", "status": "resolved"}, token=admin
    )
    assert (done.status, done.json["assignee"], done.json["status"]) == (200, "bob", "resolved")
    agents = agents_of(client, admin)
    assert (agents["alice"]["open_cases"], agents["bob"]["open_cases"]) == (0, 0)
    unknown = client.patch(f"/v1/cases/{case['case_id']}", json_body={"assignee": "nobody"}, token=admin)
    assert unknown.status == 409
    assert unknown.json["reason"] == "not_an_agent"


def test_replies_outside_the_window_are_held_and_the_agent_told_why(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    member = client.member_login(tenant, "dev:o-window")
    case_id = file_case(client, member)["case_id"]
    for n in range(6):
        answer = client.post(f"/v1/cases/{case_id}/messages", json_body={"body": f"回复 {n}"}, token=admin)
        assert answer.status == 201, answer.body

    def settled() -> list[dict[str, Any]] | None:
        outbound = [m for m in case_of(client, admin, case_id)["messages"] if m["kind"] == "outbound"]
        return outbound if all(m["delivery"]["status"] in ("delivered", "held") for m in outbound) else None

    statuses = Counter((m["delivery"]["status"], m["delivery"]["reason"]) for m in eventually(settled))
    assert statuses == Counter({("delivered", None): 5, ("held", "window_message_limit"): 1})
    assert len(deliveries(client, admin, "o-window")) == 5
    assert len(client.get(f"/v1/me/cases/{case_id}", token=member["token"]).json["messages"]) == 6

    # The member writes again: the window reopens, and the agent sends the held reply again.
    held = next(m for m in eventually(settled) if m["delivery"]["status"] == "held")
    delivered = next(m for m in eventually(settled) if m["delivery"]["status"] == "delivered")
    retry = f"/v1/cases/{case_id}/messages/{held['message_id']}/retry"
    assert (
        client.post(f"/v1/me/cases/{case_id}/messages", json_body={"body": "在"}, token=member["token"]).status == 201
    )
    again = client.post(retry, token=admin)
    assert again.status == 200, again.body
    assert eventually(lambda: len(deliveries(client, admin, "o-window")) == 6)
    assert client.post(retry, token=admin).json["reason"] in ("not_held",)
    assert client.post(f"/v1/cases/{case_id}/messages/{delivered['message_id']}/retry", token=admin).status == 409
    assert client.post(f"/v1/cases/{case_id}/messages/msg_nope/retry", token=admin).status == 404

    # The member last wrote 49 hours ago: the window is closed.
    address = ChannelAddress(kind="wechat_mini_program", app_id="wx-app", openid="o-window")
    tx = Transaction(table())
    channel_dal.open_window(tx, tenant, address, now=time.time() - 49 * 3600)
    tx.commit()
    client.post(f"/v1/cases/{case_id}/messages", json_body={"body": "还在吗"}, token=admin)
    late = eventually(lambda: [m for m in (settled() or []) if m["body"] == "还在吗"])
    assert late[0]["delivery"] == {**late[0]["delivery"], "status": "held", "reason": "window_closed"}


def test_a_reply_with_sensitive_words_opens_a_compliance_case_for_the_manager_and_is_blocked(
    client: Client, tenant: str
) -> None:
    admin = setup_desk(client, tenant, {"alice": {"manager_id": "boss"}, "boss": {"queues": []}})
    settings = {"version": 0, "sensitive_words": {"words": ["加我私人微信"], "action": "block"}}
    assert client.put("/v1/case-settings", json_body=settings, token=admin).status == 200
    member = client.member_login(tenant, "dev:o-sens")
    case_id = file_case(client, member)["case_id"]
    alice = client.staff_token(tenant, "alice", ("agent",))
    answer = client.post(f"/v1/cases/{case_id}/messages", json_body={"body": "退款的话加我私人微信"}, token=alice)
    assert answer.status == 201
    assert answer.json["delivery"]["reason"] == "blocked_sensitive_words"
    blocked = client.post(f"/v1/cases/{case_id}/messages/{answer.json['message_id']}/retry", token=alice)
    assert blocked.status == 409
    compliance = client.get("/v1/cases?assignee=boss", token=admin).json["items"]
    assert [(c["type"], c["priority"]) for c in compliance] == [("compliance", "high")]
    time.sleep(0.5)
    assert deliveries(client, admin, "o-sens") == []
    assert client.get("/v1/me/cases", token=member["token"]).json["items"][0]["case_id"] == case_id


def test_members_see_only_their_cases_without_notes_and_tenants_never_meet(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    owner = client.member_login(tenant, "dev:o-mine")
    stranger = client.member_login(tenant, "dev:o-other")
    case_id = file_case(client, owner)["case_id"]
    note = client.post(f"/v1/cases/{case_id}/messages", json_body={"body": "内部备注", "kind": "note"}, token=admin)
    assert note.status == 201
    mine = client.get(f"/v1/me/cases/{case_id}", token=owner["token"])
    assert mine.status == 200
    assert all(m["kind"] != "note" for m in mine.json["messages"])
    assert client.get(f"/v1/me/cases/{case_id}", token=stranger["token"]).status == 404
    assert (
        client.post(f"/v1/me/cases/{case_id}/messages", json_body={"body": "x"}, token=stranger["token"]).status == 404
    )
    assert client.get("/v1/me/cases", token=stranger["token"]).json["items"] == []
    other_admin = client.staff_token(f"{tenant}-b")
    assert client.get(f"/v1/cases/{case_id}", token=other_admin).status == 404
    assert client.patch(f"/v1/cases/{case_id}", json_body={"status": "resolved"}, token=other_admin).status == 404
    guide = client.staff_token(tenant, "g", ("guide",))
    assert client.get(f"/v1/cases/{case_id}", token=guide).status == 403
    assert client.get("/v1/cases", token=owner["token"]).status == 403
    agent = client.staff_token(tenant, "alice", ("agent",))
    assert client.put("/v1/queues/x", json_body=GENERAL, token=agent).status == 403
    grab = {"queues": ["complaints", "general"], "availability": "online", "capacity": 50}
    assert client.put("/v1/agents/alice", json_body=grab, token=agent).status == 403
    bad = client.post("/v1/me/cases", json_body={"type": "compliance", "subject": "x"}, token=owner["token"])
    assert bad.status == 422
    assert len(client.get("/v1/me/cases", token=owner["token"]).json["items"]) == 1


def test_filing_with_the_same_idempotency_key_opens_one_case(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    member = client.member_login(tenant, "dev:o-idem")
    body = {"type": "inquiry", "subject": "发票"}
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/v1/me/cases", json_body=body, token=member["token"], headers=headers)
    second = client.post("/v1/me/cases", json_body=body, token=member["token"], headers=headers)
    assert first.status == second.status == 201
    assert first.json == second.json
    other = client.post("/v1/me/cases", json_body=body | {"subject": "别的"}, token=member["token"], headers=headers)
    assert other.status == 422
    assert len(client.get("/v1/me/cases", token=member["token"]).json["items"]) == 1
    listed = client.get("/v1/cases", token=admin).json["items"]
    assert [(c["case_id"], c["queue_id"]) for c in listed] == [(first.json["case_id"], "general")]


def test_stats_count_open_cases_by_status_and_queue_with_medians_hit_rate_and_csat(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}, "bob": {}})
    member = client.member_login(tenant, "dev:o-stats")
    rated = file_case(client, member)["case_id"]
    staff_case(client, admin)
    staff_case(client, admin, type="inquiry", subject="发票")
    assert client.post(f"/v1/cases/{rated}/messages", json_body={"body": "处理中"}, token=admin).status == 201
    assert client.patch(f"/v1/cases/{rated}", json_body={"status": "resolved"}, token=admin).status == 200
    csat = client.post(f"/v1/me/cases/{rated}/csat", json_body={"rating": 4}, token=member["token"])
    assert csat.status == 201
    answer = client.get("/v1/cases/stats", token=admin)
    assert answer.status == 200, answer.body
    figures = answer.json
    assert figures["open_by_status"] == {"assigned": 1, "new": 1}
    assert figures["open_by_queue"] == {"complaints": 1, "general": 1}
    overall = figures["overall"]
    assert (overall["cases"], overall["resolved"], overall["sla_hit_rate"]) == (3, 1, 1.0)
    assert overall["first_response_median_minutes"] is not None
    assert overall["csat"] == {"responses": 1, "average": 4.0, "distribution": {"4": 1}}
    per_agent = figures["per_agent"]
    assert sorted(per_agent) == ["alice", "bob"]
    assert sum(agent["open_cases"] for agent in per_agent.values()) == 1
    assert sum(agent["resolved"] for agent in per_agent.values()) == 1
    agent = client.staff_token(tenant, "alice", ("agent",))
    assert client.get("/v1/cases/stats", token=agent).status == 403


def test_an_erased_contacts_cases_forget_what_was_said_and_a_merged_contacts_cases_move(
    client: Client, tenant: str
) -> None:
    from tests.unit.test_points_api import publish

    admin = setup_desk(client, tenant, {"alice": {}})
    member = client.member_login(tenant, "dev:o-erase")
    case_id = file_case(client, member, attachments=[{"key": "u/1.jpg", "name": "裂痕.jpg"}])["case_id"]
    assert (
        client.post(
            f"/v1/me/cases/{case_id}/messages", json_body={"body": "我的电话 13800138000"}, token=member["token"]
        ).status
        == 201
    )
    assert client.post(f"/v1/cases/{case_id}/messages", json_body={"body": "王女士您好"}, token=admin).status == 201
    assert client.delete(f"/v1/contacts/{member['contact_id']}", token=admin).status in (200, 204)

    def erased() -> dict[str, Any] | None:
        case = case_of(client, admin, case_id)
        return case if case["subject"] == "[erased]" else None

    case = eventually(erased)
    assert (case["description"], case["attachments"], case["channel"], case["status"]) == ("", [], None, "in_progress")
    assert {m["body"] for m in case["messages"]} == {"[erased]"}
    assert "13800138000" not in json.dumps(case, ensure_ascii=False)

    survivor = client.member_login(tenant, "dev:o-survivor")
    absorbed = client.member_login(tenant, "dev:o-absorbed")
    moved = file_case(client, absorbed)["case_id"]
    event = {"contact_id": survivor["contact_id"], "version": 9, "merged_contact_id": absorbed["contact_id"]}
    publish(tenant, "ContactsMerged", event, source="siyu.contacts")
    publish(tenant, "ContactsMerged", event, source="siyu.contacts")
    mine = eventually(lambda: client.get("/v1/me/cases", token=survivor["token"]).json["items"])
    assert [c["case_id"] for c in mine] == [moved]
    # A token issued to the absorbed contact keeps working: it reads the survivor's cases.
    assert [c["case_id"] for c in client.get("/v1/me/cases", token=absorbed["token"]).json["items"]] == [moved]
    assert case_of(client, admin, moved)["contact_id"] == survivor["contact_id"]


def test_a_leaving_agents_open_cases_go_to_the_successor_or_back_to_the_queue(client: Client, tenant: str) -> None:
    admin = setup_desk(
        client, tenant, {"alice": {}, "bob": {"availability": "away"}, "carol": {"availability": "away"}}
    )
    held = [staff_case(client, admin)["case_id"] for _ in range(3)]
    done = held[0]
    assert client.patch(f"/v1/cases/{done}", json_body={"status": "resolved"}, token=admin).status == 200
    answer = client.post("/v1/agents/alice/handover", json_body={"successor_id": "bob"}, token=admin)
    assert answer.status == 200, answer.body
    assert answer.json["moved"] == 2
    assert [case_of(client, admin, c)["assignee"] for c in held] == ["alice", "bob", "bob"]
    agents = agents_of(client, admin)
    assert (agents["alice"]["open_cases"], agents["alice"]["availability"], agents["bob"]["open_cases"]) == (
        0,
        "offline",
        2,
    )

    online = {"queues": ["complaints"], "availability": "online", "capacity": 5}
    assert client.put("/v1/agents/carol", json_body=online, token=admin).status == 200
    back = client.post("/v1/agents/bob/handover", json_body={}, token=admin)
    assert back.status == 200
    assert back.json["moved"] == 2
    assert [case_of(client, admin, c)["assignee"] for c in held[1:]] == ["carol", "carol"]
    assert client.post("/v1/agents/bob/handover", json_body={"successor_id": "bob"}, token=admin).status == 422
    assert client.post("/v1/agents/nobody/handover", json_body={}, token=admin).status == 409
    agent = client.staff_token(tenant, "carol", ("agent",))
    assert client.post("/v1/agents/carol/handover", json_body={}, token=agent).status == 403


def test_an_agents_reply_takes_an_unassigned_case_of_their_queue_and_the_history_says_so(
    client: Client, tenant: str
) -> None:
    admin = setup_desk(client, tenant, {"alice": {"availability": "away"}, "bob": {"queues": ["general"]}})
    waiting, other = staff_case(client, admin)["case_id"], staff_case(client, admin)["case_id"]
    assert case_of(client, admin, waiting)["status"] == "new"

    alice = client.staff_token(tenant, "alice", ("agent",))
    note = client.post(f"/v1/cases/{waiting}/messages", json_body={"body": "先看看", "kind": "note"}, token=alice)
    assert note.status == 201
    assert case_of(client, admin, waiting)["assignee"] is None  # a note takes nothing
    reply = client.post(f"/v1/cases/{waiting}/messages", json_body={"body": "您好 我来处理"}, token=alice)
    assert reply.status == 201, reply.body
    case = case_of(client, admin, waiting)
    assert (case["status"], case["assignee"]) == ("in_progress", "alice")
    moves = [(line["from_status"], line["to_status"], line["actor_id"]) for line in case["history"]]
    assert moves[-2:] == [("new", "assigned", "alice"), ("assigned", "in_progress", "alice")]
    assert "alice" in (case["history"][-2]["reason"] or "")
    assert agents_of(client, admin)["alice"]["open_cases"] == 1  # theirs, though away

    # Neither an agent of another queue nor an admin who is no agent takes a case by replying.
    bob = client.staff_token(tenant, "bob", ("agent",))
    assert client.post(f"/v1/cases/{other}/messages", json_body={"body": "转给同事"}, token=bob).status == 201
    assert client.post(f"/v1/cases/{other}/messages", json_body={"body": "稍等"}, token=admin).status == 201
    assert (case_of(client, admin, other)["status"], case_of(client, admin, other)["assignee"]) == ("new", None)


def test_a_staff_member_resolves_a_new_case_in_one_step(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {"availability": "away"}})
    trivial, spam = staff_case(client, admin)["case_id"], staff_case(client, admin)["case_id"]

    alice = client.staff_token(tenant, "alice", ("agent",))
    done = client.patch(f"/v1/cases/{trivial}", json_body={"status": "resolved", "reason": "已解答"}, token=alice)
    assert done.status == 200, done.body
    assert (done.json["status"], done.json["assignee"]) == ("resolved", "alice")
    lines = case_of(client, admin, trivial)["history"]
    assert [(line["from_status"], line["to_status"], line["actor_id"]) for line in lines[-2:]] == [
        ("new", "assigned", "alice"),
        ("assigned", "resolved", "alice"),
    ]
    assert lines[-1]["reason"] == "已解答"
    assert agents_of(client, admin)["alice"]["open_cases"] == 0

    closed = client.patch(f"/v1/cases/{spam}", json_body={"status": "resolved"}, token=admin)
    assert closed.status == 200, closed.body
    assert (closed.json["status"], closed.json["assignee"]) == ("resolved", None)
    last = case_of(client, admin, spam)["history"][-1]
    assert (last["from_status"], last["to_status"], last["actor_id"]) == ("new", "resolved", "s1")
    stats = client.get("/v1/cases/stats", token=admin).json
    assert stats["overall"]["resolved"] == 2
    assert stats["per_agent"]["alice"]["resolved"] == 1
