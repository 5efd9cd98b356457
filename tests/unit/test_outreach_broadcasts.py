"""Broadcasts (群发): a segment's audience after consent, caps and reachability, with exact skip
counts; one WeCom task per owner staff member; confirmation and results polled into the stats;
WeChat template messages sent one by one; quiet hours, bad input and the cap race."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from local.fake_wecom import FAKE, MASS
from services.outreach.dal import caps as caps_dal
from services.outreach.dal import deliveries
from services.outreach.dal import facts as facts_dal
from services.outreach.dal.table import table
from services.outreach.handlers.broadcasts import handler as broadcasts_handler
from services.outreach.logic import delivery, facts, planning
from services.outreach.logic import settings as outreach_settings
from services.wecom.logic import mass_messages
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.events.wecom import WeComStaffChanged
from tests.support.outreach_facts import seed_many
from tests.unit.conftest import Client, eventually
from tests.unit.test_outreach_facts import apply, identified, membership, profile
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import ready

ADD = "/cgi-bin/externalcontact/add_msg_template"
STAFF = ("anna", "ben", "cara")
NO_QUIET: dict[str, Any] = {"time_zone": "Asia/Shanghai", "quiet_hours": None, "caps": {}, "version": 0}


def settings(client: Client, admin: str, **change: Any) -> None:
    current = client.get("/v1/outreach/settings", token=admin).json
    body = {**NO_QUIET, "version": current["version"], **change}
    answer = client.put("/v1/outreach/settings", json_body=body, token=admin)
    assert answer.status == 200, answer.body


def template(client: Client, admin: str, channel: str = "wecom_customer", **content: Any) -> str:
    body = {"name": "会员日", "channel": channel, "content": content or {"text": "本周会员日全场 8 折"}}
    answer = client.post("/v1/templates", json_body=body, token=admin)
    assert answer.status == 201, answer.body
    return str(answer.json["template_id"])


def seed(
    tenant: str, contact_id: str, *, consent: bool, staff: str | None, segment: str | None, openid: str | None = None
) -> None:
    """Outreach's facts of one contact, as contacts and wecom's events would leave them."""
    fields: dict[str, Any] = {
        "consent": {"wecom": {"marketing": consent}, "wechat": {"marketing": consent}},
        "owners": {"*": staff or "anna"},
        "openids": {"wx-oa": openid} if openid else {},
        "external_userids": {corp_of(tenant): f"wm-{contact_id}"} if staff else {},
    }
    apply(facts.record_profile, tenant, profile(contact_id, 1, **fields))
    if staff:
        added = identified(contact_id, staff, 1, ext=f"wm-{contact_id}", corp_id=corp_of(tenant))
        apply(facts.record_identified, tenant, added)
        FAKE.customer_adds(corp_of(tenant), staff, f"wm-{contact_id}", welcome=False)
    if segment:
        apply(facts.record_memberships, tenant, membership(contact_id, datetime.now(UTC), entered=[segment]))


def in_parallel(work: list[Callable[[], None]]) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        for done in [pool.submit(job) for job in work]:
            done.result()


def at_month_cap(tenant: str, contact_id: str) -> None:
    """The contact already had this month's 群发 allowance (a send earlier this month)."""
    month = [
        w
        for w in delivery.cap_windows(outreach_settings.get(tenant), "wecom_customer", datetime.now(UTC))
        if "#M#" in w.key
    ]
    tx = Transaction(table())
    caps_dal.count_in(tx, tenant, contact_id, month)
    tx.commit()


