"""Merging contacts (contacts' side): the field rules, automatic merges at
login, phone binding, staff upserts and orders, candidates where merging is unsafe, the routes and
their bad input, alias resolution, the merge log and the ContactsMerged event."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from services.contacts.dal import contacts as dal
from services.contacts.logic import merging
from services.contacts.logic.attribution import on_scan
from services.contacts.models import MAX_TAGS, Contact, Identities
from shared import dynamo
from shared.consumer import AlreadyProcessed
from shared.events.campaigns import QrCodeScanned
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually
from tests.unit.test_points_api import publish


# Helpers ---------------------------------------------------------------------------------------
def table() -> str:
    return get_settings().table("contacts")


def tenant_items(tenant: str) -> list[dict[str, Any]]:
    """Every item of the tenant in the contacts table (a scan: tests only)."""
    found: list[dict[str, Any]] = []
    pages = (
        dynamo.client()
        .get_paginator("scan")
        .paginate(
            TableName=table(),
            FilterExpression="begins_with(pk, :p)",
            ExpressionAttributeValues={":p": {"S": f"T#{tenant}#"}},
        )
    )
    for page in pages:
        found += [dynamo.deserialize(item) for item in page["Items"]]
    return sorted(found, key=lambda item: (item["pk"], item["sk"]))


def stored_state(tenant: str) -> list[dict[str, Any]]:
    """The tenant's items but timeline entries and insights (which the timeline consumer writes
    later, from events)."""
    return [item for item in tenant_items(tenant) if item.get("kind") not in ("timeline", "insight")]


def published(tenant: str, detail_type: str) -> list[dict[str, Any]]:
    """The events the tenant's contacts wrote to the outbox (what the stream publishes, once each)."""
    return [
        json.loads(item["detail"])["data"]
        for item in tenant_items(tenant)
        if item.get("kind") == "outbox" and item["detail_type"] == detail_type
    ]


def profile(tenant: str, contact_id: str) -> dict[str, Any]:
    item = dynamo.get_item(table(), {"pk": f"T#{tenant}#C#{contact_id}", "sk": "PROFILE"})
    assert item is not None
    return item


def create(client: Client, token: str, **fields: object) -> dict[str, Any]:
    answer = client.post("/v1/contacts", json_body=fields, token=token)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def merge(client: Client, token: str, into: str, other: str, reason: str = "same person") -> Any:
    return client.post(
        f"/v1/contacts/{into}/merge", json_body={"from_contact_id": other, "reason": reason}, token=token
    )


def contact(**fields: Any) -> Contact:
    defaults: dict[str, Any] = {"tenant_id": "t", "created_at": "2026-01-01T00:00:00.000Z"}
    defaults["updated_at"] = fields.get("created_at", defaults["created_at"])
    return Contact(**{**defaults, **fields})


