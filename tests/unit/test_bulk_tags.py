"""Bulk tagging as a job: a tag set on listed contacts or a segment's members
in bounded batches, single-choice groups respected, idempotent when repeated (a tag already there
writes nothing), unknown and erased ids reported; bad input refused without a 500."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import bulk_tags
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_import import finished, upload
from tests.unit.test_contacts_merge import published
from tests.unit.test_contacts_timeline import create


def run(client: Client, token: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/contacts/bulk-tags", json_body=body, token=token)
    assert answer.status == 202, answer.body
    assert answer.json["kind"] == "bulk_tag"
    job = finished(client, token, answer.json["job_id"])
    assert job["status"] == "succeeded", job
    return job


def tags_of(client: Client, token: str, contact_id: str) -> list[str]:
    return list(client.get(f"/v1/contacts/{contact_id}", token=token).json["tags"])


def test_listed_contacts_are_tagged_once_single_choice_respected_failures_reported(
    client: Client, tenant: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr(bulk_tags, "BATCH", 2)  # several batches (and the cursor between them)
    admin = client.staff_token(tenant)
    group = {"name": "会员等级", "single_choice": True, "tags": ["金卡", "银卡"]}
    assert client.post("/v1/tag-groups", json_body=group, token=admin).status == 201
    silver = create(client, admin, name="银", tags=["银卡", "vip"])
    plain = create(client, admin, name="Plain")
    gone = create(client, admin, name="Gone")
    assert client.delete(f"/v1/contacts/{gone}", token=admin).status == 204
    ids = [silver, plain, "c_unknown", gone, plain]

    job = run(client, admin, {"tag": "金卡", "action": "add", "contact_ids": ids})
    assert {k: job["result"][k] for k in ("tagged", "unchanged", "failed")} == {
        "tagged": 2,
        "unchanged": 0,
        "failed": 2,
    }
    failures = {failure["contact_id"]: failure["reason"] for failure in job["result"]["failures"]}
    assert failures == {gone: "erased", "c_unknown": "unknown"}
    assert job["progress"] == {"total": 4, "done": 4, "failed": 2}  # the repeated id listed once
    assert sorted(tags_of(client, admin, silver)) == ["vip", "金卡"]  # 银卡 gave way (single choice)
    assert tags_of(client, admin, plain) == ["金卡"]
    tagged_events = len(published(tenant, "ContactTagged"))

    again = run(client, admin, {"tag": "金卡", "action": "add", "contact_ids": [silver, plain]})
    assert {k: again["result"][k] for k in ("tagged", "unchanged", "failed")} == {
        "tagged": 0,
        "unchanged": 2,
        "failed": 0,
    }
    assert len(published(tenant, "ContactTagged")) == tagged_events  # nothing written, nothing published


def test_a_segments_members_lose_a_tag_and_others_keep_it(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    first, second, outside = (create(client, admin, name=n, tags=["promo"]) for n in ("A", "B", "C"))
    segment = client.post(
        "/v1/segments", json_body={"name": "list", "kind": "static", "contact_ids": [first, second]}, token=admin
    )
    assert segment.status == 201, segment.body
    segment_id = segment.json["segment_id"]
    eventually(lambda: client.get(f"/v1/segments/{segment_id}", token=admin).json["count"] == 2 or None)

    job = run(client, admin, {"tag": "promo", "action": "remove", "segment_id": segment_id})
    assert job["result"]["tagged"] == 2
    assert job["result"]["failed"] == 0
    assert tags_of(client, admin, first) == []
    assert tags_of(client, admin, second) == []
    assert tags_of(client, admin, outside) == ["promo"]


def test_bad_requests_are_refused_and_start_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="X")
    other_tenant_segment = client.post(
        "/v1/segments",
        json_body={"name": "theirs", "kind": "static", "contact_ids": []},
        token=client.staff_token(f"{tenant}-other"),
    ).json["segment_id"]
    cases: list[tuple[dict[str, Any], int]] = [
        ({"tag": "x", "action": "add", "segment_id": "sg_nope"}, 404),
        ({"tag": "x", "action": "add", "segment_id": other_tenant_segment}, 404),
        ({"tag": "x", "action": "add"}, 422),  # no target
        ({"tag": "x", "action": "add", "segment_id": "sg_1", "contact_ids": [contact_id]}, 422),  # two
        ({"tag": "x", "action": "add", "contact_ids": [f"c{i}" for i in range(1001)]}, 422),
        ({"tag": "x", "action": "add", "contact_ids": []}, 422),
        ({"tag": "a/b", "action": "add", "contact_ids": [contact_id]}, 422),
        ({"tag": "x", "action": "toggle", "contact_ids": [contact_id]}, 422),
    ]
    for body, status in cases:
        answer = client.post("/v1/contacts/bulk-tags", json_body=body, token=admin)
        assert answer.status == status, (body, answer.body)
        assert answer.headers["Content-Type"] == "application/problem+json"
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert (
        client.post(
            "/v1/contacts/bulk-tags", json_body={"tag": "x", "action": "add", "contact_ids": [contact_id]}, token=guide
        ).status
        == 403
    )
    assert client.get("/v1/jobs?kind=bulk_tag", token=admin).json["items"] == []


def test_a_long_list_comes_as_a_file_uploaded_then_started(client: Client, tenant: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(bulk_tags, "BATCH", 2)
    admin = client.staff_token(tenant)
    ids = [create(client, admin, name=f"F{n}") for n in range(3)]
    created = client.post(
        "/v1/contacts/bulk-tags/uploads",
        json_body={"tag": "导入", "action": "add", "file_name": "ids.csv"},
        token=admin,
    )
    assert created.status == 201, created.body
    job_id = created.json["job"]["job_id"]
    early = client.post(f"/v1/contacts/bulk-tags/{job_id}/start", token=admin)
    assert early.status == 409
    assert early.json["reason"] == "file_missing"
    lines = ["\ufeffcontact_id", ids[0], "", ids[1], "not an id!", ids[2], ids[0]]
    assert upload(created.json["upload_url"], "\r\n".join(lines).encode()) == 200
    started = client.post(f"/v1/contacts/bulk-tags/{job_id}/start", token=admin)
    assert started.status == 202, started.body
    assert client.post(f"/v1/contacts/bulk-tags/{job_id}/start", token=admin).status == 409  # once
    job = finished(client, admin, job_id)
    assert job["status"] == "succeeded", job
    assert {k: job["result"][k] for k in ("tagged", "unchanged", "failed")} == {
        "tagged": 3,
        "unchanged": 1,
        "failed": 1,
    }
    assert job["result"]["failures"] == [{"contact_id": "not an id!", "reason": "invalid"}]
    assert job["progress"]["total"] == 5
    assert all(tags_of(client, admin, contact_id) == ["导入"] for contact_id in ids)


def test_a_file_over_the_limit_fails_before_anyone_is_tagged(client: Client, tenant: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(bulk_tags, "MAX_FILE_IDS", 2)
    admin = client.staff_token(tenant)
    ids = [create(client, admin, name=f"L{n}") for n in range(3)]
    created = client.post(
        "/v1/contacts/bulk-tags/uploads", json_body={"tag": "big", "action": "add", "file_name": "ids.csv"}, token=admin
    ).json
    assert upload(created["upload_url"], "\n".join(ids).encode()) == 200
    assert client.post(f"/v1/contacts/bulk-tags/{created['job']['job_id']}/start", token=admin).status == 202
    job = finished(client, admin, created["job"]["job_id"])
    assert job["status"] == "failed"
    assert "more than 2 ids" in job["error"]
    assert all(tags_of(client, admin, contact_id) == [] for contact_id in ids)
