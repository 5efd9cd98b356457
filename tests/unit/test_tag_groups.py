"""Tag groups: a tenant's tags live in groups (兴趣, 肤质, 会员等级…); a tag
belongs to at most one group; a single-choice group lets a contact hold one of its tags (setting
one removes the others in the same write). Tags in no group stay allowed (free tags).

Routes are driven through the in-process stack; events are read from the outbox the contact's
transaction wrote (``published``)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from services.contacts.logic import tag_groups
from services.contacts.rule_models import MAX_GROUP_TAGS, TagClaim
from tests.unit.conftest import Client
from tests.unit.test_contacts_merge import published, tenant_items


def make_group(client: Client, token: str, name: str, tags: list[str], *, single_choice: bool = False) -> Any:
    return client.post(
        "/v1/tag-groups", json_body={"name": name, "tags": tags, "single_choice": single_choice}, token=token
    )


def group_of(client: Client, token: str, name: str, tags: list[str], *, single_choice: bool = False) -> str:
    answer = make_group(client, token, name, tags, single_choice=single_choice)
    assert answer.status == 201, answer.body
    return str(answer.json["group_id"])


def new_contact(client: Client, token: str, **fields: Any) -> dict[str, Any]:
    answer = client.post("/v1/contacts", json_body={"name": "Tagged", **fields}, token=token)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def setup_items(tenant: str) -> list[dict[str, Any]]:
    """The tenant's groups, rules, counters and tag claims as stored."""
    return [item for item in tenant_items(tenant) if item.get("kind") in ("tag_group", "tag_rule", "tag_claim")]


def test_writers_keep_groups_every_role_reads_them_and_a_tag_moves_between_groups(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    manager = client.staff_token(tenant, "m1", ("manager",))
    skin = group_of(client, manager, "肤质", ["干性", "油性"])
    interests = group_of(client, admin, "兴趣", ["运动"])

    for role in ("agent", "guide"):
        reader = client.staff_token(tenant, f"r-{role}", (role,))
        listed = client.get("/v1/tag-groups", token=reader)
        assert listed.status == 200, listed.body
        assert [(g["name"], g["tags"], g["single_choice"]) for g in listed.json["items"]] == [
            ("肤质", ["干性", "油性"], False),
            ("兴趣", ["运动"], False),
        ]
        assert client.get(f"/v1/tag-groups/{skin}", token=reader).json["tags"] == ["干性", "油性"]
        assert make_group(client, reader, "会员", ["金卡"]).status == 403
        assert client.delete(f"/v1/tag-groups/{skin}", token=reader).status == 403
    other_tenant = client.staff_token(f"{tenant}-other")
    assert client.get(f"/v1/tag-groups/{skin}", token=other_tenant).status == 404
    assert client.get("/v1/tag-groups", token=other_tenant).json["items"] == []

    # 油性 leaves 肤质 and is free again: 兴趣 may take it; 干性 stays 肤质's.
    replaced = client.put(
        f"/v1/tag-groups/{skin}",
        json_body={"name": "肤质", "tags": ["干性", "中性"], "single_choice": True},
        token=admin,
    )
    assert replaced.status == 200, replaced.body
    assert (replaced.json["tags"], replaced.json["single_choice"], replaced.json["version"]) == (
        ["干性", "中性"],
        True,
        2,
    )
    moved = client.put(f"/v1/tag-groups/{interests}", json_body={"name": "兴趣", "tags": ["运动", "油性"]}, token=admin)
    assert moved.status == 200, moved.body
    assert tag_groups.claim_of(tenant, "油性") == TagClaim(
        tag="油性", group_id=interests, single_choice=False, tags=["运动", "油性"], group_version=2
    )
    assert tag_groups.claim_of(tenant, "中性") == TagClaim(
        tag="中性", group_id=skin, single_choice=True, tags=["干性", "中性"], group_version=2
    )

    # Deleting a group releases its tags (contacts keep theirs).
    contact = new_contact(client, admin, tags=["干性"])
    assert client.delete(f"/v1/tag-groups/{skin}", token=admin).status == 204
    assert client.get(f"/v1/tag-groups/{skin}", token=admin).status == 404
    assert client.delete(f"/v1/tag-groups/{skin}", token=admin).status == 404
    assert tag_groups.claim_of(tenant, "干性") is None
    assert client.get(f"/v1/contacts/{contact['contact_id']}", token=admin).json["tags"] == ["干性"]
    assert group_of(client, admin, "新肤质", ["干性", "中性"])
    assert [g["name"] for g in client.get("/v1/tag-groups", token=admin).json["items"]] == ["兴趣", "新肤质"]


def test_a_tag_belongs_to_one_group_and_a_refused_write_changes_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    levels = group_of(client, admin, "会员等级", ["银卡", "金卡"], single_choice=True)
    before = setup_items(tenant)

    taken = make_group(client, admin, "等级", ["钻石", "金卡"])
    assert taken.status == 409, taken.body
    assert taken.json["reason"] == "tag_in_another_group"
    assert taken.json["errors"][0]["loc"] == ["body", "tags", "1"]
    assert setup_items(tenant) == before  # 钻石 was not claimed either

    other = group_of(client, admin, "其他", ["钻石"])
    before = setup_items(tenant)
    grabbing = client.put(f"/v1/tag-groups/{other}", json_body={"name": "其他", "tags": ["钻石", "银卡"]}, token=admin)
    assert grabbing.status == 409, grabbing.body
    assert grabbing.json["errors"][0]["loc"] == ["body", "tags", "1"]
    assert setup_items(tenant) == before
    assert client.get(f"/v1/tag-groups/{levels}", token=admin).json["version"] == 1


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "空", "tags": []}, ["body", "tags"]),
        ({"name": "重复", "tags": ["a", "a"]}, ["body", "tags"]),
        ({"name": "多", "tags": [f"t{i}" for i in range(MAX_GROUP_TAGS + 1)]}, ["body", "tags"]),
        ({"name": "坏", "tags": ["a#b"]}, ["body", "tags", "0"]),
        ({"name": " ", "tags": ["a"]}, ["body", "name"]),
        ({"name": "x", "tags": ["a"], "single_choice": "yes"}, ["body", "single_choice"]),
        ({"name": "x", "tags": ["a"], "colour": "red"}, ["body", "colour"]),
    ],
)
def test_a_bad_group_is_refused_with_its_location(client: Client, tenant: str, body: Any, loc: list[str]) -> None:
    admin = client.staff_token(tenant)
    answer = client.post("/v1/tag-groups", json_body=body, token=admin)
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert loc in [error["loc"] for error in answer.json["errors"]]
    assert setup_items(tenant) == []