# Field rules (pure) ----------------------------------------------------------------------------
def test_the_field_rules_of_a_merge() -> None:
    survivor = contact(
        contact_id="a",
        name="王芳",
        identities=Identities(phone="+8613800000001", openids={"wx-a": "o-a"}, unionid="u-1"),
        tags=["vip", "甲"],
        attributes={"level": 3, "shoe": "38"},
        consent={"sms": {"marketing": True, "service": True}},
        owners={"*": "g-1"},
        source={"type": "campaign_code", "campaign_id": "cp-late", "acquired_at": "2026-03-01T00:00:00+00:00"},
    )
    alias = contact(
        contact_id="b",
        created_at="2026-02-01T00:00:00.000Z",
        name="Fang",
        city="上海",
        identities=Identities(phone="+8613800000002", email="f@x.cn", openids={"wx-a": "o-other", "wx-b": "o-b"}),
        tags=["乙", "vip"],
        attributes={"level": 1, "size": "M"},
        consent={"sms": {"marketing": False}, "email": {"marketing": True}},
        owners={"*": "g-2", "kids": "g-3"},
        source={"type": "campaign_code", "campaign_id": "cp-early", "acquired_at": "2026-02-02T00:00:00+00:00"},
    )
    assert merging.older_first(alias, survivor) == (survivor, alias)
    assert merging.conflicting_kinds(survivor.identities, alias.identities) == ["openid:wx-a", "phone"]
    joined, dropped = merging.combine(survivor, alias)
    assert dropped == []
    # Identities: the survivor's where it holds the kind, the alias's otherwise.
    assert joined.identities == Identities(
        phone="+8613800000001", email="f@x.cn", unionid="u-1", openids={"wx-a": "o-a", "wx-b": "o-b"}
    )
    assert merging.released_kinds(alias.identities, joined.identities) == ["openid:wx-a", "phone"]
    assert joined.tags == sorted(["vip", "甲", "乙"])
    assert (joined.name, joined.city) == ("王芳", "上海")  # the survivor's where set
    assert joined.attributes == {"level": 3, "shoe": "38", "size": "M"}
    # Consent: the most restrictive answer per channel and purpose.
    assert joined.consent == {"sms": {"marketing": False, "service": True}, "email": {"marketing": True}}
    assert joined.owners == {"*": "g-1", "kids": "g-3"}
    assert joined.source is not None
    assert joined.source["campaign_id"] == "cp-early"  # the earliest first touch


def test_tags_beyond_the_cap_are_dropped_the_survivors_first() -> None:
    survivor = contact(contact_id="a", tags=[f"s{n:02}" for n in range(MAX_TAGS - 2)])
    alias = contact(contact_id="b", tags=["z1", "a1", "m1", "s00"])
    joined, dropped = merging.combine(survivor, alias)
    assert len(joined.tags) == MAX_TAGS
    assert {"a1", "m1"} <= set(joined.tags)
    assert dropped == ["z1"]


