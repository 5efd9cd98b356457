"""Relationships through the fake WeCom: a customer adds a staff member (one relationship and
one welcome however often WeCom delivers the callback), removes them (one churn alert, a deletion
record), a removal that arrives before its add, and who may list what."""

from __future__ import annotations

import time
import uuid
from typing import Any

from shared.clock import utc_now
from tests.unit.conftest import Client, eventually
from tests.unit.test_wecom_callbacks import corp_of, set_up

FAKE = "/v1/dev/wecom"


def ready(client: Client, tenant: str, *staff: str) -> str:
    """A tenant with a corp, its secrets, a default welcome and active staff; its admin token."""
    answer = set_up(client, tenant, secrets={"contact": "contact-secret", "agent": "agent-secret"})
    assert answer.status == 200, answer.body
    admin = client.staff_token(tenant, "admin1", ("admin",))
    for userid in staff:
        body = {"corp_id": corp_of(tenant), "userid": userid, "name": userid}
        assert client.post(f"{FAKE}/staff", json_body=body).status == 200
    welcome = {"scope": "tenant", "message": {"text": "你好 {name}, 欢迎!"}}
    assert client.put("/v1/wecom/welcome-messages", json_body=welcome, token=admin).status == 200
    return admin


def customer(client: Client, tenant: str, name: str = "王芳") -> str:
    external_userid = f"wm{uuid.uuid4().hex[:20]}"
    body = {"corp_id": corp_of(tenant), "external_userid": external_userid, "name": name}
    assert client.post(f"{FAKE}/customers", json_body=body).status == 200
    return external_userid


def relationship(client: Client, tenant: str, action: str, userid: str, external_userid: str) -> dict[str, Any]:
    body = {"tenant_id": tenant, "action": action, "userid": userid, "external_userid": external_userid}
    answer = client.post(f"{FAKE}/relationships", json_body=body)
    assert answer.status == 200, answer.body
    assert answer.json["status"] == 200, answer.json
    return dict(answer.json["fields"])


def redeliver(client: Client, tenant: str, fields: dict[str, str]) -> None:
    answer = client.post(f"{FAKE}/callbacks", json_body={"tenant_id": tenant, "fields": fields})
    assert answer.json["status"] == 200, answer.json


def calls(client: Client, tenant: str, path: str) -> list[dict[str, Any]]:
    return list(client.get(f"{FAKE}/calls?corp_id={corp_of(tenant)}&path={path}").json["calls"])


def listed(client: Client, token: str, query: str) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/wecom/relationships?{query}", token=token)
    assert answer.status == 200, answer.body
    return list(answer.json["items"])


def test_an_add_delivered_three_times_is_one_relationship_and_one_welcome(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "zhangsan")
    external_userid = customer(client, tenant)
    fields = relationship(client, tenant, "add", "zhangsan", external_userid)
    redeliver(client, tenant, fields)
    redeliver(client, tenant, fields)
    [pair] = eventually(lambda: listed(client, admin, "staff_id=zhangsan"))
    assert pair["status"] == "active"
    assert pair["generation"] == 1
    assert pair["name"] == "王芳"
    [welcome] = eventually(lambda: calls(client, tenant, "/cgi-bin/externalcontact/send_welcome_msg"))
    assert welcome["body"]["text"]["content"] == "你好 王芳, 欢迎!"
    time.sleep(0.5)  # the redeliveries had their chance to send a second one
    assert len(calls(client, tenant, "/cgi-bin/externalcontact/send_welcome_msg")) == 1
    assert len(listed(client, admin, f"external_userid={external_userid}")) == 1


def test_a_customer_removal_alerts_once_and_is_a_deletion_record(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "lisi")
    external_userid = customer(client, tenant, "赵六")
    relationship(client, tenant, "add", "lisi", external_userid)
    eventually(lambda: listed(client, admin, "staff_id=lisi"))
    fields = relationship(client, tenant, "customer_deletes", "lisi", external_userid)
    redeliver(client, tenant, fields)
    [alert] = eventually(lambda: calls(client, tenant, "/cgi-bin/message/send"))
    assert alert["body"]["touser"] == "lisi"
    assert "赵六" in alert["body"]["text"]["content"]
    [pair] = listed(client, admin, "staff_id=lisi")
    assert (pair["status"], pair["removed_by"]) == ("removed", "customer")
    [record] = client.get("/v1/wecom/deletions?staff_id=lisi", token=admin).json["items"]
    assert (record["external_userid"], record["removed_by"], record["generation"]) == (external_userid, "customer", 1)
    time.sleep(0.5)
    assert len(calls(client, tenant, "/cgi-bin/message/send")) == 1