def broadcast(client: Client, token: str, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/broadcasts", json_body=body, token=token)
    assert answer.status == 201, answer.body
    planning.due_now()
    return dict(answer.json)


def view(client: Client, token: str, broadcast_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/broadcasts/{broadcast_id}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def test_a_broadcast_to_500_skips_exactly_asks_each_owner_once_and_counts_the_polled_results(
    client: Client, tenant: str
) -> None:
    admin = ready(client, tenant, *STAFF)
    settings(client, admin, caps={"wecom": {"per_day": 1, "per_month": 1}})
    segment = "sg_members"
    rows = [
        {"contact_id": f"c{n:03d}", "consent": n >= 50, "staff": None if 80 <= n < 100 else STAFF[n % 3]}
        for n in range(500)
    ]
    owners = {str(row["contact_id"]): str(row["staff"]) for row in rows if row["staff"]}
    seed_many(tenant, corp_of(tenant), rows, segment)
    for contact_id, staff in owners.items():
        FAKE.customer_adds(corp_of(tenant), staff, f"wm-{contact_id}", welcome=False)
    for number in range(50, 80):
        at_month_cap(tenant, f"c{number:03d}")
    names = {"anna": "安娜", "ben": "本"}  # cara: outreach never heard her name
    for staff, name in names.items():
        facts_dal.save_staff(tenant, staff, corp_of(tenant), name, "active", datetime.now(UTC).isoformat())
    body = {"channel": "wecom_customer", "template_id": template(client, admin), "segment_id": segment}

    preview = client.post("/v1/broadcasts/preview", json_body=body, token=admin)
    assert preview.status == 200, preview.body
    expected_skips = {"no_consent": 50, "cap_reached": 30, "no_wecom_relationship": 20}
    assert preview.json["targeted"] == 500
    assert preview.json["reachable"] == 400
    assert preview.json["skipped"] == expected_skips
    reached = [c for c in owners if int(c[1:]) >= 100]
    shares = {staff: sum(1 for c in reached if owners[c] == staff) for staff in STAFF}
    assert {row["staff_id"]: row["recipients"] for row in preview.json["by_staff"]} == shares
    assert {row["staff_id"]: row["staff_name"] for row in preview.json["by_staff"]} == {**names, "cara": None}

    made = broadcast(client, admin, tenant, {**body, "name": "双十二会员日"})
    sending = eventually(
        lambda: (found := view(client, admin, made["broadcast_id"]))["status"] == "sending" and found, timeout=60
    )
    assert sending["stats"]["targeted"] == 500
    assert sending["stats"]["queued"] == 400
    assert sending["stats"]["skipped"] == expected_skips
    calls = eventually(
        lambda: len(FAKE.calls(corp_of(tenant), ADD)) == 3 and FAKE.calls(corp_of(tenant), ADD), timeout=30
    )
    assert sorted(call["body"]["sender"] for call in calls) == sorted(STAFF)  # one task per owner
    for call in calls:
        sender = call["body"]["sender"]
        assert sorted(call["body"]["external_userid"]) == sorted(f"wm-{c}" for c in reached if owners[c] == sender)
    dispatches = eventually(
        lambda: (
            (rows := client.get(f"/v1/broadcasts/{made['broadcast_id']}/dispatches", token=admin).json["items"])
            and all(row["status"] == "pending" for row in rows)
            and rows
        ),
        timeout=30,
    )
    assert sorted(row["staff_id"] for row in dispatches) == sorted(STAFF)
    assert {row["staff_id"]: row["staff_name"] for row in dispatches} == {**names, "cara": None}

    # Two of the three confirm in the WeCom app; the third never does.
    for task in MASS.listed(corp_of(tenant)):
        if task["sender"] != "cara":
            MASS.confirm(task["msgid"])
    for staff in STAFF:  # the schedule's poll, now rather than at its next run
        mass_messages.poll(tenant, f"{made['broadcast_id']}.{staff}.0")
    confirmed = shares["anna"] + shares["ben"]
    stats = eventually(
        lambda: (found := view(client, admin, made["broadcast_id"])["stats"])["delivered"] == confirmed and found,
        timeout=30,
    )
    assert stats["sent"] == confirmed
    assert stats["failed"] == 0
    rows = client.get(f"/v1/broadcasts/{made['broadcast_id']}/dispatches", token=admin).json["items"]
    assert sorted((row["staff_id"], row["status"], row["delivered"]) for row in rows) == [
        ("anna", "confirmed", shares["anna"]),
        ("ben", "confirmed", shares["ben"]),
        ("cara", "pending", 0),
    ]


def test_a_wechat_template_broadcast_sends_each_member_once_and_counts_refusals(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin)
    contacts = [f"w{n}" for n in range(6)]
    for number, contact_id in enumerate(contacts):
        openid = "blocked-1" if number == 5 else f"o-{contact_id}"
        seed(tenant, contact_id, consent=number != 4, staff=None, segment=None, openid=openid)
    chosen = template(
        client,
        admin,
        "wechat_template",
        app_id="wx-oa",
        wechat_template_id="TPL1",
        data={"first": "{name|会员}您好", "keyword1": "{points_balance|0} 积分"},
    )
    made = broadcast(
        client,
        admin,
        tenant,
        {
            "name": "积分通知",
            "channel": "wechat_template",
            "template_id": chosen,
            "contact_ids": [*contacts, "w-unknown"],
        },
    )
    done = eventually(
        lambda: (found := view(client, admin, made["broadcast_id"]))["status"] == "completed" and found, timeout=60
    )
    assert done["stats"] == {
        "targeted": 7,
        "skipped": {"no_consent": 1, "contact_gone": 1},
        "queued": 5,
        "sent": 4,
        "delivered": 4,
        "failed": 1,
        "conversions": 0,
    }
    sent = [row for row in deliveries.fake_deliveries(tenant) if row["sk"].startswith(made["broadcast_id"])]
    assert sorted(row["body"]["touser"] for row in sent) == sorted(f"o-w{n}" for n in range(4))
    assert sent[0]["body"]["data"]["first"] == {"value": "王芳您好"}
    # The tick and the step delivered again change nothing.
    planning.due_now()
    assert view(client, admin, made["broadcast_id"])["stats"] == done["stats"]


def test_a_send_at_22_in_shanghai_is_scheduled_for_9_the_next_morning_and_can_be_changed_or_cancelled_till_then(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    seed(tenant, "q1", consent=True, staff=None, segment=None, openid="o-q1")
    chosen = template(client, admin, "wechat_template", app_id="wx-oa", wechat_template_id="TPL1", data={"a": "x"})
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo("Asia/Shanghai")).date()
    at_22 = datetime.fromisoformat(f"{tomorrow.isoformat()}T22:00:00+08:00")
    body = {
        "name": "晚间",
        "channel": "wechat_template",
        "template_id": chosen,
        "contact_ids": ["q1"],
        "send_at": at_22.isoformat(),
    }
    made = client.post("/v1/broadcasts", json_body=body, token=admin).json
    next_9 = at_22 + timedelta(hours=11)
    assert datetime.fromisoformat(made["scheduled_for"].replace("Z", "+00:00")) == next_9
    planning.due_now()
    assert view(client, admin, made["broadcast_id"])["status"] == "scheduled"  # not due yet

    changed = client.put(
        f"/v1/broadcasts/{made['broadcast_id']}",
        json_body={**body, "name": "晚间 2", "version": made["version"]},
        token=admin,
    )
    assert changed.status == 200
    assert changed.json["name"] == "晚间 2"
    stale = client.put(
        f"/v1/broadcasts/{made['broadcast_id']}", json_body={**body, "version": made["version"]}, token=admin
    )
    assert stale.status == 409
    assert client.post(f"/v1/broadcasts/{made['broadcast_id']}/cancel", token=admin).json["status"] == "cancelled"
    again = client.put(
        f"/v1/broadcasts/{made['broadcast_id']}",
        json_body={**body, "version": changed.json["version"] + 1},
        token=admin,
    )
    assert again.status == 409
    assert again.json["reason"] == "not_scheduled"


def test_bad_broadcasts_are_refused_and_a_sent_one_cannot_be_edited(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin)
    seed(tenant, "b1", consent=True, staff=None, segment="sg_one", openid="o-b1")
    wecom = template(client, admin)
    personal = template(client, admin, text="{name} 您好")
    wechat = template(client, admin, "wechat_template", app_id="wx-oa", wechat_template_id="T", data={"a": "x"})
    base = {"name": "x", "channel": "wecom_customer", "template_id": wecom}
    cases = [
        ({**base, "segment_id": "sg_unknown"}, "segment_id"),
        ({**base, "segment_id": "sg_one", "send_at": "2020-01-01T00:00:00Z"}, "send_at"),
        ({**base, "segment_id": "sg_one", "template_id": personal}, "template_id"),
        ({**base, "segment_id": "sg_one", "template_id": wechat}, "template_id"),
    ]
    for body, field in cases:
        answer = client.post("/v1/broadcasts", json_body=body, token=admin)
        assert answer.status == 422, (body, answer.body)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert [error["loc"] for error in answer.json["errors"]] == [["body", field]]
    both = client.post("/v1/broadcasts", json_body={**base, "segment_id": "sg_one", "contact_ids": ["b1"]}, token=admin)
    assert both.status == 422
    assert client.get("/v1/broadcasts", token=admin).json["items"] == []  # nothing was made

    body = {"name": "ok", "channel": "wechat_template", "template_id": wechat, "segment_id": "sg_one"}
    made = broadcast(client, admin, tenant, body)
    eventually(lambda: view(client, admin, made["broadcast_id"])["status"] == "completed", timeout=30)
    edit = client.put(f"/v1/broadcasts/{made['broadcast_id']}", json_body={**body, "version": 1}, token=admin)
    assert edit.status == 409
    assert client.post(f"/v1/broadcasts/{made['broadcast_id']}/cancel", token=admin).status == 409
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get("/v1/broadcasts", token=guide).status == 403
    other = client.staff_token(f"{tenant}-other", "admin1", ("admin",))
    assert client.get(f"/v1/broadcasts/{made['broadcast_id']}", token=other).status == 404


def test_senders_racing_for_a_contact_one_below_its_cap_send_exactly_once(tenant: str, client: Client) -> None:
    """Whatever sends (a broadcast's recipient record, a journey's send step), the cap counter is
    written with the send in one transaction: of eight racing sends to a contact with one left
    this month, exactly one is recorded."""
    outreach = outreach_settings.get(tenant)
    windows = delivery.cap_windows(outreach, "wecom_customer", datetime.now(UTC))
    limit = next(w.limit for w in windows if "#M#" in w.key)
    month = [w for w in windows if "#M#" in w.key]
    for _ in range(limit - 1):
        tx = Transaction(table())
        caps_dal.count_in(tx, tenant, "racer", month)
        tx.commit()
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def send(origin: int) -> None:
        tx = Transaction(table())
        tx.create({"pk": f"T#{tenant}#RACE#{origin}", "sk": "racer"})
        caps_dal.count_in(tx, tenant, "racer", windows)
        barrier.wait()
        try:
            tx.commit()
            outcomes.append("sent")
        except (caps_dal.CapReached, AlreadyProcessed):
            outcomes.append("capped")

    in_parallel([partial(send, n) for n in range(8)])
    assert sorted(outcomes) == ["capped"] * 7 + ["sent"]


def converted(tenant: str, contact_id: str, code: str, at: datetime, event_id: str | None = None) -> None:
    """campaigns' CampaignConversionRecorded, handed to the broadcasts consumer as its queue does."""
    data = {
        "scan_id": f"scan-{uuid.uuid4().hex[:8]}",
        "contact_id": contact_id,
        "campaign_id": "cp1",
        "code": code,
        "channel": "message",
        "conversion_id": f"cp1:{contact_id}",
        "kind": "engagement",
        "points": 0,
        "rewarded": False,
        "unrewarded_reason": "no_reward",
    }
    body = {
        "source": "siyu.campaigns",
        "detail-type": "CampaignConversionRecorded",
        "detail": {
            "metadata": {
                "event_id": event_id or f"evt-{uuid.uuid4().hex}",
                "event_version": 1,
                "tenant_id": tenant,
                "occurred_at": at.isoformat(),
                "correlation_id": "conversion-test",
            },
            "data": data,
        },
    }
    answer = broadcasts_handler({"Records": [{"messageId": uuid.uuid4().hex, "body": json.dumps(body)}]}, None)
    assert answer["batchItemFailures"] == []


def test_conversions_through_the_tracked_code_count_once_per_recipient_within_7_days(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin)
    for contact_id in ("v1", "v2", "v3"):
        seed(tenant, contact_id, consent=True, staff=None, segment=None, openid=f"o-{contact_id}")
    chosen = template(client, admin, "wechat_template", app_id="wx-oa", wechat_template_id="T", data={"a": "x"})
    made = broadcast(
        client,
        admin,
        tenant,
        {
            "name": "转化",
            "channel": "wechat_template",
            "template_id": chosen,
            "contact_ids": ["v1", "v2"],
            "tracked_code": "cx-1",
        },
    )
    eventually(lambda: view(client, admin, made["broadcast_id"])["status"] == "completed", timeout=30)
    now = datetime.now(UTC)
    converted(tenant, "v1", "cx-1", now, "evt-conv-1")
    converted(tenant, "v1", "cx-1", now, "evt-conv-1")  # redelivered
    converted(tenant, "v1", "cx-1", now)  # another conversion of the same recipient
    converted(tenant, "v3", "cx-1", now)  # not a recipient
    converted(tenant, "v2", "cx-other", now)  # another code
    converted(tenant, "v2", "cx-1", now + timedelta(days=8))  # too late
    assert view(client, admin, made["broadcast_id"])["stats"]["conversions"] == 1


def test_a_group_broadcast_asks_each_staff_member_once_for_all_their_customer_groups(
    client: Client, tenant: str
) -> None:
    admin = ready(client, tenant, "anna")
    settings(client, admin)
    changed = {
        "corp_id": corp_of(tenant),
        "staff_id": "anna",
        "name": "安娜",
        "status": "active",
        "department_ids": [1],
        "managers": [],
        "roles": ["guide"],
    }
    apply(
        lambda t, data, eid: facts.record_staff(t, data, datetime.now(UTC), eid),
        tenant,
        WeComStaffChanged.model_validate(changed),
    )
    FAKE.script_group(corp_of(tenant), "wr-anna-1", owner="anna", name="VIP 群")
    chosen = template(client, admin, "wecom_group", text="{owner_name} 邀您参加本周会员日")
    made = broadcast(
        client,
        admin,
        tenant,
        {"name": "群发到群", "channel": "wecom_group", "template_id": chosen, "staff_ids": ["anna", "nobody"]},
    )
    sending = eventually(
        lambda: (found := view(client, admin, made["broadcast_id"]))["status"] == "sending" and found, timeout=30
    )
    assert sending["stats"]["targeted"] == 2
    assert sending["stats"]["skipped"] == {"unknown_staff": 1}
    [call] = eventually(lambda: FAKE.calls(corp_of(tenant), ADD), timeout=30)
    assert call["body"]["chat_type"] == "group"
    assert call["body"]["sender"] == "anna"
    assert call["body"]["text"] == {"content": "安娜 邀您参加本周会员日"}
