"""Channel codes that are WeCom contact ways (联系我): one contact way per code made at WeCom, the
adds through it scans of the code attributed to the member added, each member's daily add limit
taking them out of the rotation until the next business day."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from services.wecom.logic import contact_ways
from services.wecom.service import CONTACT_WAYS_CONSUMER
from shared.clock import rfc3339, utc_now
from tests.unit.conftest import Client, eventually
from tests.unit.test_campaigns_api import campaign, code
from tests.unit.test_merge_followers import deliver
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import FAKE, calls, customer, ready

WAYS = "/v1/wecom/contact-ways"


def wecom_code(client: Client, admin: str, staff: list[str], limit: int | None = None) -> tuple[str, str]:
    """A campaign and a code of it that is a contact way of ``staff``: (campaign id, code)."""
    cid = campaign(client, admin)["campaign_id"]
    made = code(client, admin, cid, channel="企微活码", wecom={"staff_ids": staff, "daily_add_limit": limit})
    assert made["wecom"] == {"staff_ids": staff, "daily_add_limit": limit}
    return cid, made["code"]


def way_of(client: Client, admin: str, code_value: str, status: str = "ready") -> dict[str, Any]:
    def made() -> dict[str, Any] | None:
        answer = client.get(f"{WAYS}/{code_value}", token=admin)
        return answer.json if answer.status == 200 and answer.json["status"] == status else None

    return dict(eventually(made))


def fake_way(client: Client, tenant: str, code_value: str) -> dict[str, Any]:
    [made] = [
        c for c in calls(client, tenant, "/cgi-bin/externalcontact/add_contact_way") if c["body"]["state"] == code_value
    ]
    return dict(made)


def scan(client: Client, tenant: str, config_id: str, userid: str) -> Any:
    """A customer scans the contact way's QR code and WeCom hands them to ``userid``."""
    body = {
        "tenant_id": tenant,
        "action": "add",
        "config_id": config_id,
        "userid": userid,
        "external_userid": customer(client, tenant),
    }
    return client.post(f"{FAKE}/relationships", json_body=body)


def serving_at_wecom(client: Client, tenant: str) -> list[list[str]]:
    return [c["body"]["user"] for c in calls(client, tenant, "/cgi-bin/externalcontact/update_contact_way")]


