"""Campaigns, channel codes, QR images and scans as staff and members use them."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.unit.conftest import Client, eventually

CONSUMER_WINDOW = 1.0  # ample for the attribution consumer to act on what contacts published
SCHEDULE = {"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}


def campaign(client: Client, token: str, activate: bool = True, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Spring",
        **SCHEDULE,
        "acquisition_points": 100,
        "engagement_points": 10,
        "points_budget": 10_000,
    } | fields
    created = client.post("/v1/campaigns", json_body=body, token=token)
    assert created.status == 201, created.body
    if activate:
        assert client.post(f"/v1/campaigns/{created.json['campaign_id']}/activate", token=token).status == 200
    return dict(created.json)


def code(client: Client, token: str, campaign_id: str, **fields: Any) -> dict[str, Any]:
    answer = client.post(f"/v1/campaigns/{campaign_id}/codes", json_body={"channel": "poster"} | fields, token=token)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def points(client: Client, member_token: str) -> int:
    return int(client.get("/v1/me/points", token=member_token).json["balance"])


def test_the_campaign_lifecycle(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    created = campaign(client, admin, activate=False)
    cid = created["campaign_id"]
    assert created["status"] == "draft"
    assert client.post(f"/v1/campaigns/{cid}/pause", token=admin).status == 409
    assert client.post(f"/v1/campaigns/{cid}/activate", token=admin).json["status"] == "active"
    assert client.post(f"/v1/campaigns/{cid}/activate", token=admin).json["status"] == "active"
    assert client.post(f"/v1/campaigns/{cid}/pause", token=admin).json["status"] == "paused"
    assert client.post(f"/v1/campaigns/{cid}/activate", token=admin).json["status"] == "active"
    renamed = client.patch(f"/v1/campaigns/{cid}", json_body={"name": "Spring 2", "points_budget": 500}, token=admin)
    assert renamed.json["name"] == "Spring 2"
    assert renamed.json["points_budget"] == 500
    branded = client.patch(f"/v1/campaigns/{cid}", json_body={"brand": "kids"}, token=admin)
    assert branded.json["brand"] == "kids"
    unbranded = client.patch(f"/v1/campaigns/{cid}", json_body={"brand": None, "entry_url": None}, token=admin)
    assert unbranded.status == 200, unbranded.body
    assert unbranded.json["brand"] is None
    assert client.post(f"/v1/campaigns/{cid}/end", token=admin).json["status"] == "ended"
    assert client.post(f"/v1/campaigns/{cid}/activate", token=admin).status == 409
    assert client.patch(f"/v1/campaigns/{cid}", json_body={"name": "x"}, token=admin).status == 409
    assert client.post(f"/v1/campaigns/{cid}/codes", json_body={"channel": "poster"}, token=admin).status == 409
    listed = client.get("/v1/campaigns", token=admin).json["items"]
    assert [c["campaign_id"] for c in listed] == [cid]


def test_campaign_input_is_validated_and_roles_enforced(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    backwards = {"name": "x", "starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"}
    assert client.post("/v1/campaigns", json_body=backwards, token=admin).status == 422
    negative = {"name": "x", **SCHEDULE, "points_budget": -1}
    assert client.post("/v1/campaigns", json_body=negative, token=admin).status == 422
    naive = {"name": "x", "starts_at": "2026-01-01T00:00:00", "ends_at": "2026-02-01T00:00:00"}
    assert client.post("/v1/campaigns", json_body=naive, token=admin).status == 422
    agent = client.staff_token(tenant, "a1", ("agent",))
    assert client.post("/v1/campaigns", json_body={"name": "x", **SCHEDULE}, token=agent).status == 403
    cid = campaign(client, admin)["campaign_id"]
    assert client.get(f"/v1/campaigns/{cid}", token=agent).status == 200
    assert client.get(f"/v1/campaigns/{cid}", token=client.staff_token(f"{tenant}-b")).status == 404
    assert client.get("/v1/campaigns/nope", token=admin).status == 404


def test_codes_are_short_unguessable_and_render_as_qr_images(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin, entry_url="https://brand.example/h5/entry")["campaign_id"]
    made = [code(client, admin, cid, store="sh-01", staff_id="g1")["code"] for _ in range(20)]
    assert len(set(made)) == 20
    for value in made:
        assert re.fullmatch(r"[A-Za-z0-9_-]{16,32}", value)
    first = client.get(f"/v1/campaigns/{cid}/codes?limit=5", token=admin).json
    assert len(first["items"]) == 5
    assert first["next_cursor"]
    code_value = first["items"][0]["code"]
    assert first["items"][0]["url"] == f"https://brand.example/h5/entry?tenant={tenant}&scene={code_value}"

    png = client.get(f"/v1/codes/{made[0]}/qr.png", token=admin)
    assert png.status == 200
    assert png.headers["Content-Type"] == "image/png"
    assert png.body.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/v1/codes/{made[0]}/qr.svg", token=admin)
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.body
    assert client.get(f"/v1/codes/{made[0]}/qr.png", token=client.staff_token(f"{tenant}-b")).status == 404
    assert client.get("/v1/codes/not*valid/qr.png", token=admin).status in (404, 422)


def test_a_guide_sees_their_own_codes_and_what_they_brought(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    mine = code(client, admin, cid, staff_id="g1")
    code(client, admin, cid, staff_id="g2")
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert [c["code"] for c in client.get(f"/v1/campaigns/{cid}/codes", token=guide).json["items"]] == [mine["code"]]
    member = client.member_login(tenant, "dev:o-guide")
    client.post("/v1/scans", json_body={"code": mine["code"]}, token=member["token"])
    stats = eventually(lambda: (s := client.get(f"/v1/campaigns/{cid}/stats", token=guide).json)["acquired"] and s)
    assert [s["staff_id"] for s in stats["by_staff"]] == ["g1"]
    assert stats["scans"] == 1
    assert client.get(f"/v1/codes/{mine['code']}/qr.svg", token=guide).status == 200


def test_scans_refuse_unknown_codes_staff_and_other_tenants(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    value = code(client, admin, cid)["code"]
    member = client.member_login(tenant, "dev:o-scan")
    assert client.post("/v1/scans", json_body={"code": "doesnotexist"}, token=member["token"]).status == 404
    assert client.post("/v1/scans", json_body={"code": value}, token=admin).status == 403
    assert client.post("/v1/scans", json_body={"code": value}).status == 401
    assert client.post("/v1/scans", json_body={"code": "bad code!"}, token=member["token"]).status == 422
    stranger = client.member_login(f"{tenant}-b", "dev:o-scan")
    assert client.post("/v1/scans", json_body={"code": value}, token=stranger["token"]).status == 404
    assert client.get(f"/v1/campaigns/{cid}/stats", token=admin).json["scans"] == 0


def test_a_scan_acquires_a_new_member_and_awards_points(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin, brand="kids")["campaign_id"]
    made = code(client, admin, cid, channel="wecom", store="sh-01", staff_id="g7")
    member = client.member_login(tenant, "dev:o-new")
    scanned = client.post("/v1/scans", json_body={"code": made["code"]}, token=member["token"])
    assert scanned.status == 202
    assert scanned.json["scan_id"]
    assert eventually(lambda: points(client, member["token"])) == 100

    contact = client.get(f"/v1/contacts/{member['contact_id']}", token=admin).json
    assert contact["source"]["code"] == made["code"]
    assert contact["source"]["campaign_id"] == cid
    assert contact["owners"] == {"kids": "g7"}
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["unique_scanners"], stats["acquired"], stats["engaged"]) == (1, 1, 1, 0)
    assert stats["points_awarded"] == 100
    assert stats["by_channel"] == [
        {
            "channel": "wecom",
            "scans": 1,
            "unique_scanners": 1,
            "acquired": 1,
            "engaged": 0,
            "points_awarded": 100,
            "qualified": 0,
            "clawed_back": 0,
            "shares": 0,
            "share_rewards": 0,
        }
    ]
    assert client.get(f"/v1/campaigns/{cid}", token=admin).json["points_awarded"] == 100
    entries = client.get("/v1/me/points/entries", token=member["token"]).json["items"]
    assert [(e["points"], e["reason"]) for e in entries] == [(100, "campaign_acquisition")]
    staff_view = client.get(f"/v1/contacts/{member['contact_id']}/points", token=admin).json
    assert staff_view["balance"] == 100


def test_a_returning_scanner_counts_once_per_scope_and_converts_once(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    poster = code(client, admin, cid, channel="poster")["code"]
    wecom = code(client, admin, cid, channel="wecom")["code"]
    member = client.member_login(tenant, "dev:o-back")
    client.post("/v1/scans", json_body={"code": poster}, token=member["token"])
    assert eventually(lambda: points(client, member["token"])) == 100
    for value in (poster, wecom):  # the same code again, then another code of the campaign
        assert client.post("/v1/scans", json_body={"code": value}, token=member["token"]).status == 202
    time.sleep(CONSUMER_WINDOW)  # a conversion that does not happen leaves no trace to wait for
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["unique_scanners"], stats["acquired"], stats["engaged"]) == (3, 1, 1, 0)
    by_channel = {row["channel"]: (row["scans"], row["unique_scanners"]) for row in stats["by_channel"]}
    assert by_channel == {"poster": (2, 1), "wecom": (1, 1)}
    assert points(client, member["token"]) == 100


def test_a_paused_campaign_records_scans_but_converts_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    value = code(client, admin, cid)["code"]
    client.post(f"/v1/campaigns/{cid}/pause", token=admin)
    member = client.member_login(tenant, "dev:o-paused")
    client.post("/v1/scans", json_body={"code": value}, token=member["token"])
    source = eventually(lambda: client.get(f"/v1/contacts/{member['contact_id']}", token=admin).json["source"])
    assert source["code"] == value  # the contact is still acquired through the code
    time.sleep(CONSUMER_WINDOW)  # not converting leaves no trace to wait for
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["acquired"], stats["points_awarded"]) == (1, 0, 0)
    assert points(client, member["token"]) == 0


def test_a_campaign_paused_since_the_converting_function_last_read_it_converts_nothing(
    client: Client, tenant: str
) -> None:
    from services.campaigns.dal import campaigns as campaigns_dal

    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    value = code(client, admin, cid)["code"]
    active = campaigns_dal.get_campaign(tenant, cid)
    assert active is not None
    assert active.status == "active"
    client.post(f"/v1/campaigns/{cid}/pause", token=admin)
    # In AWS the attribution consumer is a function of its own: it still remembers the campaign active.
    campaigns_dal._remember(campaigns_dal._read_campaigns, (tenant, cid), active)
    member = client.member_login(tenant, "dev:o-stale")
    client.post("/v1/scans", json_body={"code": value}, token=member["token"])
    eventually(lambda: client.get(f"/v1/contacts/{member['contact_id']}", token=admin).json["source"])
    time.sleep(CONSUMER_WINDOW)  # not converting leaves no trace to wait for
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["acquired"], stats["points_awarded"]) == (1, 0, 0)
    assert points(client, member["token"]) == 0


def test_points_routes_are_for_their_own_users(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-pts")
    assert client.get("/v1/me/points", token=member["token"]).json == {
        "balance": 0,
        "lifetime_earned": 0,
        "tier": None,
        "expiring": [],
    }
    assert client.get("/v1/me/points", token=admin).status == 403
    assert client.get(f"/v1/contacts/{member['contact_id']}/points", token=member["token"]).status == 403
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get(f"/v1/contacts/{member['contact_id']}/points", token=guide).status == 403
    assert client.get("/v1/me/points/entries?limit=0", token=member["token"]).status == 422


def test_a_scan_outside_the_schedule_converts_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin, starts_at="2035-01-01T00:00:00Z")["campaign_id"]  # active, not yet begun
    value = code(client, admin, cid)["code"]
    member = client.member_login(tenant, "dev:o-early")
    client.post("/v1/scans", json_body={"code": value}, token=member["token"])
    eventually(lambda: client.get(f"/v1/contacts/{member['contact_id']}", token=admin).json["source"])
    time.sleep(CONSUMER_WINDOW)  # not converting leaves no trace to wait for
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["acquired"], stats["engaged"]) == (1, 0, 0)
    assert points(client, member["token"]) == 0


def test_creating_campaigns_and_codes_is_idempotent_per_key(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    body = {"name": "Once", **SCHEDULE}
    key = {"Idempotency-Key": "campaign-1"}
    first = client.post("/v1/campaigns", json_body=body, token=admin, headers=key)
    again = client.post("/v1/campaigns", json_body=body, token=admin, headers=key)
    assert first.status == again.status == 201
    assert first.json == again.json
    assert client.post("/v1/campaigns", json_body=body | {"name": "Other"}, token=admin, headers=key).status == 422
    assert len(client.get("/v1/campaigns", token=admin).json["items"]) == 1
    cid = first.json["campaign_id"]
    code_key = {"Idempotency-Key": "code-1"}
    made = client.post(f"/v1/campaigns/{cid}/codes", json_body={"channel": "poster"}, token=admin, headers=code_key)
    remade = client.post(f"/v1/campaigns/{cid}/codes", json_body={"channel": "poster"}, token=admin, headers=code_key)
    assert made.json == remade.json
    assert len(client.get(f"/v1/campaigns/{cid}/codes", token=admin).json["items"]) == 1
    too_long = {"Idempotency-Key": "k" * 129}
    assert client.post("/v1/campaigns", json_body=body, token=admin, headers=too_long).status == 422
