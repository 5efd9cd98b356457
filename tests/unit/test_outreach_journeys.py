"""Journeys run exactly once per step: a dormant member is won back a day later (send, tag) however
often the tick comes; an edit makes a new version while enrolled contacts finish on theirs; a
birthday journey fires on the birthday in the tenant's time zone, once a year; quiet hours hold a
send till morning; a journey and a broadcast racing for a contact's last send under its cap send
once."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local import dev_clock
from services.outreach.dal import deliveries
from services.outreach.dal import facts as facts_dal
from services.outreach.dal import journeys as journeys_dal
from services.outreach.handlers.journeys import handler as journeys_handler
from services.outreach.logic import journey_engine, planning
from shared import clock
from shared.consumer import AlreadyProcessed
from shared.errors import ConcurrentUpdate
from shared.events.outreach import BroadcastStepped
from tests.unit.conftest import Client, eventually
from tests.unit.test_outreach_broadcasts import settings, template

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    yield
    dev_clock.reset()


def deliver(tenant: str, source: str, detail_type: str, data: dict[str, Any], event_id: str | None = None) -> None:
    """One event handed to the journeys consumer as its queue does."""
    body = {
        "source": source,
        "detail-type": detail_type,
        "detail": {
            "metadata": {
                "event_id": event_id or f"evt-{uuid.uuid4().hex}",
                "event_version": 1,
                "tenant_id": tenant,
                "occurred_at": clock.now_rfc3339(),
                "correlation_id": "journey-test",
            },
            "data": data,
        },
    }
    answer = journeys_handler({"Records": [{"messageId": uuid.uuid4().hex, "body": json.dumps(body)}]}, None)
    assert answer["batchItemFailures"] == []


def dormant(tenant: str, contact_id: str, event_id: str | None = None) -> None:
    data = {
        "contact_id": contact_id,
        "previous_stage": "mature",
        "stage": "dormant",
        "reason": "inactivity",
        "changed_at": clock.now_rfc3339(),
    }
    deliver(tenant, "siyu.contacts", "ContactLifecycleChanged", data, event_id)


def member(client: Client, admin: str, tenant: str, **fields: Any) -> str:
    """A contact who consents to WeChat marketing and follows the official account wx-oa; its
    facts reach outreach through contacts' ContactProfileChanged."""
    body = {
        "name": "王芳",
        "consent": {"wechat": {"marketing": True}},
        "openids": {"wx-oa": f"o-{uuid.uuid4().hex[:8]}"},
        **fields,
    }
    answer = client.post("/v1/contacts", json_body=body, token=admin)
    assert answer.status == 201, answer.body
    contact_id = str(answer.json["contact_id"])
    eventually(lambda: facts_dal.get(tenant, contact_id) is not None, timeout=30)
    return contact_id


def journey(client: Client, admin: str, body: dict[str, Any]) -> dict[str, Any]:
    made = client.post("/v1/journeys", json_body=body, token=admin)
    assert made.status == 201, made.body
    live = client.post(f"/v1/journeys/{made.json['journey_id']}/resume", token=admin)
    assert live.status == 200, live.body
    assert live.json["status"] == "live"
    return dict(live.json)


def sends_to(tenant: str, journey_id: str, contact_id: str) -> list[dict[str, Any]]:
    return [
        row
        for row in deliveries.fake_deliveries(tenant)
        if row["sk"].startswith(f"{journey_id}#") and f"#{contact_id}#" in row["sk"]
    ]