# The route, the log, the event ------------------------------------------------------------------
def test_a_manager_merges_two_contacts_and_the_alias_resolves(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = create(
        client,
        admin,
        name="王芳",
        phone="13800000001",
        tags=["vip"],
        attributes={"level": 3},
        consent={"sms": {"marketing": True}},
        owner="g-1",
    )
    newer = create(client, admin, email="f@x.cn", tags=["新客"], attributes={"level": 1, "size": "M"})
    client.put(f"/v1/contacts/{newer['contact_id']}/owner", json_body={"staff_id": "g-2", "brand": "kids"}, token=admin)
    manager = client.staff_token(tenant, "m-1", ("manager",))
    a, b = older["contact_id"], newer["contact_id"]

    # Named either way round, the older contact survives.
    answer = merge(client, manager, b, a, reason="same customer, two records")
    assert answer.status == 200, answer.body
    merged = answer.json
    assert merged["contact_id"] == a
    assert merged["merged_from"] == [b]
    assert merged["identities"]["phone"] == "+8613800000001"
    assert merged["identities"]["email"] == "f@x.cn"
    assert merged["tags"] == sorted(["vip", "新客"])
    assert merged["attributes"] == {"level": 3, "size": "M"}
    assert merged["owners"] == {"*": "g-1", "kids": "g-2"}

    assert client.get(f"/v1/contacts/{b}", token=admin).json == merged  # the alias answers the survivor
    listed = [c["contact_id"] for c in client.get("/v1/contacts", token=admin).json["items"]]
    assert listed == [a]
    assert [c["contact_id"] for c in client.get("/v1/contacts?tag=%E6%96%B0%E5%AE%A2", token=admin).json["items"]] == [
        a
    ]
    assert [c["contact_id"] for c in client.get("/v1/contacts?owner=g-2", token=admin).json["items"]] == [a]
    assert [c["contact_id"] for c in client.get("/v1/contacts?email=F@X.CN", token=admin).json["items"]] == [a]
    stored = profile(tenant, b)
    assert stored["merged_into"] == a
    assert "gsi1pk" not in stored
    assert "email" not in json.dumps(stored)

    # The merge log explains it; its evidence is a kind, never a value.
    log = client.get(f"/v1/contacts/{b}/merges", token=admin).json["items"]
    assert len(log) == 1
    assert log[0] | {"merge_id": None, "merged_at": None} == {
        "merge_id": None,
        "survivor_id": a,
        "alias_id": b,
        "evidence": "manual",
        "actor": {"kind": "staff", "id": "m-1"},
        "reason": "same customer, two records",
        "merged_at": None,
        "tags_dropped": [],
        "identities_released": [],
    }

    # Merging them again answers the survivor and changes nothing: one event in all.
    again = merge(client, manager, a, b)
    assert again.status == 200
    assert again.json == merged
    events = published(tenant, "ContactsMerged")
    assert events == [
        {"contact_id": a, "version": merged["version"], "merged_contact_id": b, "evidence": "manual", "also_merged": []}
    ]
    owners = published(tenant, "ContactOwnerChanged")
    assert {"contact_id": a, "brand": "kids", "owner": "g-2", "previous_owner": None} in [
        {k: e[k] for k in ("contact_id", "brand", "owner", "previous_owner")} for e in owners
    ]

    # Staff routes on the alias act on the survivor.
    tagged = client.put(f"/v1/contacts/{b}/tags/alias-tag", token=admin)
    assert tagged.status == 200
    assert tagged.json["contact_id"] == a
    assert "alias-tag" in tagged.json["tags"]
    patched = client.patch(f"/v1/contacts/{b}", json_body={"city": "杭州"}, token=admin)
    assert patched.json["contact_id"] == a
    assert patched.json["city"] == "杭州"


def test_bad_merge_requests_are_refused_and_change_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    a = create(client, admin, name="a")["contact_id"]
    b = create(client, admin, name="b")["contact_id"]
    erased = create(client, admin, name="gone")["contact_id"]
    assert client.delete(f"/v1/contacts/{erased}", token=admin).status == 204
    foreign = create(client, client.staff_token(f"{tenant}-x"), name="elsewhere")["contact_id"]
    before = stored_state(tenant)

    itself = merge(client, admin, a, a)
    assert itself.status == 422
    assert itself.json["errors"][0]["loc"] == ["body", "from_contact_id"]
    assert merge(client, admin, a, foreign).status == 404
    assert merge(client, admin, foreign, a).status == 404
    assert merge(client, admin, a, "ct_nosuch").status == 404
    gone = merge(client, admin, a, erased)
    assert gone.status == 409
    assert gone.headers["Content-Type"] == "application/problem+json"
    assert merge(client, admin, erased, b).status == 409
    no_reason = client.post(f"/v1/contacts/{a}/merge", json_body={"from_contact_id": b}, token=admin)
    assert no_reason.status == 422
    assert any(error["loc"] == ["body", "reason"] for error in no_reason.json["errors"])
    odd = client.post(f"/v1/contacts/{a}/merge", json_body={"from_contact_id": "a/b", "reason": "x"}, token=admin)
    assert odd.status == 422
    for role in ("agent", "guide"):
        assert merge(client, client.staff_token(tenant, f"{role}-1", (role,)), a, b).status == 403
        assert (
            client.get("/v1/contacts/merge-candidates", token=client.staff_token(tenant, role, (role,))).status == 403
        )

    assert stored_state(tenant) == before
    assert published(tenant, "ContactsMerged") == []


# Automatic merges --------------------------------------------------------------------------------
def test_a_login_presenting_anothers_unionid_merges_and_the_old_token_keeps_working(
    client: Client, tenant: str
) -> None:
    first = client.member_login(tenant, "dev:o-a", app_id="wx-a")  # no unionid yet
    second = client.member_login(tenant, "dev:o-b:u-1", app_id="wx-b")  # a new contact
    assert first["contact_id"] != second["contact_id"]
    # The first app now reports the unionid too: both are one person; the older survives.
    again = client.member_login(tenant, "dev:o-a:u-1", app_id="wx-a")
    assert again["contact_id"] == first["contact_id"]
    assert client.member_login(tenant, "dev:o-b:u-1", app_id="wx-b")["contact_id"] == first["contact_id"]

    me = client.get("/v1/me", token=second["token"])  # a token issued to the alias
    assert me.status == 200
    assert me.json["contact_id"] == first["contact_id"]
    assert me.json["identities"]["openids"] == {"wx-a": "o-a", "wx-b": "o-b"}
    assert me.json["identities"]["unionid"] == "u-1"
    renamed = client.patch("/v1/me", json_body={"name": "小李"}, token=second["token"])
    assert renamed.status == 200
    assert renamed.json["contact_id"] == first["contact_id"]

    admin = client.staff_token(tenant)
    [entry] = client.get(f"/v1/contacts/{first['contact_id']}/merges", token=admin).json["items"]
    assert (entry["evidence"], entry["actor"]["kind"], entry["alias_id"]) == ("unionid", "member", second["contact_id"])
    assert len(published(tenant, "ContactsMerged")) == 1


def test_binding_an_imported_contacts_phone_merges_them(client: Client, tenant: str) -> None:
    """The issue's path: an imported contact with a phone; later a WeChat login binds that phone."""
    admin = client.staff_token(tenant)
    imported = create(client, admin, name="导入", phone="13900000009", tags=["导入"])
    member = client.member_login(tenant, "dev:o-phone:u-9")
    before = stored_state(tenant)
    bad = client.post("/v1/me/phone", json_body={"code": "not-a-code"}, token=member["token"])
    assert bad.status == 422
    assert bad.json["errors"][0]["loc"] == ["body", "code"]
    not_a_phone = client.post("/v1/me/phone", json_body={"code": "dev-phone:12"}, token=member["token"])
    assert not_a_phone.status == 422
    assert stored_state(tenant) == before

    bound = client.post("/v1/me/phone", json_body={"code": "dev-phone:+86 139 0000 0009"}, token=member["token"])
    assert bound.status == 200, bound.body
    assert bound.json["contact_id"] == imported["contact_id"]  # the older contact survives
    assert bound.json["identities"]["phone"] == "+8613900000009"
    assert bound.json["identities"]["unionid"] == "u-9"
    assert client.get("/v1/me", token=member["token"]).json["contact_id"] == imported["contact_id"]
    assert client.member_login(tenant, "dev:o-phone:u-9")["contact_id"] == imported["contact_id"]
    survivor = client.get(f"/v1/contacts/{member['contact_id']}", token=admin).json
    assert survivor["merged_from"] == [member["contact_id"]]
    assert survivor["tags"] == ["导入"]
    [entry] = client.get(f"/v1/contacts/{imported['contact_id']}/merges", token=admin).json["items"]
    assert entry["evidence"] == "phone"
    assert entry["actor"] == {"kind": "member", "id": member["contact_id"]}
    assert published(tenant, "ContactsMerged") == [
        {
            "contact_id": imported["contact_id"],
            "version": survivor["version"],
            "merged_contact_id": member["contact_id"],
            "evidence": "phone",
            "also_merged": [],
        }
    ]
    # Binding a phone nobody holds just sets it.
    other = client.member_login(tenant, "dev:o-other")
    rebound = client.post("/v1/me/phone", json_body={"code": "dev-phone:13900000010"}, token=other["token"])
    assert rebound.json["contact_id"] == other["contact_id"]
    assert rebound.json["identities"]["phone"] == "+8613900000010"


def test_conflicting_identities_make_a_candidate_not_a_merge(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    holder = create(client, admin, phone="13900000011", unionid="u-1")
    member = client.member_login(tenant, "dev:o-c:u-2")  # another unionid: another WeChat user
    refused = client.post("/v1/me/phone", json_body={"code": "dev-phone:13900000011"}, token=member["token"])
    assert refused.status == 409
    assert client.get("/v1/me", token=member["token"]).json["identities"]["phone"] is None
    assert published(tenant, "ContactsMerged") == []

    manager = client.staff_token(tenant, "m-1", ("manager",))
    [candidate] = client.get("/v1/contacts/merge-candidates", token=manager).json["items"]
    assert set(candidate["contact_ids"]) == {holder["contact_id"], member["contact_id"]}
    assert (candidate["evidence"], candidate["conflicts"]) == ("phone", ["unionid"])
    assert "13900000011" not in json.dumps(candidate)
    # Found again: still one candidate.
    client.post("/v1/me/phone", json_body={"code": "dev-phone:13900000011"}, token=member["token"])
    assert len(client.get("/v1/contacts/merge-candidates", token=manager).json["items"]) == 1

    # A manager decides they are one person: the candidate is gone; the alias's unionid is released.
    merged = merge(client, manager, member["contact_id"], holder["contact_id"])
    assert merged.status == 200
    assert merged.json["identities"]["unionid"] == "u-1"
    assert client.get("/v1/contacts/merge-candidates", token=manager).json["items"] == []
    [entry] = client.get(f"/v1/contacts/{holder['contact_id']}/merges", token=manager).json["items"]
    assert entry["identities_released"] == ["unionid"]
    assert client.get("/v1/contacts?unionid=u-2", token=manager).json["items"] == []


def test_candidates_page_through_their_index(client: Client, tenant: str) -> None:
    manager = client.staff_token(tenant, "m-1", ("manager",))
    for n in range(3):
        merging.note_candidate(tenant, f"ct_a{n}", f"ct_b{n}", "phone", ["unionid"])
    # Candidates whose contacts do not exist (any more) are skipped: the index ends, no cursor.
    assert client.get("/v1/contacts/merge-candidates?limit=2", token=manager).json == {"items": [], "next_cursor": None}
    admin = client.staff_token(tenant)
    pairs = [
        (create(client, admin, unionid=f"u-x{n}")["contact_id"], create(client, admin, unionid=f"u-y{n}")["contact_id"])
        for n in range(3)
    ]
    for first, second in pairs:
        merging.note_candidate(tenant, first, second, "phone", ["unionid"])
    seen: list[list[str]] = []
    cursor = None
    while True:
        page = client.get(
            "/v1/contacts/merge-candidates?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=manager
        ).json
        seen += [sorted(c["contact_ids"]) for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(sorted(pair) for pair in pairs)
    assert client.get("/v1/contacts/merge-candidates?cursor=garbage", token=manager).status == 400


def test_reading_candidates_writes_nothing_and_fills_the_page_past_stale_pairs(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    manager = client.staff_token(tenant, "m-1", ("manager",))
    live = [create(client, admin, name=f"live{n}")["contact_id"] for n in range(3)]
    merging.note_candidate(tenant, live[0], live[1], "phone", ["unionid"])
    merging.note_candidate(tenant, live[1], live[2], "phone", ["unionid"])
    merged = [create(client, admin, name=f"m{n}")["contact_id"] for n in range(2)]
    merging.note_candidate(tenant, merged[0], merged[1], "phone", ["unionid"])
    assert merge(client, manager, merged[0], merged[1]).status == 200  # deletes its own candidate
    gone = create(client, admin, name="erased")["contact_id"]
    for n in range(3):  # newer than the live pairs: first in the index
        merging.note_candidate(tenant, f"ct_gone{n}", gone, "phone", ["unionid"])
    assert client.delete(f"/v1/contacts/{gone}", token=admin).status == 204
    stored_before = [i for i in tenant_items(tenant) if i.get("kind") == "merge_candidate"]
    assert len(stored_before) == 5

    page = client.get("/v1/contacts/merge-candidates?limit=2", token=manager).json
    assert sorted(sorted(c["contact_ids"]) for c in page["items"]) == sorted([sorted(live[:2]), sorted(live[1:])])
    assert [i for i in tenant_items(tenant) if i.get("kind") == "merge_candidate"] == stored_before


def test_a_staff_create_naming_a_held_identity_upserts_into_its_contact(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    held = create(client, admin, name="原", phone="13900000021", tags=["x"])
    again = create(client, admin, name="新", phone="+86 139-0000-0021", email="n@x.cn", tags=["y"])
    assert again["contact_id"] == held["contact_id"]
    assert (again["name"], again["identities"]["email"], again["tags"]) == ("原", "n@x.cn", ["x", "y"])
    assert len(client.get("/v1/contacts", token=admin).json["items"]) == 1
    assert len(published(tenant, "ContactCreated")) == 1

    # Identities of two contacts in one create: the two merge (safe), then it upserts.
    other = create(client, admin, external_userid="wm-1")
    both = create(client, admin, phone="13900000021", external_userid="wm-1", city="上海")
    assert both["contact_id"] == held["contact_id"]
    assert both["merged_from"] == [other["contact_id"]]
    assert both["city"] == "上海"

    # A different unionid for the same phone: not the same person; refused, nothing written.
    before = stored_state(tenant)
    with_unionid = client.patch(f"/v1/contacts/{held['contact_id']}", json_body={"unionid": "u-1"}, token=admin)
    assert with_unionid.status == 200
    before = stored_state(tenant)
    clash = client.post("/v1/contacts", json_body={"phone": "13900000021", "unionid": "u-2"}, token=admin)
    assert clash.status == 409
    assert stored_state(tenant) == before


def test_a_staff_patch_naming_anothers_identity_merges_and_applies_to_the_survivor(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = create(client, admin, name="old", phone="13900000031")
    newer = create(client, admin, name="new", email="n@x.cn", phone="13900000032")
    patched = client.patch(
        f"/v1/contacts/{newer['contact_id']}", json_body={"phone": "13900000031", "city": "北京"}, token=admin
    )
    assert patched.status == 200, patched.body
    assert patched.json["contact_id"] == older["contact_id"]
    assert patched.json["city"] == "北京"  # the patch lands on the survivor
    assert patched.json["name"] == "old"
    assert patched.json["identities"]["phone"] == "+8613900000031"
    assert patched.json["identities"]["email"] == "n@x.cn"
    # The phone the patch replaced is free again.
    assert client.get("/v1/contacts?phone=13900000032", token=admin).json["items"] == []
    assert create(client, admin, phone="13900000032")["contact_id"] not in (older["contact_id"], newer["contact_id"])

    # The newer contact is patched with the older's phone while holding another unionid: refused.
    first = create(client, admin, phone="13900000033", unionid="u-a")
    second = create(client, admin, unionid="u-b")
    before = profile(tenant, second["contact_id"])
    refused = client.patch(f"/v1/contacts/{second['contact_id']}", json_body={"phone": "13900000033"}, token=admin)
    assert refused.status == 409
    assert profile(tenant, second["contact_id"]) == before
    manager = client.staff_token(tenant, "m-1", ("manager",))
    candidates = client.get("/v1/contacts/merge-candidates", token=manager).json["items"]
    assert [sorted(c["contact_ids"]) for c in candidates] == [sorted([first["contact_id"], second["contact_id"]])]


def test_an_order_naming_an_aliass_identity_credits_the_survivor(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = create(client, admin, phone="13900000041")
    newer = create(client, admin, email="buyer@x.cn")
    assert merge(client, admin, older["contact_id"], newer["contact_id"]).status == 200
    publish(
        tenant,
        "OrderPaid",
        {"order_id": "O-1", "identity": {"kind": "email", "value": "Buyer@x.cn"}, "amount_fen": 100, "brand": "acme"},
    )

    def identified() -> list[dict[str, Any]]:
        return published(tenant, "OrderBuyerIdentified")

    [order] = eventually(identified)
    assert order["contact_id"] == older["contact_id"]


def test_a_scan_by_an_alias_is_attributed_to_the_survivor(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = create(client, admin, name="older")["contact_id"]
    newer = create(client, admin, name="newer")["contact_id"]
    assert merge(client, admin, newer, older).status == 200
    scan = QrCodeScanned(
        scan_id=f"sc-{uuid.uuid4().hex}",
        contact_id=newer,
        campaign_id="cp-1",
        code="k1",
        channel="poster",
        staff_id="g-5",
        scanned_at="2026-05-01T00:00:00Z",
    )
    on_scan(tenant, scan)
    [attributed] = published(tenant, "ScanAttributed")
    assert attributed["contact_id"] == older
    assert attributed["acquired"] is True
    survivor = client.get(f"/v1/contacts/{older}", token=admin).json
    assert survivor["source"]["campaign_id"] == "cp-1"
    assert survivor["owners"] == {"*": "g-5"}


def test_a_scan_handled_under_an_alias_and_redelivered_after_its_merge_is_handled_once(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    older = create(client, admin, name="older")["contact_id"]
    newer = create(client, admin, name="newer")["contact_id"]
    scan = QrCodeScanned(
        scan_id=f"sc-{uuid.uuid4().hex}",
        contact_id=newer,
        campaign_id="cp-1",
        code="k1",
        channel="poster",
        scanned_at="2026-05-01T00:00:00Z",
    )
    on_scan(tenant, scan)
    assert merge(client, admin, older, newer).status == 200
    with pytest.raises(AlreadyProcessed):  # what the consumer counts as handled
        on_scan(tenant, scan)
    assert [e["contact_id"] for e in published(tenant, "ScanAttributed")] == [newer]

    def scans_shown() -> list[str]:
        items = client.get(f"/v1/contacts/{older}/timeline?types=QrCodeScanned", token=admin).json["items"]
        return [item["event_id"] for item in items]

    assert eventually(scans_shown) == [scan.scan_id]


def test_chains_resolve_and_nothing_points_to_an_alias(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    a, b, c = (create(client, admin, name=n)["contact_id"] for n in "abc")
    assert merge(client, admin, b, c).json["contact_id"] == b
    # Merging into an alias resolves it to its survivor first.
    assert merge(client, admin, c, a).json["contact_id"] == a
    assert profile(tenant, c)["merged_into"] == a  # re-pointed with the merge of its survivor
    assert profile(tenant, b)["merged_into"] == a
    assert profile(tenant, a)["merged_from"] == [b, c]
    assert client.get(f"/v1/contacts/{c}", token=admin).json["contact_id"] == a
    last = [e for e in published(tenant, "ContactsMerged") if e["contact_id"] == a]
    assert last == [
        {
            "contact_id": a,
            "version": last[0]["version"],
            "merged_contact_id": b,
            "evidence": "manual",
            "also_merged": [c],
        }
    ]
    log = client.get(f"/v1/contacts/{a}/merges", token=admin).json["items"]
    assert [(e["survivor_id"], e["alias_id"]) for e in log] == [(a, b), (b, c)]


def test_the_merge_log_of_a_survivor_is_one_partition_read_page_by_page(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    a, b, c, d = (create(client, admin, name=n)["contact_id"] for n in "abcd")
    assert merge(client, admin, c, d).json["contact_id"] == c
    assert merge(client, admin, b, c).json["contact_id"] == b
    assert merge(client, admin, a, b).json["contact_id"] == a
    # Each merge copied the alias's log under the survivor: a's partition explains all three.
    under_a = [i for i in tenant_items(tenant) if i["pk"] == f"T#{tenant}#C#{a}" and i["sk"].startswith("MERGE#")]
    assert sorted((i["survivor_id"], i["alias_id"]) for i in under_a) == [(a, b), (b, c), (c, d)]
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        page = client.get(f"/v1/contacts/{d}/merges?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=admin)
        assert page.status == 200, page.body
        assert len(page.json["items"]) <= 2
        seen += [(e["survivor_id"], e["alias_id"]) for e in page.json["items"]]
        cursor = page.json["next_cursor"]
        if not cursor:
            break
    assert seen == [(a, b), (b, c), (c, d)]  # newest first
    assert client.get(f"/v1/contacts/{a}/merges?cursor=garbage", token=admin).status == 400


def test_a_survivor_stands_for_a_bounded_number_of_contacts(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merging, "MAX_MERGED_FROM", 2)
    admin = client.staff_token(tenant)
    a, b, c, d = (create(client, admin, name=n)["contact_id"] for n in "abcd")
    assert merge(client, admin, a, b).status == 200
    assert merge(client, admin, a, c).status == 200
    refused = merge(client, admin, a, d)
    assert refused.status == 409
    assert profile(tenant, a)["merged_from"] == [b, c]
    assert "merged_into" not in profile(tenant, d)
    # An automatic merge past the bound records a candidate instead.
    assert merging.merge_if_safe(tenant, a, d, evidence="phone", actor=merging.SYSTEM) is None
    [candidate] = client.get("/v1/contacts/merge-candidates", token=admin).json["items"]
    assert sorted(candidate["contact_ids"]) == sorted([a, d])


def test_a_merge_too_big_for_one_transaction_cleans_the_alias_index_after(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = create(client, admin, name="older")["contact_id"]
    tags = [f"t{n:02}" for n in range(MAX_TAGS)]
    newer = create(client, admin, name="newer", tags=tags, phone="13900000051")["contact_id"]
    merged = merge(client, admin, older, newer)
    assert merged.status == 200, merged.body
    assert merged.json["tags"] == tags
    alias_items = [i for i in stored_state(tenant) if i["pk"] == f"T#{tenant}#C#{newer}"]
    assert [i["sk"] for i in alias_items] == ["PROFILE"]
    assert [c["contact_id"] for c in client.get("/v1/contacts?tag=t49", token=admin).json["items"]] == [older]
    assert len(published(tenant, "ContactsMerged")) == 1


def test_resolution_in_the_data_layer_ignores_aliases_in_listings(tenant: str, client: Client) -> None:
    admin = client.staff_token(tenant)
    a = create(client, admin, name="a")["contact_id"]
    b = create(client, admin, name="b")["contact_id"]
    merge(client, admin, a, b)
    assert [c.contact_id for c in dal.get_many(tenant, [a, b])] == [a]
    assert {k: v.contact_id for k, v in merging.resolve_many(tenant, [a, b, "ct_none"]).items()} == {a: a, b: a}


# The real WeChat phone-number exchange ---------------------------------------------------------
def test_the_phone_code_is_exchanged_where_wechat_expects_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import urllib.request

    from services.contacts.gateways import wechat
    from shared.auth import keys
    from shared.errors import Unprocessable
    from shared.wechat import STABLE_TOKEN_URL

    calls: list[tuple[str, dict[str, Any]]] = []
    answers = {
        STABLE_TOKEN_URL: {"access_token": "tok/1", "expires_in": 7200},
        "ok": {
            "errcode": 0,
            "phone_info": {"phoneNumber": "13800000001", "purePhoneNumber": "13800000001", "countryCode": "86"},
        },
        "refused": {"errcode": 40029, "errmsg": "invalid code"},
    }

    class Answer(io.BytesIO):
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

    def urlopen(request: urllib.request.Request, timeout: float) -> Answer:
        payload = json.loads(request.data or b"{}")  # type: ignore[arg-type]
        calls.append((request.full_url, payload))
        key = STABLE_TOKEN_URL if request.full_url == STABLE_TOKEN_URL else payload["code"]
        return Answer(json.dumps(answers[key]).encode())

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    monkeypatch.setattr(keys, "secret_json", lambda arn: {"t1/wx-app": "app-secret"})
    gateway = wechat.WechatApiGateway()
    assert gateway.phone_number("t1", "wx-app", "ok") == "+8613800000001"
    assert calls == [
        (STABLE_TOKEN_URL, {"grant_type": "client_credential", "appid": "wx-app", "secret": "app-secret"}),
        (f"{wechat.PHONE_NUMBER_URL}?access_token=tok/1", {"code": "ok"}),
    ]
    with pytest.raises(Unprocessable) as refused:
        gateway.phone_number("t1", "wx-app", "refused")
    assert refused.value.extra["errors"][0]["loc"] == ["body", "code"]
    assert len(calls) == 3  # the access token was reused
