"""Customer groups (客户群): a sync from the fake WeCom, member diffs from change_external_chat
callbacks (counted per day once, however often and in whatever order they arrive), owner
changes, dismissal, and who may see which group."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from local.fake_wecom import FAKE
from services.wecom.logic import groups
from shared.clock import now_epoch
from shared.events.wecom import WeComCallbackReceived
from tests.unit.conftest import Client, eventually
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import customer, ready

FAKE_PATH = "/v1/dev/wecom"


def script_group(client: Client, tenant: str, chat_id: str, owner: str, members: list[str]) -> None:
    body = {"corp_id": corp_of(tenant), "chat_id": chat_id, "name": "会员福利群", "owner": owner, "members": members}
    assert client.post(f"{FAKE_PATH}/groups", json_body=body).status == 200


def deliver(tenant: str, fields: dict[str, str], event_id: str | None = None) -> None:
    """What the wecom-callbacks consumer does with the callback WeCom sent for ``fields``."""
    callback = WeComCallbackReceived(
        callback_id=uuid.uuid4().hex,
        corp_id=corp_of(tenant),
        kind=f"{fields['Event']}/{fields['ChangeType']}",
        created_at=datetime.fromtimestamp(int(fields["CreateTime"]), UTC),
        fields=fields,
    )
    groups.apply(tenant, event_id or uuid.uuid4().hex, callback)


def group(client: Client, token: str, chat_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/wecom/groups/{chat_id}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def members(client: Client, token: str, chat_id: str) -> dict[str, dict[str, Any]]:
    answer = client.get(f"/v1/wecom/groups/{chat_id}/members", token=token)
    assert answer.status == 200, answer.body
    return {member["userid"]: member for member in answer.json["items"]}


def today(client: Client, token: str, query: str) -> tuple[int, int]:
    answer = client.get(f"/v1/wecom/group-activity?{query}", token=token)
    assert answer.status == 200, answer.body
    return answer.json["joins"], answer.json["leaves"]


def test_a_sync_stores_the_groups_and_their_members(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "zhangsan")
    buyers = [customer(client, tenant, "王芳"), customer(client, tenant, "赵六")]
    script_group(client, tenant, "wrSync1", "zhangsan", buyers)
    started = client.post("/v1/wecom/groups/syncs", token=admin)
    assert started.status == 202, started.body
    job_id = started.json["job_id"]
    assert started.json["kind"] == "group_sync"
    done = eventually(
        lambda: (job := client.get(f"/v1/wecom/jobs/{job_id}", token=admin).json)["status"] == "succeeded" and job
    )
    assert done["result"]["groups"] == 1
    [listed] = client.get("/v1/wecom/groups", token=admin).json["items"]
    assert (listed["chat_id"], listed["owner"], listed["name"], listed["member_count"]) == (
        "wrSync1",
        "zhangsan",
        "会员福利群",
        3,
    )
    found = members(client, admin, "wrSync1")
    assert {userid: m["type"] for userid, m in found.items()} == {
        "zhangsan": "staff",
        buyers[0]: "customer",
        buyers[1]: "customer",
    }
    assert found[buyers[0]]["name"] == "王芳"
    assert today(client, admin, "chat_id=wrSync1") == (3, 0)


def test_member_diffs_from_callbacks_are_counted_once_in_any_order(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "zhangsan")
    corp = corp_of(tenant)
    script_group(client, tenant, "wrDiff1", "zhangsan", [])
    deliver(tenant, FAKE.group_created(corp, "wrDiff1"))
    assert group(client, admin, "wrDiff1")["member_count"] == 1  # the owner
    first, second = customer(client, tenant), customer(client, tenant)

    joined = FAKE.group_members_change(corp, "wrDiff1", [first, second], joined=True, scene=3)
    assert joined["MemChangeList"] == f"{first},{second}"
    deliver(tenant, joined)
    deliver(tenant, joined)  # WeCom delivered it again: nothing more
    found = members(client, admin, "wrDiff1")
    assert set(found) == {"zhangsan", first, second}
    assert found[first]["join_scene"] == 3
    assert group(client, admin, "wrDiff1")["member_count"] == 3
    assert today(client, admin, "chat_id=wrDiff1") == (3, 0)

    left = FAKE.group_members_change(corp, "wrDiff1", [first], joined=False, scene=1)
    assert (left["UpdateDetail"], left["QuitScene"]) == ("del_member", "1")
    deliver(tenant, left)
    deliver(tenant, left)
    assert set(members(client, admin, "wrDiff1")) == {"zhangsan", second}
    assert group(client, admin, "wrDiff1")["member_count"] == 2
    assert today(client, admin, "chat_id=wrDiff1") == (3, 1)

    # A leave delivered before its join: the member ends out, and both are counted once.
    late = customer(client, tenant)
    at = int(now_epoch())
    base = {k: v for k, v in joined.items() if k not in ("CreateTime", "MemChangeList", "UpdateDetail")}
    leave = base | {"CreateTime": str(at + 5), "UpdateDetail": "del_member", "MemChangeList": late, "MemChangeCnt": "1"}
    join = base | {"CreateTime": str(at + 2), "UpdateDetail": "add_member", "MemChangeList": late, "MemChangeCnt": "1"}
    deliver(tenant, leave)
    deliver(tenant, join)
    deliver(tenant, join)
    assert late not in members(client, admin, "wrDiff1")
    assert group(client, admin, "wrDiff1")["member_count"] == 2
    assert today(client, admin, "chat_id=wrDiff1") == (4, 2)
    assert today(client, admin, "owner=zhangsan") == (4, 2)
    assert today(client, admin, "") == (4, 2)


def test_an_owner_change_moves_the_group_and_a_dismissal_is_final(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "zhangsan", "lisi")
    corp = corp_of(tenant)
    buyer = customer(client, tenant)
    script_group(client, tenant, "wrOwner1", "zhangsan", [buyer])
    created = FAKE.group_created(corp, "wrOwner1")
    deliver(tenant, created)
    zhangsan = client.staff_token(tenant, "zhangsan", ("guide",))
    lisi = client.staff_token(tenant, "lisi", ("guide",))
    assert [g["chat_id"] for g in client.get("/v1/wecom/groups", token=zhangsan).json["items"]] == ["wrOwner1"]
    assert client.get("/v1/wecom/groups?owner=zhangsan", token=lisi).status == 403
    assert client.get("/v1/wecom/groups/wrOwner1", token=lisi).status == 404

    deliver(tenant, FAKE.group_details_change(corp, "wrOwner1", owner="lisi"))
    assert group(client, admin, "wrOwner1")["owner"] == "lisi"
    assert "lisi" in members(client, lisi, "wrOwner1")
    assert client.get("/v1/wecom/groups", token=zhangsan).json["items"] == []
    assert client.get("/v1/wecom/groups/wrOwner1", token=zhangsan).status == 404
    assert [g["chat_id"] for g in client.get("/v1/wecom/groups", token=lisi).json["items"]] == ["wrOwner1"]

    joined = FAKE.group_members_change(corp, "wrOwner1", [customer(client, tenant)], joined=True)
    deliver(tenant, FAKE.group_dismissed(corp, "wrOwner1"))
    deliver(tenant, joined)  # older than the dismissal, delivered after it
    deliver(tenant, created)
    dismissed = group(client, admin, "wrOwner1")
    assert dismissed["status"] == "dismissed"
    assert dismissed["dismissed_at"] is not None
    assert dismissed["member_count"] == 3  # the owner, the customer and lisi: the late join changed nothing


def test_activity_window_and_filters_are_checked(client: Client, tenant: str) -> None:
    ready(client, tenant)
    guide = client.staff_token(tenant, "zhangsan", ("guide",))
    assert client.get("/v1/wecom/group-activity?from=2024-03-02&to=2024-03-01", token=guide).status == 422
    assert client.get("/v1/wecom/group-activity?from=2023-01-01&to=2024-03-01", token=guide).status == 422
    assert client.get("/v1/wecom/group-activity?owner=lisi", token=guide).status == 403
    week = client.get("/v1/wecom/group-activity?from=2024-03-01&to=2024-03-07", token=guide)
    assert week.status == 200, week.body
    assert [day["date"] for day in week.json["items"]][::6] == ["2024-03-01", "2024-03-07"]
    assert (week.json["joins"], week.json["leaves"]) == (0, 0)
