"""The contacts API as staff and members use it, through the same gateway path as API Gateway."""

from __future__ import annotations

import threading
from typing import Any

from shared import dynamo
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually


def _count_items(tenant: str) -> int:
    """Every item of a tenant in the contacts table (a scan: tests only)."""
    table = get_settings().table("contacts")
    items = dynamo.client().scan(TableName=table)["Items"]
    return sum(1 for item in items if f"T#{tenant}#" in item["pk"]["S"])


def create(client: Client, token: str, **fields: object) -> dict[str, Any]:
    answer = client.post("/v1/contacts", json_body=fields, token=token)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def test_a_created_contact_is_readable_in_its_tenant_only(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = create(client, admin, name="王芳", phone="138 0013 8000", email="Fang@Example.COM", tags=["vip"])
    assert contact["identities"]["phone"] == "+8613800138000"
    assert contact["identities"]["email"] == "fang@example.com"

    read = client.get(f"/v1/contacts/{contact['contact_id']}", token=admin)
    assert read.status == 200
    assert read.json["name"] == "王芳"

    other_tenant = client.staff_token(f"{tenant}-other")
    answer = client.get(f"/v1/contacts/{contact['contact_id']}", token=other_tenant)
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_without_a_token_every_private_route_answers_401(client: Client, tenant: str) -> None:
    for method, path in (
        ("GET", "/v1/contacts"),
        ("POST", "/v1/contacts"),
        ("GET", "/v1/contacts/x"),
        ("GET", "/v1/me"),
        ("PUT", "/v1/contacts/x/tags/vip"),
    ):
        answer = client.request(method, path)
        assert answer.status == 401, (method, path)
        assert answer.json["status"] == 401
    assert client.get("/v1/contacts", token="not.a.token").status == 401
    forged = client.staff_token(tenant)[:-4] + "AAAA"
    assert client.get("/v1/contacts", token=forged).status == 401


def test_a_guide_sees_only_the_contacts_they_own(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    mine = create(client, admin, name="mine", owner="guide-1")
    theirs = create(client, admin, name="theirs", owner="guide-2")
    guide = client.staff_token(tenant, "guide-1", ("guide",))

    assert client.get(f"/v1/contacts/{mine['contact_id']}", token=guide).status == 200
    assert client.get(f"/v1/contacts/{theirs['contact_id']}", token=guide).status == 404
    listed = client.get("/v1/contacts", token=guide).json["items"]
    assert [c["contact_id"] for c in listed] == [mine["contact_id"]]
    assert client.get("/v1/contacts?owner=guide-2", token=guide).json["items"] == []


def test_names_answer_each_visible_contact_an_id_stands_for_in_order(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    named = create(client, admin, name="王芳", owner="guide-1")
    by_phone = create(client, admin, phone="138 0013 8001")
    older = create(client, admin, name="李雷", phone="138 0013 8002")
    newer = create(client, admin, name="李雷小号")
    body = {"from_contact_id": newer["contact_id"], "reason": "same person"}
    assert client.post(f"/v1/contacts/{older['contact_id']}/merge", json_body=body, token=admin).status == 200
    erased = create(client, admin, name="已注销")
    assert client.delete(f"/v1/contacts/{erased['contact_id']}", token=admin).status == 204
    other_tenant = create(client, client.staff_token(f"{tenant}-other"), name="别家的")

    asked = [newer, by_phone, named, erased, other_tenant, named]
    query = "&".join(f"id={c['contact_id']}" for c in asked) + "&id=ct_unknown"
    answer = client.get(f"/v1/contacts/names?{query}", token=admin)
    assert answer.status == 200, answer.body
    assert [(n["contact_id"], n["survivor_id"], n["display_name"]) for n in answer.json["items"]] == [
        (newer["contact_id"], older["contact_id"], "李雷"),
        (by_phone["contact_id"], by_phone["contact_id"], "+8613800138001"),
        (named["contact_id"], named["contact_id"], "王芳"),
    ]
    # A guide is told only of their own customers; too many or no ids at once is a 422.
    guide = client.staff_token(tenant, "guide-1", ("guide",))
    mine = client.get(f"/v1/contacts/names?{query}", token=guide).json["items"]
    assert [n["contact_id"] for n in mine] == [named["contact_id"]]
    assert client.get("/v1/contacts/names", token=admin).status == 422
    too_many = "&".join(f"id=ct_{n}" for n in range(51))
    assert client.get(f"/v1/contacts/names?{too_many}", token=admin).status == 422
    assert client.get("/v1/contacts/names?id=bad%20id", token=admin).status == 422


def test_roles_are_enforced(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = create(client, admin, name="x")
    agent = client.staff_token(tenant, "agent-1", ("agent",))
    assert client.get(f"/v1/contacts/{contact['contact_id']}", token=agent).status == 200
    assert client.post("/v1/contacts", json_body={"name": "y"}, token=agent).status == 403
    assert client.patch(f"/v1/contacts/{contact['contact_id']}", json_body={"name": "z"}, token=agent).status == 403
    assert client.delete(f"/v1/contacts/{contact['contact_id']}", token=agent).status == 403
    member = client.member_login(tenant, "dev:o-roles")
    assert client.get("/v1/contacts", token=member["token"]).status == 403
    assert client.get("/v1/me", token=admin).status == 403


def test_wechat_login_twice_gives_the_same_contact(client: Client, tenant: str) -> None:
    first = client.member_login(tenant, "dev:o-123")
    second = client.member_login(tenant, "dev:o-123")
    assert first["contact_id"] == second["contact_id"]
    assert first["expires_at"].endswith("Z")
    me = client.get("/v1/me", token=second["token"])
    assert me.status == 200
    assert me.json["contact_id"] == first["contact_id"]
    assert me.json["identities"]["openids"] == {"wx-app": "o-123"}
    assert "tags" not in me.json
    assert "owners" not in me.json


def test_a_unionid_links_a_second_app_to_the_same_contact(client: Client, tenant: str) -> None:
    first = client.member_login(tenant, "dev:o-a:u-1", app_id="wx-a")
    second = client.member_login(tenant, "dev:o-b:u-1", app_id="wx-b")
    assert first["contact_id"] == second["contact_id"]
    me = client.get("/v1/me", token=second["token"]).json
    assert me["identities"]["openids"] == {"wx-a": "o-a", "wx-b": "o-b"}


def test_a_bad_login_code_is_refused(client: Client, tenant: str) -> None:
    answer = client.post("/v1/auth/wechat", json_body={"tenant_id": tenant, "app_id": "wx", "code": "nope"})
    assert answer.status == 401


def test_a_member_changes_only_their_own_profile(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-me")
    answer = client.patch("/v1/me", json_body={"name": "小李", "city": "上海"}, token=member["token"])
    assert answer.status == 200
    assert answer.json["name"] == "小李"
    refused = client.patch("/v1/me", json_body={"tags": ["vip"]}, token=member["token"])
    assert refused.status == 422


def test_bad_input_is_refused_and_writes_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    before = _count_items(tenant)

    malformed = client.post("/v1/contacts", raw=b'{"name": ', token=admin)
    assert malformed.status == 400
    assert malformed.json["type"].endswith("/malformed-body")

    unknown = client.post("/v1/contacts", json_body={"name": "x", "shoe_size": 42}, token=admin)
    assert unknown.status == 422
    assert any(error["loc"][-1] == "shoe_size" for error in unknown.json["errors"])

    invalid = client.post("/v1/contacts", json_body={"gender": "dragon"}, token=admin)
    assert invalid.status == 422
    assert invalid.json["errors"]

    bad_phone = client.post("/v1/contacts", json_body={"phone": "12"}, token=admin)
    assert bad_phone.status == 422

    huge = client.post("/v1/contacts", json_body={"name": "x", "attributes": {"blob": "x" * 300_000}}, token=admin)
    assert huge.status == 413
    assert huge.headers["Content-Type"] == "application/problem+json"

    assert _count_items(tenant) == before


def test_an_identity_belongs_to_one_contact(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    first = create(client, admin, phone="+8613900000001", unionid="u-first")
    # A create naming a held identity is an upsert into the contact that holds it.
    again = client.post("/v1/contacts", json_body={"phone": "13900000001"}, token=admin)
    assert (again.status, again.json["contact_id"]) == (201, first["contact_id"])
    # Unless it also names a different value of an identity that contact holds: two people.
    clash = client.post("/v1/contacts", json_body={"phone": "13900000001", "unionid": "u-other"}, token=admin)
    assert clash.status == 409
    # A patch giving another contact the phone merges the two (the older survives).
    other = create(client, admin, phone="+8613900000002")
    taken = client.patch(f"/v1/contacts/{other['contact_id']}", json_body={"phone": "+8613900000001"}, token=admin)
    assert taken.status == 200
    assert taken.json["contact_id"] == first["contact_id"]
    assert taken.json["merged_from"] == [other["contact_id"]]


def test_concurrent_creates_with_the_same_phone_yield_one_contact(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    statuses: list[int] = []
    ids: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        answer = client.post("/v1/contacts", json_body={"phone": "+8613700000000"}, token=admin)
        statuses.append(answer.status)
        ids.append(answer.json["contact_id"])

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 8  # one creates it, the others upsert into it
    assert len(set(ids)) == 1
    found = client.get("/v1/contacts?phone=13700000000", token=admin).json["items"]
    assert len(found) == 1


def test_idempotency_key_replays_the_first_answer(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    headers = {"Idempotency-Key": "create-42"}
    first = client.post(
        "/v1/contacts", json_body={"name": "a", "phone": "+8613600000000"}, token=admin, headers=headers
    )
    second = client.post(
        "/v1/contacts", json_body={"name": "a", "phone": "+8613600000000"}, token=admin, headers=headers
    )
    assert first.status == second.status == 201
    assert first.json == second.json
    different = client.post("/v1/contacts", json_body={"name": "b"}, token=admin, headers=headers)
    assert different.status == 422
    assert len(client.get("/v1/contacts", token=admin).json["items"]) == 1


def test_tags_owner_and_filters(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = create(client, admin, name="t")
    cid = contact["contact_id"]
    tagged = client.put(f"/v1/contacts/{cid}/tags/高价值", token=admin)
    assert tagged.status == 200
    assert tagged.json["tags"] == ["高价值"]
    assert client.put(f"/v1/contacts/{cid}/tags/高价值", token=admin).json["version"] == tagged.json["version"]
    owned = client.put(f"/v1/contacts/{cid}/owner", json_body={"staff_id": "g-9"}, token=admin)
    assert owned.json["owners"] == {"*": "g-9"}
    branded = client.put(f"/v1/contacts/{cid}/owner", json_body={"staff_id": "g-8", "brand": "kids"}, token=admin)
    assert branded.json["owners"] == {"*": "g-9", "kids": "g-8"}

    create(client, admin, name="other")
    by_tag = client.get("/v1/contacts?tag=%E9%AB%98%E4%BB%B7%E5%80%BC", token=admin).json["items"]
    assert [c["contact_id"] for c in by_tag] == [cid]
    by_owner = client.get("/v1/contacts?owner=g-8", token=admin).json["items"]
    assert [c["contact_id"] for c in by_owner] == [cid]

    untagged = client.delete(f"/v1/contacts/{cid}/tags/高价值", token=admin)
    assert untagged.json["tags"] == []
    assert client.get("/v1/contacts?tag=%E9%AB%98%E4%BB%B7%E5%80%BC", token=admin).json["items"] == []


def test_contacts_are_listed_by_the_campaign_that_acquired_them(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    schedule = {"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}
    campaign_ids = [
        client.post("/v1/campaigns", json_body={"name": n, **schedule}, token=admin).json["campaign_id"] for n in "AB"
    ]
    codes = {
        (cid, guide): client.post(
            f"/v1/campaigns/{cid}/codes", json_body={"channel": "poster", "staff_id": guide}, token=admin
        ).json["code"]
        for cid in campaign_ids
        for guide in ("g1", "g2")
    }
    scanned: dict[tuple[str, str], str] = {}
    for n, (key, code) in enumerate(codes.items()):
        member = client.member_login(tenant, f"dev:o-src-{n}")
        assert client.post("/v1/scans", json_body={"code": code}, token=member["token"]).status == 202
        scanned[key] = member["contact_id"]
    first, second = campaign_ids
    # A later scan of another campaign's code does not change where a contact came from.
    again = client.member_login(tenant, "dev:o-src-0")["token"]
    assert client.post("/v1/scans", json_body={"code": codes[(second, "g1")]}, token=again).status == 202
    create(client, admin, name="walk-in")

    def listed(token: str, query: str) -> set[str]:
        answer = client.get(f"/v1/contacts?{query}", token=token)
        assert answer.status == 200, answer.body
        return {c["contact_id"] for c in answer.json["items"]}

    assert eventually(
        lambda: listed(admin, f"source_campaign={first}") == {scanned[(first, "g1")], scanned[(first, "g2")]}
    )
    assert eventually(
        lambda: listed(admin, f"source_campaign={second}") == {scanned[(second, "g1")], scanned[(second, "g2")]}
    )
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert listed(guide, f"source_campaign={first}") == {scanned[(first, "g1")]}  # a guide sees their own
    assert listed(admin, f"source_campaign={first}&owner=g2") == {scanned[(first, "g2")]}
    assert client.put(f"/v1/contacts/{scanned[(first, 'g2')]}/tags/vip", token=admin).status == 200
    assert listed(admin, f"tag=vip&source_campaign={first}") == {scanned[(first, "g2")]}
    assert listed(admin, f"tag=vip&source_campaign={second}") == set()
    assert client.delete(f"/v1/contacts/{scanned[(first, 'g1')]}", token=admin).status == 204
    assert listed(admin, f"source_campaign={first}") == {scanned[(first, "g2")]}  # erased: gone from the list
    assert listed(admin, "source_campaign=cp_none") == set()
    assert listed(client.staff_token(f"{tenant}-b"), f"source_campaign={first}") == set()
    for bad in ("a%2Fb", "x" * 65, "%20"):
        refused = client.get(f"/v1/contacts?source_campaign={bad}", token=admin)
        assert refused.status == 422, (bad, refused.body)
        assert refused.headers["Content-Type"] == "application/problem+json"


def test_listing_pages_with_an_opaque_cursor(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    created = [create(client, admin, name=f"c{i}")["contact_id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        path = "/v1/contacts?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(path, token=admin).json
        assert len(page["items"]) <= 2
        seen += [c["contact_id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == created  # ids sort by creation time
    assert client.get("/v1/contacts?limit=500", token=admin).status == 422
    other = client.staff_token(f"{tenant}-x")
    first_cursor = client.get("/v1/contacts?limit=2", token=admin).json["next_cursor"]
    assert client.get(f"/v1/contacts?cursor={first_cursor}", token=other).status == 400
    assert client.get("/v1/contacts?cursor=garbage", token=admin).status == 400


def test_erasure_forgets_the_person_and_frees_their_identities(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = create(client, admin, name="gone", phone="+8613500000000", tags=["vip"], owner="g1")
    cid = contact["contact_id"]
    assert client.delete(f"/v1/contacts/{cid}", token=admin).status == 204
    assert client.get(f"/v1/contacts/{cid}", token=admin).status == 404
    assert client.get("/v1/contacts?tag=vip", token=admin).json["items"] == []
    stored = dynamo.get_item(get_settings().table("contacts"), {"pk": f"T#{tenant}#C#{cid}", "sk": "PROFILE"})
    assert stored is not None
    assert stored["erased"] is True
    assert "name" not in stored
    assert "+8613500000000" not in str(stored)
    assert client.post("/v1/contacts", json_body={"phone": "+8613500000000"}, token=admin).status == 201


def test_docs_and_openapi_describe_the_api(client: Client) -> None:
    spec = client.get("/v1/openapi.json")
    assert spec.status == 200
    paths = spec.json["paths"]
    assert "/v1/contacts/{contact_id}" in paths
    assert paths["/v1/contacts"]["post"]["security"] == [{"bearer": []}]
    docs = client.get("/v1/docs")
    assert docs.status == 200
    assert b"swagger" in docs.body.lower()


def test_health(client: Client) -> None:
    assert client.get("/v1/health").json["status"] == "ok"
    for service in ("contacts", "cases", "campaigns", "points"):
        assert client.get(f"/v1/health/{service}").status == 200


def test_patch_changes_only_what_is_sent_and_null_clears(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = create(client, admin, name="n", phone="+8613300000000", attributes={"level": 3}, city="北京")
    path = f"/v1/contacts/{contact['contact_id']}"
    patched = client.patch(path, json_body={"attributes": None, "phone": None, "email": "A@B.CN"}, token=admin)
    assert patched.status == 200, patched.body
    assert patched.json["attributes"] == {}
    assert patched.json["identities"]["phone"] is None
    assert patched.json["identities"]["email"] == "a@b.cn"
    assert patched.json["city"] == "北京"
    assert patched.json["version"] == 2
    assert client.get(path, token=admin).json == patched.json
    assert client.post("/v1/contacts", json_body={"phone": "+8613300000000"}, token=admin).status == 201
    unchanged = client.patch(path, json_body={"city": "北京"}, token=admin)
    assert unchanged.json["version"] == 2
