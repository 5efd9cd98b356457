"""The staff directory: a full sync from the fake WeCom (departments, members, a leader as manager,
a member WeCom stops listing departs, one WeComStaffChanged per real change and none for a sync
that finds nothing new), an admin's roles that survive syncs, change_contact callbacks applied
in order, and the listings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from local.fake_wecom import FAKE
from services.wecom.dal import directory as directory_dal
from services.wecom.handlers import directory_routes  # noqa: F401 - registers the routes (until api.py lists them)
from services.wecom.logic import directory, directory_sync
from shared.events.wecom import WeComCallbackReceived, WeComStaffChanged
from shared.outbox import publish_with
from tests.unit.conftest import Client, eventually
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import ready

Published = list[tuple[str, WeComStaffChanged]]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Published:
    """Every WeComStaffChanged the directory writes, with its tenant (recorded as it joins the
    write's transaction)."""
    seen: Published = []

    def recording(tx: Any, tenant_id: str, *events: Any) -> Any:
        seen.extend((tenant_id, e) for e in events if isinstance(e, WeComStaffChanged))
        return publish_with(tx, tenant_id, *events)

    monkeypatch.setattr("services.wecom.dal.directory.publish_with", recording)
    return seen


def changes(published: Published, tenant: str) -> list[tuple[str, str]]:
    return [(event.staff_id, event.status) for who, event in published if who == tenant]


def sync(client: Client, admin: str) -> dict[str, Any]:
    started = client.post("/v1/wecom/directory/syncs", token=admin)
    assert started.status == 202, started.body
    assert (started.json["kind"], started.json["status"]) == ("directory_sync", "queued")
    path = f"/v1/wecom/jobs/{started.json['job_id']}"
    job = eventually(lambda: (j := client.get(path, token=admin).json)["status"] in ("succeeded", "failed") and j)
    assert job["status"] == "succeeded", job
    return dict(job["result"])


def staff(client: Client, token: str, query: str = "") -> dict[str, dict[str, Any]]:
    answer = client.get(f"/v1/wecom/staff?{query}", token=token)
    assert answer.status == 200, answer.body
    return {item["staff_id"]: item for item in answer.json["items"]}


def test_a_full_sync_stores_the_directory_and_announces_each_real_change_once(
    client: Client, tenant: str, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory_sync, "DEPARTMENTS_PER_STEP", 2)  # steps, and a member listed by two
    admin = ready(client, tenant)
    corp = corp_of(tenant)
    FAKE.script_department(corp, 2, "销售部")
    FAKE.script_department(corp, 3, "华东区", parent_id=2)
    FAKE.script_staff(corp, "lead1", "李经理", [2], is_leader_in_dept=[1])
    FAKE.script_staff(corp, "guide1", "王导购", [3, 2])
    FAKE.script_staff(corp, "off1", "停用者", [1], status=2)
    FAKE.script_staff(corp, "new1", "新人", [3], status=4)

    assert sync(client, admin) == {"departments": 3, "listed": 4, "changed": 4, "departed": 0}
    monkeypatch.setattr(directory_sync, "DEPARTMENTS_PER_STEP", 10)  # one step a sync from here
    found = staff(client, admin)
    assert set(found) == {"lead1", "guide1", "off1", "new1"}
    assert (found["lead1"]["roles"], found["lead1"]["leader_of"], found["lead1"]["managers"]) == (["manager"], [2], [])
    assert (found["guide1"]["roles"], found["guide1"]["managers"]) == (["guide"], ["lead1"])
    assert (found["off1"]["status"], found["new1"]["status"]) == ("disabled", "inactive")
    departments = {d["department_id"]: d for d in client.get("/v1/wecom/departments", token=admin).json["items"]}
    assert (departments[2]["name"], departments[2]["leaders"], departments[3]["parent_id"]) == ("销售部", ["lead1"], 2)
    assert directory_dal.managers_of(tenant, "guide1") == ["lead1"]  # what churn alerts read
    assert sorted(changes(published, tenant)) == [
        ("guide1", "active"),
        ("lead1", "active"),
        ("new1", "inactive"),
        ("off1", "disabled"),
    ]

    # Nothing new: nothing announced.
    assert sync(client, admin)["changed"] == 0
    assert len(changes(published, tenant)) == 4

    # A member WeCom no longer lists departs; a renamed one is announced once; the rest are quiet.
    del FAKE.corp(corp).users["guide1"]
    FAKE.script_staff(corp, "lead1", "李总", [2], is_leader_in_dept=[1])
    # Unlisted is not gone: a member outside the listed departments whom WeCom still knows stays.
    FAKE.corp(corp).users["off1"]["department"] = [99]
    assert sync(client, admin) == {"departments": 3, "listed": 2, "changed": 2, "departed": 1}
    assert changes(published, tenant)[4:] == [("lead1", "active"), ("guide1", "departed")]
    found = staff(client, admin, "status=departed")
    assert list(found) == ["guide1"]
    assert staff(client, admin, "department_id=3&status=active") == {}
    assert set(staff(client, admin, "department_id=3")) == {"guide1", "new1"}


def test_an_admins_roles_win_over_the_default_and_survive_syncs(
    client: Client, tenant: str, published: Published
) -> None:
    admin = ready(client, tenant)
    corp = corp_of(tenant)
    FAKE.script_staff(corp, "lead2", "组长", [2], is_leader_in_dept=[1])
    FAKE.script_staff(corp, "guide2", "导购", [2])
    sync(client, admin)
    changed = client.put("/v1/wecom/staff/guide2/roles", json_body={"roles": ["agent", "guide"]}, token=admin)
    assert changed.status == 200, changed.body
    assert (changed.json["roles"], changed.json["roles_overridden"]) == (["agent", "guide"], True)
    assert changes(published, tenant)[-1] == ("guide2", "active")
    assert [event for who, event in published if who == tenant][-1].roles == ["agent", "guide"]
    # The next syncs keep the override, even when WeCom makes them a leader.
    FAKE.script_staff(corp, "guide2", "导购", [2], is_leader_in_dept=[1])
    sync(client, admin)
    member = client.get("/v1/wecom/staff/guide2", token=admin).json
    assert (member["roles"], member["leader_of"]) == (["agent", "guide"], [2])
    # Back to the default: a leader is a manager.
    reset = client.put("/v1/wecom/staff/guide2/roles", json_body={"roles": None}, token=admin)
    assert (reset.json["roles"], reset.json["roles_overridden"]) == (["manager"], False)
    # Refusals.
    assert client.put("/v1/wecom/staff/nobody/roles", json_body={"roles": ["admin"]}, token=admin).status == 404
    bad = client.put("/v1/wecom/staff/guide2/roles", json_body={"roles": ["owner"]}, token=admin)
    assert bad.status == 422
    assert client.put("/v1/wecom/staff/guide2/roles", json_body={"roles": []}, token=admin).status == 422
    manager = client.staff_token(tenant, "m1", ("manager",))
    assert client.put("/v1/wecom/staff/guide2/roles", json_body={"roles": ["admin"]}, token=manager).status == 403
    assert client.get("/v1/wecom/staff/guide2", token=manager).status == 200
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get("/v1/wecom/staff", token=guide).status == 403
    assert client.get("/v1/wecom/staff?status=gone", token=manager).status == 422
    assert client.get("/v1/wecom/staff?cursor=bogus", token=manager).status == 400


def callback(tenant: str, change: str, at: int, **fields: str) -> tuple[str, WeComCallbackReceived]:
    event = WeComCallbackReceived(
        callback_id=uuid.uuid4().hex,
        corp_id=corp_of(tenant),
        kind=f"change_contact/{change}",
        created_at=datetime.fromtimestamp(at, UTC),
        fields={"Event": "change_contact", "ChangeType": change, **fields},
    )
    return f"evt_{uuid.uuid4().hex}", event


def apply(tenant: str, change: str, at: int, **fields: str) -> None:
    directory.apply(tenant, *callback(tenant, change, at, **fields))


def test_change_contact_callbacks_keep_the_directory_in_order(
    client: Client, tenant: str, published: Published
) -> None:
    admin = ready(client, tenant)
    at = int(datetime.now(UTC).timestamp())
    apply(tenant, "create_party", at, Id="5", Name="直营店", ParentId="1", Order="10")
    apply(tenant, "create_user", at, UserID="u2", Name="李四", Department="5", IsLeaderInDept="1", Status="1")
    apply(tenant, "create_user", at, UserID="u1", Name="张三", Department="5", IsLeaderInDept="0", Status="1")
    member = client.get("/v1/wecom/staff/u1", token=admin).json
    assert (member["name"], member["status"], member["department_ids"]) == ("张三", "active", [5])
    assert (member["roles"], member["managers"]) == (["guide"], ["u2"])
    assert client.get("/v1/wecom/staff/u2", token=admin).json["roles"] == ["manager"]
    assert client.get("/v1/wecom/departments", token=admin).json["items"][0]["leaders"] == ["u2"]
    # The same callback again changes nothing and announces nothing.
    apply(tenant, "create_user", at, UserID="u1", Name="张三", Department="5", IsLeaderInDept="0", Status="1")
    assert changes(published, tenant) == [("u2", "active"), ("u1", "active")]
    # A later update applies; an older one that arrives after it does not.
    apply(tenant, "update_user", at + 10, UserID="u1", Name="张三丰", Status="2")
    apply(tenant, "update_user", at + 5, UserID="u1", Name="旧名")
    member = client.get("/v1/wecom/staff/u1", token=admin).json
    assert (member["name"], member["status"]) == ("张三丰", "disabled")
    # Leaving the corp: departed, announced once.
    apply(tenant, "delete_user", at + 20, UserID="u1")
    apply(tenant, "delete_user", at + 20, UserID="u1")
    assert client.get("/v1/wecom/staff/u1", token=admin).json["status"] == "departed"
    assert changes(published, tenant)[2:] == [("u1", "disabled"), ("u1", "departed")]
    # Departments: renamed, then deleted.
    apply(tenant, "update_party", at + 30, Id="5", Name="旗舰店")
    assert client.get("/v1/wecom/departments", token=admin).json["items"][0]["name"] == "旗舰店"
    apply(tenant, "delete_party", at + 40, Id="5")
    assert client.get("/v1/wecom/departments", token=admin).json["items"] == []
