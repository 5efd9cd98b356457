"""The influence network (微网 / 微价值): a chain of invitations A → B → C → D → E, counted to
depth 3 with the downstream orders; the KOC rule flags once; a cycle is rejected with its reason."""

from __future__ import annotations

import functools
import itertools
import json
import uuid
from typing import Any

from services.campaigns.dal import campaigns as campaigns_dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import qualification
from shared import dynamo
from shared.clock import utc_now
from tests.unit.conftest import Client, eventually
from tests.unit.test_points_api import publish
from tests.unit.test_referral_programs import bind_phone, pending_invitation, program


def outbox(tenant: str, detail_type: str) -> list[dict[str, Any]]:
    """The events the campaigns service wrote for the tenant (a scan: tests only)."""
    pages = (
        dynamo.client()
        .get_paginator("scan")
        .paginate(
            TableName=campaigns_dal.table(),
            FilterExpression="begins_with(pk, :p) AND detail_type = :d",
            ExpressionAttributeValues={":p": {"S": f"T#{tenant}#OUTBOX#"}, ":d": {"S": detail_type}},
        )
    )
    return [json.loads(item["detail"]["S"])["data"] for page in pages for item in page["Items"]]


def chain(client: Client, tenant: str, admin: str, length: int) -> list[dict[str, Any]]:
    """Members who each invited the next, every invitee qualified by binding a phone."""
    program_id = client.post("/v1/campaigns", json_body=program(), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{program_id}/activate", token=admin).status == 200
    members = [client.member_login(tenant, f"dev:o-chain-{n}") for n in range(length)]
    for number, (inviter, invitee) in enumerate(itertools.pairwise(members)):
        link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
        assert client.post("/v1/scans", json_body={"code": link}, token=invitee["token"]).status == 202
        bind_phone(client, invitee, f"+86 139 0001 {number:04d}")
        eventually(functools.partial(joined, client, admin, invitee))
    return members


def joined(client: Client, token: str, member: dict[str, Any]) -> bool:
    """Whether the member is in the network (its node names its inviter)."""
    return network(client, token, member)["root"]["inviter_id"] is not None


def network(client: Client, token: str, member: dict[str, Any], depth: int = 3) -> dict[str, Any]:
    answer = client.get(f"/v1/contacts/{member['contact_id']}/network?depth={depth}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def test_a_chain_counts_three_levels_down_with_their_orders_and_flags_each_koc_once(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rule = {"min_downstream": 3, "window_days": 90, "direct_weight": 3, "downstream_weight": 1, "gmv_weight": 0.01}
    assert client.put("/v1/koc/rule", json_body=rule, token=admin).status == 200
    a, b, c, d, e = chain(client, tenant, admin, 5)

    seen = network(client, admin, a)
    assert [(n["contact_id"], n["depth"]) for n in seen["nodes"]] == [
        (a["contact_id"], 0),
        (b["contact_id"], 1),
        (c["contact_id"], 2),
        (d["contact_id"], 3),
    ]  # E is four levels down: depth 3 stops there
    assert [(edge["inviter_id"], edge["invitee_id"]) for edge in seen["edges"]] == [
        (a["contact_id"], b["contact_id"]),
        (b["contact_id"], c["contact_id"]),
        (c["contact_id"], d["contact_id"]),
    ]
    assert (seen["root"]["direct"], seen["root"]["downstream"], seen["truncated"]) == (1, 3, False)
    assert [n["contact_id"] for n in network(client, admin, a, depth=1)["nodes"]] == [a["contact_id"], b["contact_id"]]
    assert network(client, admin, b)["root"]["downstream"] == 3  # C, D, E

    # D's order counts for A, B and C; E's for B, C and D, not A. A repeated order counts once.
    order = {"order_id": f"o-{uuid.uuid4().hex[:8]}", "contact_id": d["contact_id"], "amount_fen": 10_000, "brand": "x"}
    publish(tenant, "OrderPaid", order)
    publish(tenant, "OrderPaid", order)
    publish(tenant, "OrderPaid", {**order, "order_id": "o-e", "contact_id": e["contact_id"], "amount_fen": 5_000})
    eventually(lambda: network(client, admin, b)["root"]["gmv_fen"] == 15_000)
    assert network(client, admin, a)["root"]["gmv_fen"] == 10_000
    assert network(client, admin, c)["root"]["gmv_fen"] == 15_000
    root = network(client, admin, a)["root"]
    assert root["score"] == 3 * 1 + 1 * 3 + 0.01 * 100

    # A crossed the rule when D joined, B when E did: each flagged once, each announced once.
    kocs = client.get("/v1/koc", token=admin).json["items"]
    assert {row["contact_id"] for row in kocs} == {a["contact_id"], b["contact_id"]}
    assert root["koc"] is True
    announced = [event["contact_id"] for event in outbox(tenant, "KocIdentified")]
    assert sorted(announced) == sorted([a["contact_id"], b["contact_id"]])

    assert client.get(f"/v1/contacts/{a['contact_id']}/network?depth=4", token=admin).status == 422
    guide = client.staff_token(tenant, roles=("guide",))
    assert client.get(f"/v1/contacts/{a['contact_id']}/network", token=guide).status == 403
    assert client.get("/v1/koc", token=guide).status == 403
    other = client.staff_token(f"{tenant}-b")
    assert network(client, other, a)["nodes"] == [{"contact_id": a["contact_id"], "depth": 0}]
    assert client.get("/v1/koc", token=other).json["items"] == []
    manager = client.staff_token(tenant, roles=("manager",))
    assert client.put("/v1/koc/rule", json_body=rule, token=manager).status == 403
    bad = client.put("/v1/koc/rule", json_body={**rule, "min_downstream": 0}, token=admin)
    assert bad.status == 422
    assert client.get("/v1/koc/rule", token=admin).json["min_downstream"] == 3


def test_an_invitation_that_closes_a_cycle_is_rejected_with_its_reason_and_pays_nothing(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    a, _, c = chain(client, tenant, admin, 3)
    program_id = client.post("/v1/campaigns", json_body=program(), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{program_id}/activate", token=admin).status == 200
    # C inviting A back (as a second account's link might): A brought B, who brought C.
    looped = pending_invitation(tenant, program_id, c["contact_id"], a["contact_id"])
    qualification.on_action(tenant, a["contact_id"], "phone_bound", utc_now())

    stored = referral_dal.get_invitation(tenant, program_id, looped.invitee_id)
    assert stored is not None
    assert (stored.status, stored.reason) == ("rejected", "cycle")
    listed = client.get(f"/v1/campaigns/{program_id}/invitations?status=rejected", token=admin).json["items"]
    assert [(row["invitee_id"], row["reason"]) for row in listed] == [(a["contact_id"], "cycle")]
    paid = [r for who in (a, c) for r in referral_dal.rewards_of(tenant, who["contact_id"])]
    assert [r for r in paid if r.campaign_id == program_id] == []
    assert network(client, admin, a)["root"]["inviter_id"] is None