def today_of(view: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    return {row["staff_id"]: (row["adds"], row["full"]) for row in view["today"]}


def test_a_member_at_the_daily_limit_leaves_the_rotation_until_the_next_day(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "g1", "g2")
    cid, made = wecom_code(client, admin, ["g1", "g2"], limit=2)
    way = way_of(client, admin, made)
    assert way["qr_code"].startswith("data:image/png;base64,")  # the fake answers the image itself
    assert way["serving"] == ["g1", "g2"]
    asked = fake_way(client, tenant, made)
    assert (asked["body"]["type"], asked["body"]["scene"], asked["body"]["user"]) == (2, 2, ["g1", "g2"])
    config_id = way["config_id"]

    for _ in range(2):
        assert scan(client, tenant, config_id, "g1").json["status"] == 200
    assert scan(client, tenant, config_id, "g2").json["status"] == 200
    assert eventually(lambda: serving_at_wecom(client, tenant)) == [["g2"]]
    settled = {"g1": (2, True), "g2": (1, False)}
    eventually(lambda: today_of(view := way_of(client, admin, made)) == settled and view["serving"] == ["g2"])
    assert scan(client, tenant, config_id, "g1").status == 422  # WeCom no longer hands customers to g1

    # Each add through the code is a scan of it, attributed to the member the customer added.
    def by_staff() -> dict[str, int] | None:
        stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
        counted = {row["staff_id"]: row["scans"] for row in stats["by_staff"]}
        return counted if counted == {"g1": 2, "g2": 1} else None

    eventually(by_staff)

    # The next business day everyone is back.
    assert contact_ways.restore_due(utc_now()) == {"restored": 0, "failed": 0}  # nothing due yet
    tomorrow = contact_ways.next_business_day_start(utc_now()) + timedelta(minutes=1)
    assert contact_ways.restore_due(tomorrow) == {"restored": 1, "failed": 0}
    assert serving_at_wecom(client, tenant) == [["g2"], ["g1", "g2"]]
    assert way_of(client, admin, made)["serving"] == ["g1", "g2"]
    assert contact_ways.restore_due(tomorrow) == {"restored": 0, "failed": 0}  # read only what is due


def test_the_code_is_made_once_and_each_add_counts_once(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "g1")
    _, made = wecom_code(client, admin, ["g1"], limit=1)
    way_of(client, admin, made)
    created = {
        "code": made,
        "campaign_id": "cp_x",
        "channel": "企微活码",
        "wecom": {"staff_ids": ["g1"], "daily_add_limit": 1},
        "created_at": rfc3339(utc_now()),
    }
    deliver(CONTACT_WAYS_CONSUMER.handler, tenant, "ChannelCodeCreated", created, source="siyu.campaigns")
    assert len(calls(client, tenant, "/cgi-bin/externalcontact/add_contact_way")) == 1

    added = {
        "corp_id": corp_of(tenant),
        "staff_id": "g1",
        "external_userid": "wm-once",
        "generation": 1,
        "state": made,
        "added_at": rfc3339(utc_now()),
    }
    for _ in range(3):  # the same add published three times (three events)
        deliver(CONTACT_WAYS_CONSUMER.handler, tenant, "WeComContactAdded", added, source="siyu.wecom")
    view = way_of(client, admin, made)
    assert today_of(view) == {"g1": (1, True)}
    # The last member at the limit stays: a code always has someone to take the customer.
    assert view["serving"] == ["g1"]
    assert serving_at_wecom(client, tenant) == []


def test_members_reaching_their_limits_together_leave_the_right_rotation(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "g1", "g2", "g3")
    _, made = wecom_code(client, admin, ["g1", "g2", "g3"], limit=3)
    way_of(client, admin, made)
    now = rfc3339(utc_now())
    adds = [
        {
            "corp_id": corp_of(tenant),
            "staff_id": staff,
            "external_userid": f"wm-{staff}-{n}",
            "generation": 1,
            "state": made,
            "added_at": now,
        }
        for staff in ("g1", "g2")
        for n in range(3)
    ]
    threads = [
        threading.Thread(
            target=deliver,
            args=(CONTACT_WAYS_CONSUMER.handler, tenant, "WeComContactAdded", added),
            kwargs={"source": "siyu.wecom"},
        )
        for added in adds
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    view = way_of(client, admin, made)
    assert today_of(view) == {"g1": (3, True), "g2": (3, True), "g3": (0, False)}
    assert view["serving"] == ["g3"]
    assert serving_at_wecom(client, tenant)[-1] == ["g3"]


def test_an_admin_changes_the_rotation_and_wecom_is_told(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "g1", "g2", "g3")
    _, made = wecom_code(client, admin, ["g1"])
    way_of(client, admin, made)
    changed = client.put(f"{WAYS}/{made}", json_body={"staff_ids": ["g2", "g3"], "daily_add_limit": 50}, token=admin)
    assert changed.status == 200, changed.body
    assert (changed.json["staff_ids"], changed.json["serving"], changed.json["daily_add_limit"]) == (
        ["g2", "g3"],
        ["g2", "g3"],
        50,
    )
    assert serving_at_wecom(client, tenant) == [["g2", "g3"]]
    listed = client.get(WAYS, token=admin).json["items"]
    assert [(way["code"], way["serving"]) for way in listed] == [(made, ["g2", "g3"])]

    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get(f"{WAYS}/{made}", token=guide).status == 403
    assert client.get(f"{WAYS}/nocode", token=admin).status == 404
    unchanged = client.put(f"{WAYS}/{made}", json_body={"staff_ids": ["g2", "g2"]}, token=admin)
    assert unchanged.status == 422, unchanged.body
    assert way_of(client, admin, made)["staff_ids"] == ["g2", "g3"]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"staff_id": "g1", "wecom": {"staff_ids": ["g1"]}}, "staff_id"),
        ({"wecom": {"staff_ids": []}}, "staff_ids"),
        ({"wecom": {"staff_ids": ["g1", "g1"]}}, "wecom"),
        ({"wecom": {"staff_ids": ["g1"], "daily_add_limit": 0}}, "daily_add_limit"),
    ],
)
def test_a_bad_wecom_code_is_refused_and_nothing_is_made(
    client: Client, tenant: str, fields: dict[str, Any], where: str
) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    answer = client.post(f"/v1/campaigns/{cid}/codes", json_body={"channel": "企微活码", **fields}, token=admin)
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert any(where in ".".join(error["loc"]) for error in answer.json["errors"]), answer.json
    assert client.get(f"/v1/campaigns/{cid}/codes", token=admin).json["items"] == []


def test_a_contact_way_wecom_refuses_is_shown_with_its_reason(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "g1")
    _, made = wecom_code(client, admin, ["g1", "nobody"])  # nobody is no active WeCom member
    failed = way_of(client, admin, made, status="failed")
    assert "60111" in failed["failure"]
    assert failed["qr_code"] is None
    refused = client.put(f"{WAYS}/{made}", json_body={"staff_ids": ["g1"]}, token=admin)
    assert refused.status == 409, refused.body