def test_a_staff_removal_is_recorded_and_alerts_nobody(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "wangwu")
    external_userid = customer(client, tenant)
    relationship(client, tenant, "add", "wangwu", external_userid)
    eventually(lambda: listed(client, admin, "staff_id=wangwu"))
    relationship(client, tenant, "staff_deletes", "wangwu", external_userid)
    [record] = eventually(lambda: client.get("/v1/wecom/deletions", token=admin).json["items"])
    assert record["removed_by"] == "staff"
    assert calls(client, tenant, "/cgi-bin/message/send") == []


def test_a_removal_delivered_before_its_add_ends_removed(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "zhaoliu")
    external_userid = customer(client, tenant)
    added = relationship(client, tenant, "add", "zhaoliu", external_userid)
    later = str(int(added["CreateTime"]) + 5)
    removal = {**added, "ChangeType": "del_follow_user", "CreateTime": later}
    removal.pop("WelcomeCode")
    # WeCom's two callbacks cross: the removal is processed first, the add (redelivered) after.
    redeliver(client, tenant, removal)
    redeliver(client, tenant, added)
    eventually(lambda: client.get("/v1/wecom/deletions", token=admin).json["items"])
    time.sleep(0.5)
    [pair] = listed(client, admin, "staff_id=zhaoliu")
    assert pair["status"] == "removed"


def test_a_guide_lists_only_their_own_and_a_listing_needs_a_filter(client: Client, tenant: str) -> None:
    ready(client, tenant)
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get("/v1/wecom/relationships", token=guide).status == 200  # their own, implicitly
    assert client.get("/v1/wecom/relationships?staff_id=someone-else", token=guide).status == 403
    assert client.get("/v1/wecom/deletions?staff_id=someone-else", token=guide).status == 403
    manager = client.staff_token(tenant, "m1", ("manager",))
    missing = client.get("/v1/wecom/relationships", token=manager)
    assert missing.status == 422
    backwards = client.get("/v1/wecom/deletions?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", token=manager)
    assert backwards.status == 422


def test_relationships_follow_a_merge_even_when_the_answer_naming_the_absorbed_contact_comes_after(
    client: Client, tenant: str
) -> None:
    from services.wecom.logic import customers
    from shared.events.contacts import ContactsMerged, WeComCustomerIdentified
    from shared.events.wecom import WeComContactAdded

    admin = ready(client, tenant, "sunqi")
    external_userid = customer(client, tenant)
    relationship(client, tenant, "add", "sunqi", external_userid)
    [pair] = eventually(lambda: [p for p in listed(client, admin, "staff_id=sunqi") if p["contact_id"]])
    absorbed, survivor = pair["contact_id"], f"ct_survivor_{uuid.uuid4().hex[:8]}"
    customers.merged(
        tenant, f"evt-{uuid.uuid4().hex}", ContactsMerged(contact_id=survivor, version=3, merged_contact_id=absorbed)
    )
    assert [p["contact_id"] for p in listed(client, admin, f"contact_id={survivor}")] == [survivor]
    # Contacts' answer about the add, naming the absorbed contact, arrives late: the survivor stays.
    added = WeComContactAdded(
        corp_id=corp_of(tenant), staff_id="sunqi", external_userid=external_userid, generation=1, added_at=utc_now()
    )
    late = WeComCustomerIdentified(contact_id=absorbed, created=True, added=added)
    customers.identified(tenant, f"evt-{uuid.uuid4().hex}", late)
    assert listed(client, admin, f"contact_id={absorbed}") == []
    assert len(listed(client, admin, f"contact_id={survivor}")) == 1
