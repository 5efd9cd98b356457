"""Staff's list of the tenant's redemptions (the points page fulfils and cancels from it), and what
the member H5 reads of rewards and points."""

from __future__ import annotations

from typing import Any

from shared import dynamo
from tests.unit.conftest import Client

LIST = "/v1/redemptions"


def member_with_points(client: Client, tenant: str, code: str, points: int) -> dict[str, Any]:
    member = client.member_login(tenant, code)
    path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
    answer = client.post(path, json_body={"points": points, "reason": "welcome"}, token=client.staff_token(tenant))
    assert answer.status == 201, answer.body
    return member


def redeem(client: Client, member: dict[str, Any], reward_id: str) -> str:
    answer = client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"])
    assert answer.status == 201, answer.body
    return str(answer.json["redemption_id"])


def listed(client: Client, token: str, query: str = "") -> list[tuple[str, str]]:
    """Every (id, status) of a listing, page after page."""
    found: list[tuple[str, str]] = []
    cursor = None
    while True:
        path = f"{LIST}?limit=2{query}" + (f"&cursor={cursor}" if cursor else "")
        answer = client.get(path, token=token)
        assert answer.status == 200, answer.body
        found += [(item["redemption_id"], item["status"]) for item in answer.json["items"]]
        cursor = answer.json["next_cursor"]
        if not cursor:
            return found


def test_staff_list_the_tenants_redemptions_newest_first_by_status_page_by_page(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    manager = client.staff_token(tenant, "m1", ("manager",))
    reward_id = client.post("/v1/rewards", json_body={"name": "Mug", "cost": 10}, token=admin).json["reward_id"]
    first = member_with_points(client, tenant, "dev:o-r1", 100)
    second = member_with_points(client, tenant, "dev:o-r2", 100)
    made = [redeem(client, member, reward_id) for member in (first, second, first, second, first)]
    assert client.post(f"/v1/redemptions/{made[1]}/fulfil", token=admin).status == 200
    assert client.post(f"/v1/redemptions/{made[3]}/cancel", token=admin).status == 200

    newest_first = list(reversed(made))
    statuses = {made[1]: "fulfilled", made[3]: "cancelled"}
    everything = [(rid, statuses.get(rid, "requested")) for rid in newest_first]
    assert listed(client, manager) == everything  # three statuses merged into one order, 2 per page
    assert listed(client, manager, "&status=requested") == [(r, s) for r, s in everything if s == "requested"]
    assert listed(client, manager, "&status=fulfilled") == [(made[1], "fulfilled")]
    assert listed(client, manager, "&status=cancelled") == [(made[3], "cancelled")]

    page = client.get(f"{LIST}?limit=2", token=admin).json
    assert {item["contact_id"] for item in page["items"]} == {first["contact_id"], second["contact_id"]}
    assert page["items"][0] == {
        "redemption_id": made[4],
        "contact_id": first["contact_id"],
        "reward_id": reward_id,
        "reward_name": "Mug",
        "points": 10,
        "status": "requested",
        "created_at": page["items"][0]["created_at"],
        "updated_at": page["items"][0]["updated_at"],
    }
    # A redemption fulfilled between two pages is answered once, in its new status.
    assert client.post(f"/v1/redemptions/{made[2]}/fulfil", token=admin).status == 200
    rest = client.get(f"{LIST}?limit=3&cursor={page['next_cursor']}", token=admin).json
    assert [(item["redemption_id"], item["status"]) for item in rest["items"]] == [
        (made[2], "fulfilled"),
        (made[1], "fulfilled"),
        (made[0], "requested"),
    ]
    assert rest["next_cursor"] is None

    other_tenant = client.staff_token(f"{tenant}-b")
    assert client.get(LIST, token=other_tenant).json == {"items": [], "next_cursor": None}


def forged(tenant: str, position: dict[str, str]) -> str:
    """A cursor naming this tenant's listing of every status, with ``position`` as its place in it."""
    return dynamo.encode_cursor({"gsi2pk": {"S": f"T#{tenant}#REDEMPTIONS"}, "gsi2sk": position})


def test_bad_filters_and_foreign_cursors_are_refused_and_managers_admins_and_agents_list(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    reward_id = client.post("/v1/rewards", json_body={"name": "Mug", "cost": 10}, token=admin).json["reward_id"]
    member = member_with_points(client, tenant, "dev:o-r3", 100)
    for _ in range(2):
        redeem(client, member, reward_id)
    requested_cursor = client.get(f"{LIST}?limit=1&status=requested", token=admin).json["next_cursor"]
    any_cursor = client.get(f"{LIST}?limit=1", token=admin).json["next_cursor"]
    assert requested_cursor
    assert any_cursor
    for query in (
        "status=pending",
        "limit=0",
        "limit=201",
        "limit=ten",
    ):
        refused = client.get(f"{LIST}?{query}", token=admin)
        assert refused.status == 422, (query, refused.body)
        assert refused.headers["Content-Type"] == "application/problem+json"
    for query in (
        f"cursor={requested_cursor}",  # another listing's
        f"status=fulfilled&cursor={any_cursor}",
        "cursor=not-a-cursor",
        f"cursor={forged(tenant, {})}",  # the right listing, but no position in it
        f"cursor={forged(tenant, {'N': '1'})}",
    ):
        refused = client.get(f"{LIST}?{query}", token=admin)
        assert refused.status == 400, (query, refused.body)
        assert refused.headers["Content-Type"] == "application/problem+json"
    other = client.staff_token(f"{tenant}-b")
    assert client.get(f"{LIST}?cursor={any_cursor}", token=other).status == 400  # bound to its tenant too
    assert client.get(LIST, token=client.staff_token(tenant, "s9", ("guide",))).status == 403
    assert client.get(LIST, token=client.staff_token(tenant, "s9", ("agent",))).status == 200  # agents fulfil them
    assert client.get(LIST, token=member["token"]).status == 403
    assert client.get(LIST).status == 401


def test_a_member_lists_rewards_redeems_and_reads_tier_and_expiring_points(client: Client, tenant: str) -> None:
    """What the member H5 reads: the rewards it may redeem, its points with tier and what expires."""
    admin = client.staff_token(tenant)
    policy = client.get("/v1/points/policy", token=admin).json
    tiers = [{"name": "member", "min_points": 0}, {"name": "silver", "min_points": 100}]
    changed = policy | {"expiry": {"rule": "after_days", "days": 30}, "tiers": tiers}
    assert client.put("/v1/points/policy", json_body=changed, token=admin).status == 200
    offered = client.post("/v1/rewards", json_body={"name": "Mug", "cost": 30}, token=admin).json["reward_id"]
    client.post("/v1/rewards", json_body={"name": "Old", "cost": 5, "active": False}, token=admin)
    member = member_with_points(client, tenant, "dev:o-h5", 120)

    rewards = client.get("/v1/rewards", token=member["token"])
    assert rewards.status == 200
    assert [r["reward_id"] for r in rewards.json["items"]] == [offered]
    redemption = redeem(client, member, offered)
    assert [r["redemption_id"] for r in client.get("/v1/me/redemptions", token=member["token"]).json["items"]] == [
        redemption
    ]
    points = client.get("/v1/me/points", token=member["token"]).json
    assert (points["balance"], points["tier"]) == (90, "silver")
    assert [e["points"] for e in points["expiring"]] == [90]
    assert (
        points["expiring"][0]["expires_at"]
        > client.get("/v1/me/points/entries", token=member["token"]).json["items"][0]["created_at"]
    )