def test_two_groups_claiming_one_tag_at_once_one_wins(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    for round_ in range(3):
        tag = f"争{round_}"
        start = threading.Barrier(2)
        answers: dict[str, int] = {}

        def claim(
            name: str, tag: str = tag, start: threading.Barrier = start, answers: dict[str, int] = answers
        ) -> None:
            start.wait()
            answers[name] = make_group(client, admin, name, [f"{name}-own", tag]).status

        threads = [threading.Thread(target=claim, args=(f"g{round_}{side}",)) for side in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers.values()) == [201, 409]
        winner = next(name for name, status in answers.items() if status == 201)
        loser = next(name for name, status in answers.items() if status == 409)
        owners = [g for g in client.get("/v1/tag-groups", token=admin).json["items"] if tag in g["tags"]]
        assert [g["name"] for g in owners] == [winner]
        claim_now = tag_groups.claim_of(tenant, tag)
        assert claim_now is not None
        assert claim_now.group_id == owners[0]["group_id"]
        assert tag_groups.claim_of(tenant, f"{loser}-own") is None  # the losing group claimed nothing


def test_a_single_choice_tag_replaces_its_siblings_in_one_write(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    group_of(client, admin, "会员等级", ["银卡", "金卡", "钻石"], single_choice=True)
    group_of(client, admin, "兴趣", ["运动", "美妆"])  # not single choice: its tags add up
    contact = new_contact(client, admin, tags=["银卡", "VIP"])
    contact_id = contact["contact_id"]

    answer = client.put(f"/v1/contacts/{contact_id}/tags/金卡", token=admin)
    assert answer.status == 200, answer.body
    assert answer.json["tags"] == ["VIP", "金卡"]
    assert answer.json["version"] == contact["version"] + 1  # one save
    assert [e["tag"] for e in published(tenant, "ContactTagged")] == ["金卡"]
    assert [(e["tag"], e["version"]) for e in published(tenant, "ContactUntagged")] == [
        ("银卡", answer.json["version"])
    ]
    # The tag index follows: listed under 金卡, no longer under 银卡.
    assert [c["contact_id"] for c in client.get("/v1/contacts?tag=金卡", token=admin).json["items"]] == [contact_id]
    assert client.get("/v1/contacts?tag=银卡", token=admin).json["items"] == []

    # Again: nothing written, nothing announced.
    again = client.put(f"/v1/contacts/{contact_id}/tags/金卡", token=admin)
    assert again.json["version"] == answer.json["version"]
    assert len(published(tenant, "ContactTagged")) == 1

    # Tags of a multiple-choice group and free tags add up; a free tag never seen before is fine.
    for tag in ("运动", "美妆", "从未见过"):
        assert client.put(f"/v1/contacts/{contact_id}/tags/{tag}", token=admin).status == 200
    final = client.get(f"/v1/contacts/{contact_id}", token=admin).json
    assert final["tags"] == sorted(["VIP", "金卡", "运动", "美妆", "从未见过"])
    # A guide tags the customers they own the same way.
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.put(f"/v1/contacts/{contact_id}/owner", json_body={"staff_id": "g1"}, token=admin).status == 200
    assert client.put(f"/v1/contacts/{contact_id}/tags/钻石", token=guide).json["tags"] == sorted(
        ["VIP", "钻石", "运动", "美妆", "从未见过"]
    )


def test_a_tag_change_decided_on_a_stale_group_is_refused(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contact's write holds only while the tag's claim is as read: a group changed between
    the read and the write (here: always, as if every read were stale) makes it fail, not land."""
    admin = client.staff_token(tenant)
    group_id = group_of(client, admin, "会员等级", ["银卡", "金卡"], single_choice=True)
    contact = new_contact(client, admin, tags=["银卡"])
    stale = TagClaim(tag="金卡", group_id=group_id, single_choice=False, tags=["金卡"], group_version=0)
    monkeypatch.setattr(tag_groups, "claim_of", lambda tenant_id, tag: stale)
    answer = client.put(f"/v1/contacts/{contact['contact_id']}/tags/金卡", token=admin)
    assert answer.status == 409, answer.body
    monkeypatch.undo()
    assert client.get(f"/v1/contacts/{contact['contact_id']}", token=admin).json["tags"] == ["银卡"]
    assert published(tenant, "ContactTagged") == []
    assert client.put(f"/v1/contacts/{contact['contact_id']}/tags/金卡", token=admin).json["tags"] == ["金卡"]


def test_ids_of_unknown_groups_are_not_found(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    unknown = f"tg_{uuid.uuid4().hex}"
    assert client.get(f"/v1/tag-groups/{unknown}", token=admin).status == 404
    body = {"name": "x", "tags": ["a"]}
    assert client.put(f"/v1/tag-groups/{unknown}", json_body=body, token=admin).status == 404
    assert client.delete(f"/v1/tag-groups/{unknown}", token=admin).status == 404
    assert setup_items(tenant) == []


def test_a_contact_keeps_one_tag_of_a_single_choice_group_when_created_merged_or_imported(
    client: Client, tenant: str
) -> None:
    from tests.unit.test_contacts_import import HEADER, run_import

    admin = client.staff_token(tenant)
    group_of(client, admin, "会员等级", ["银卡", "金卡"], single_choice=True)
    group_of(client, admin, "兴趣", ["运动", "美妆"])
    # Created naming two of the group: the last named stands; other tags add up.
    created = new_contact(client, admin, tags=["银卡", "运动", "金卡", "美妆"])
    assert created["tags"] == sorted(["金卡", "运动", "美妆"])

    # Merged: the survivor's choice stands; the alias's other tags join it.
    older = new_contact(client, admin, tags=["银卡"], phone="13700000001")
    newer = new_contact(client, admin, tags=["金卡", "运动"])
    merged = client.post(
        f"/v1/contacts/{older['contact_id']}/merge",
        json_body={"from_contact_id": newer["contact_id"], "reason": "same person"},
        token=admin,
    )
    assert merged.status == 200, merged.body
    assert merged.json["tags"] == sorted(["银卡", "运动"])

    # Imported: a row keeps the last tag it names of the group; a row for a contact holding one
    # of them leaves that one.
    rows = "甲,13700000002,,银卡|金卡|运动\n,13700000001,,金卡|美妆\n"
    job = run_import(client, admin, (HEADER + rows).encode(), tenant=tenant)
    assert (job["result"]["created"], job["result"]["updated"]) == (1, 1), job
    found = client.get("/v1/contacts?phone=%2B8613700000002", token=admin).json["items"]
    assert [c["tags"] for c in found] == [sorted(["金卡", "运动"])]
    again = client.get(f"/v1/contacts/{older['contact_id']}", token=admin).json
    assert again["tags"] == sorted(["银卡", "运动", "美妆"])