def win_back(template_id: str, wait_minutes: int = 1440) -> dict[str, Any]:
    return {
        "name": "沉睡唤醒",
        "trigger": {"kind": "lifecycle_changed", "to_stage": "dormant"},
        "entry": "wait",
        "steps": [
            {"type": "wait", "id": "wait", "minutes": wait_minutes, "next": "send"},
            {"type": "send", "id": "send", "template_id": template_id, "next": "tag"},
            {"type": "tag", "id": "tag", "tag": "winback", "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }


def wechat_template(client: Client, admin: str) -> str:
    return template(
        client,
        admin,
        "wechat_template",
        app_id="wx-oa",
        wechat_template_id="TPL1",
        data={"first": "{name|会员}, 好久不见"},
    )


def test_win_back_waits_a_day_sends_and_tags_once_and_an_edit_leaves_the_enrolled_on_v1(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin)
    chosen = wechat_template(client, admin)
    first, second = member(client, admin, tenant), member(client, admin, tenant)
    made = journey(client, admin, win_back(chosen))
    journey_id = made["journey_id"]

    dormant(tenant, first, "evt-dormant-1")
    dormant(tenant, first, "evt-dormant-1")  # redelivered
    dormant(tenant, first)  # published again: the contact is in the journey already
    [waiting] = journeys_dal.enrollments_of(tenant, first)
    assert (waiting.journey_version, waiting.step_id, waiting.state) == (1, "wait", "waiting")

    edit = client.put(
        f"/v1/journeys/{journey_id}", json_body={**win_back(chosen, 2880), "version": made["version"]}, token=admin
    )
    assert edit.status == 200, edit.body
    assert edit.json["latest_version"] == 2
    dormant(tenant, second)
    assert journeys_dal.enrollments_of(tenant, second)[0].journey_version == 2

    clock.set_offset_seconds(24 * 3600 + 120)
    ticks = [threading.Thread(target=journey_engine.tick) for _ in range(3)]  # the tick delivered thrice
    for tick in ticks:
        tick.start()
    for tick in ticks:
        tick.join()
    journey_engine.tick()
    assert len(sends_to(tenant, journey_id, first)) == 1
    assert sends_to(tenant, journey_id, first)[0]["body"]["data"]["first"] == {"value": "王芳, 好久不见"}
    assert sends_to(tenant, journey_id, second) == []  # v2 waits two days
    [done] = journeys_dal.enrollments_of(tenant, first)
    assert (done.journey_version, done.state, done.step_id) == (1, "exited", "done")
    tagged = eventually(lambda: "winback" in client.get(f"/v1/contacts/{first}", token=admin).json["tags"], timeout=30)
    assert tagged

    stats = client.get(f"/v1/journeys/{journey_id}/stats?version=1", token=admin).json
    steps = {step["step_id"]: step for step in stats["steps"]}
    assert (stats["enrolled"], stats["active"], stats["exited"]) == (1, 0, 1)
    assert steps["wait"] == {"step_id": "wait", "entered": 1, "waiting": 0, "passed": 1, "exited": 0}
    assert steps["send"]["passed"] == 1
    assert steps["done"]["exited"] == 1
    v2 = client.get(f"/v1/journeys/{journey_id}/stats", token=admin).json
    assert v2["journey_version"] == 2
    assert v2["active"] == 1
    assert {step["step_id"]: step["waiting"] for step in v2["steps"]}["wait"] == 1
    versions = client.get(f"/v1/journeys/{journey_id}/versions", token=admin).json["items"]
    assert [version["version"] for version in versions] == [2, 1]


def test_a_step_that_keeps_failing_is_tried_again_later_and_then_ends_the_contacts_run(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin)
    made = journey(client, admin, win_back(wechat_template(client, admin), wait_minutes=1))
    journey_id = made["journey_id"]
    contact_id = member(client, admin, tenant)
    dormant(tenant, contact_id)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the template store is unreadable")

    monkeypatch.setattr(journey_engine.Runner, "_send", broken)
    tries_at, tried = [], 0
    for minutes in range(2, 200):
        clock.set_offset_seconds(minutes * 60)
        journey_engine.tick()
        [enrollment] = journeys_dal.enrollments_of(tenant, contact_id)  # this test's own contact
        if enrollment.failures > tried:
            tries_at.append(minutes)
            tried = enrollment.failures
        if enrollment.state == "exited":
            break
    # Tried at once, then after 2, 4, 8 and 16 minutes: five tries, then the contact's run ends.
    assert [later - tries_at[0] for later in tries_at] == [0, 2, 6, 14, 30]
    assert (enrollment.state, enrollment.step_id) == ("exited", "send")
    assert enrollment.error == "RuntimeError: the template store is unreadable"
    clock.set_offset_seconds(400 * 60)
    journey_engine.tick()
    assert journeys_dal.enrollments_of(tenant, contact_id) == [enrollment]  # no longer due: untouched
    stats = client.get(f"/v1/journeys/{journey_id}/stats", token=admin).json
    assert (stats["active"], stats["exited"]) == (0, 1)
    steps = {step["step_id"]: step for step in stats["steps"]}
    assert steps["wait"] == {"step_id": "wait", "entered": 1, "waiting": 0, "passed": 1, "exited": 0}
    assert steps["send"] == {"step_id": "send", "entered": 1, "waiting": 0, "passed": 0, "exited": 1}
    assert sends_to(tenant, journey_id, contact_id) == []


def birthday_journey(template_id: str) -> dict[str, Any]:
    return {
        "name": "生日礼",
        "trigger": {"kind": "date", "attribute": "birthday", "at": "09:00"},
        "entry": "greet",
        "steps": [
            {"type": "send", "id": "greet", "template_id": template_id, "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }


def shanghai_morning(day: Any, hour: int = 9, minute: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_a_birthday_journey_fires_once_on_the_birthday_in_the_tenants_zone_and_again_next_year(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin)
    chosen = wechat_template(client, admin)
    birthday = (clock.utc_now() + timedelta(days=3)).astimezone(SHANGHAI).date()
    born = member(client, admin, tenant, birthday=birthday.replace(year=1990).isoformat())
    other = member(client, admin, tenant, birthday=(birthday + timedelta(days=1)).replace(year=1991).isoformat())
    made = journey(client, admin, birthday_journey(chosen))

    # 08:30 on the birthday in Shanghai is 00:30 UTC: not yet.
    dev_clock.set_to(shanghai_morning(birthday, 8, 30))
    journey_engine.sweep_dates()
    assert sends_to(tenant, made["journey_id"], born) == []
    dev_clock.set_to(shanghai_morning(birthday))
    journey_engine.sweep_dates()
    journey_engine.sweep_dates()
    dev_clock.set_to(shanghai_morning(birthday, 20, 0))
    journey_engine.sweep_dates()
    assert len(sends_to(tenant, made["journey_id"], born)) == 1
    assert sends_to(tenant, made["journey_id"], other) == []

    next_year = birthday.replace(year=birthday.year + 1)
    dev_clock.set_to(shanghai_morning(next_year))
    journey_engine.sweep_dates()
    assert len(sends_to(tenant, made["journey_id"], born)) == 2
    [enrollment] = journeys_dal.enrollments_of(tenant, born)
    assert enrollment.run == 2


def test_a_journey_send_due_at_22_waits_for_9_the_next_morning(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin, quiet_hours={"start": "21:00", "end": "09:00"})
    chosen = wechat_template(client, admin)
    contact = member(client, admin, tenant)
    body = win_back(chosen, 60)
    made = journey(client, admin, body)
    evening = (clock.utc_now() + timedelta(days=1)).astimezone(SHANGHAI).date()
    dev_clock.set_to(shanghai_morning(evening, 21, 0))
    dormant(tenant, contact)
    dev_clock.set_to(shanghai_morning(evening, 22, 1))  # the wait ended at 22:00: quiet hours
    journey_engine.tick()
    assert sends_to(tenant, made["journey_id"], contact) == []
    [held] = journeys_dal.enrollments_of(tenant, contact)
    assert held.step_id == "send"
    assert held.due_at == clock.rfc3339(shanghai_morning(evening + timedelta(days=1), 9, 0))
    dev_clock.set_to(shanghai_morning(evening + timedelta(days=1), 9, 0))
    journey_engine.tick()
    assert len(sends_to(tenant, made["journey_id"], contact)) == 1


def test_a_journey_and_a_broadcast_racing_for_a_contacts_last_send_under_its_cap_send_once(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    settings(client, admin, caps={"wechat_template": {"per_week": 1}})
    chosen = wechat_template(client, admin)
    contacts = [member(client, admin, tenant) for _ in range(4)]
    sending = {
        "name": "立即发送",
        "trigger": {"kind": "lifecycle_changed", "to_stage": "dormant"},
        "entry": "send",
        "steps": [
            {"type": "send", "id": "send", "template_id": chosen, "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }
    made = journey(client, admin, sending)
    later = (clock.utc_now() + timedelta(hours=1)).isoformat()
    broadcast = client.post(
        "/v1/broadcasts",
        json_body={
            "name": "race",
            "channel": "wechat_template",
            "template_id": chosen,
            "contact_ids": contacts,
            "send_at": later,
        },
        token=admin,
    ).json
    start = threading.Barrier(len(contacts) + 1)

    def journey_side(contact_id: str) -> None:
        start.wait()
        dormant(tenant, contact_id)

    def broadcast_side() -> None:
        start.wait()
        planning.start(tenant, broadcast["broadcast_id"]) or None
        planning.step(
            tenant, f"evt-{uuid.uuid4().hex}", BroadcastStepped(broadcast_id=broadcast["broadcast_id"], step=0)
        )

    dev_clock.set_to(datetime.fromisoformat(later) + timedelta(minutes=1))
    threads = [threading.Thread(target=journey_side, args=(c,)) for c in contacts]
    threads.append(threading.Thread(target=lambda: _quiet(broadcast_side)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    eventually(
        lambda: client.get(f"/v1/broadcasts/{broadcast['broadcast_id']}", token=admin).json["status"] == "completed",
        timeout=30,
    )
    for contact_id in contacts:
        to_contact = [row for row in deliveries.fake_deliveries(tenant) if f"#{contact_id}" in row["sk"]]
        assert len(to_contact) == 1, (contact_id, to_contact)
    stats = client.get(f"/v1/broadcasts/{broadcast['broadcast_id']}", token=admin).json["stats"]
    journey_sends = sum(len(sends_to(tenant, made["journey_id"], c)) for c in contacts)
    assert stats["sent"] + journey_sends == len(contacts), (
        stats,
        [r["sk"] for r in deliveries.fake_deliveries(tenant)],
        made["journey_id"],
        broadcast["broadcast_id"],
    )
    assert stats["skipped"].get("cap_reached", 0) == len(contacts) - stats["sent"]


def _quiet(work: Any) -> None:
    with contextlib.suppress(AlreadyProcessed, ConcurrentUpdate):  # the bus's delivery of the same step won
        work()


def test_a_faulty_journey_is_refused_naming_the_step_and_roles_are_enforced(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    chosen = wechat_template(client, admin)
    cyclic = win_back(chosen)
    cyclic["steps"][2] = {"type": "tag", "id": "tag", "tag": "winback", "next": "send"}  # send -> tag -> send
    cyclic["steps"][1] = {
        "type": "branch",
        "id": "send",
        "yes": "tag",
        "no": "done",
        "condition": {"kind": "segment", "segment_id": "s"},
    }
    answer = client.post("/v1/journeys", json_body=cyclic, token=admin)
    assert answer.status == 422
    assert answer.json["detail"] == "Step 'send': is on a cycle without a wait"
    assert answer.json["errors"][0]["loc"] == ["body", "steps", "1", "id"]
    unknown = win_back("tpl_nope")
    answer = client.post("/v1/journeys", json_body=unknown, token=admin)
    assert answer.status == 422
    assert answer.json["errors"][0]["loc"] == ["body", "steps", "1", "template_id"]
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.post("/v1/journeys", json_body=win_back(chosen), token=guide).status == 403
    assert client.get("/v1/journeys", token=admin).json["items"] == []
    templates = client.get("/v1/journey-templates", token=admin).json["items"]
    assert {entry["key"] for entry in templates} == {
        "welcome_series",
        "birthday_gift",
        "dormant_win_back",
        "points_expiry_reminder",
        "post_case_follow_up",
    }
