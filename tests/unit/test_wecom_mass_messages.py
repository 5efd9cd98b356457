"""WeCom 群发: outreach's BroadcastDispatched becomes one add_msg_template per dispatch (a
redelivery never calls WeCom twice), WeCom's refusal fails it, its silence is retried; the staff
member's confirmation (the fake's dev route) and each recipient's result are polled into
WeComMassMessageProgressed; an unconfirmed task expires after 24 h."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from local import dev_clock
from local.fake_wecom import FAKE, MASS
from services.wecom.dal import mass_messages as dal
from services.wecom.gateways import client as wecom_api
from services.wecom.handlers.mass_messages import handler
from services.wecom.logic import mass_messages
from services.wecom.mass_message_models import MassMessage
from shared import clock, files
from shared.events.outreach import BroadcastDispatched
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_timeline import publish_at
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import ready
from tests.unit.test_wecom_transfers import published

ADD = "/cgi-bin/externalcontact/add_msg_template"
CANCEL = "/cgi-bin/externalcontact/cancel_groupmsg_send"
DEV = "/v1/dev/wecom/mass-messages"
CONTENT = {
    "text": "王女士您好, 本周会员日全场 8 折",
    "images": [{"media_id": "MEDIA_1"}],
    "links": [{"title": "会员日", "url": "https://shop.example.com/day", "desc": "只限本周"}],
    "miniprograms": [{"title": "商城", "appid": "wx123", "page": "pages/index", "pic_media_id": "MEDIA_2"}],
}


def customers(tenant: str, staff: str, count: int) -> list[str]:
    """``count`` customers of ``staff`` at the fake WeCom (no callback: the fake's state only)."""
    found = [f"wm{uuid.uuid4().hex[:12]}" for _ in range(count)]
    FAKE.script_staff(corp_of(tenant), staff, staff)
    for external in found:
        FAKE.customer_adds(corp_of(tenant), staff, external, welcome=False)
    return found


def dispatch(tenant: str, staff: str, ids: list[str] | None, **more: Any) -> dict[str, Any]:
    """A BroadcastDispatched's data, its recipients written to the file store as outreach does."""
    key = None
    if ids is not None:
        key = files.key("outreach", "dispatches", tenant, f"{uuid.uuid4().hex}.json")
        files.put(key, json.dumps(ids).encode(), "application/json")
    data = {
        "broadcast_id": f"bc_{uuid.uuid4().hex[:10]}",
        "dispatch_id": f"bc:{uuid.uuid4().hex[:10]}:{staff}",
        "corp_id": corp_of(tenant),
        "staff_id": staff,
        "chat_type": "single",
        "recipients_key": key,
        "recipients": len(ids or []),
        "content": CONTENT,
        **more,
    }
    BroadcastDispatched.model_validate(data)  # the contract outreach publishes
    return data


def deliver(tenant: str, data: dict[str, Any], event_id: str | None = None) -> list[Any]:
    """The dispatch handed to the consumer as its queue does; the batch's failures."""
    body = {
        "id": uuid.uuid4().hex,
        "source": "siyu.outreach",
        "detail-type": "BroadcastDispatched",
        "detail": {
            "metadata": {
                "event_id": event_id or f"evt-{uuid.uuid4().hex}",
                "event_version": 1,
                "tenant_id": tenant,
                "occurred_at": clock.now_rfc3339(),
                "correlation_id": "mass-test",
            },
            "data": data,
        },
    }
    answer = handler({"Records": [{"messageId": uuid.uuid4().hex, "body": json.dumps(body)}]}, None)
    return list(answer["batchItemFailures"])


def created(tenant: str) -> list[dict[str, Any]]:
    return published(tenant, "WeComMassMessageCreated")


def adds(tenant: str) -> list[dict[str, Any]]:
    return FAKE.calls(corp_of(tenant), ADD)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wecom_api.client(), "_sleep", lambda seconds: None)


def test_a_dispatch_is_one_add_msg_template_whatever_the_redeliveries(client: Client, tenant: str) -> None:
    ready(client, tenant)
    friends = customers(tenant, "anna", 3)
    data = dispatch(tenant, "anna", [*friends, "wm-stranger"])
    assert deliver(tenant, data, "evt-1") == []
    assert deliver(tenant, data, "evt-1") == []  # SQS redelivered it
    assert deliver(tenant, data, "evt-2") == []  # outreach published the same dispatch again

    [call] = adds(tenant)
    assert call["app"] == "contact"
    assert call["body"] == {
        "chat_type": "single",
        "sender": "anna",
        "external_userid": [*friends, "wm-stranger"],
        "text": {"content": CONTENT["text"]},
        "attachments": [
            {"msgtype": "image", "image": {"media_id": "MEDIA_1"}},
            {"msgtype": "link", "link": CONTENT["links"][0]},
            {"msgtype": "miniprogram", "miniprogram": CONTENT["miniprograms"][0]},
        ],
    }
    [event] = created(tenant)
    [task] = MASS.listed(corp_of(tenant))
    assert event == {
        "broadcast_id": data["broadcast_id"],
        "dispatch_id": data["dispatch_id"],
        "staff_id": "anna",
        "outcome": "created",
        "msgid": task["msgid"],
        "rejected": 1,
        "reason": None,
    }
    assert task["fail_list"] == ["wm-stranger"]
    assert task["text"] == CONTENT["text"]
    listed = client.get(f"{DEV}?corp_id={corp_of(tenant)}&sender=anna").json["mass_messages"]
    assert [row["msgid"] for row in listed] == [task["msgid"]]


def test_wecom_refusing_fails_the_dispatch_once_and_wecom_busy_is_retried(
    client: Client, tenant: str, no_backoff: None
) -> None:
    ready(client, tenant)
    friends = customers(tenant, "anna", 2)
    refused = dispatch(tenant, "anna", friends)
    FAKE.fail_next(ADD, 41048)
    assert deliver(tenant, refused) == []
    assert deliver(tenant, refused) == []  # not retried: WeCom said no
    assert len(adds(tenant)) == 1
    [event] = created(tenant)
    assert (event["outcome"], event["reason"], event["msgid"]) == ("failed", "errcode_41048", None)

    busy = dispatch(tenant, "anna", friends)
    FAKE.fail_next(ADD, -1, times=4)  # busy through the client's four attempts
    assert len(deliver(tenant, busy)) == 1  # the queue will redeliver it
    assert dal.get(tenant, busy["dispatch_id"]).state == "ready"  # type: ignore[union-attr]
    assert deliver(tenant, busy) == []
    assert len(adds(tenant)) == 1 + 4 + 1
    assert sorted(e["outcome"] for e in created(tenant)) == ["created", "failed"]


def test_a_call_that_may_have_made_the_task_is_never_made_again(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready(client, tenant)
    friends = customers(tenant, "anna", 1)
    # A claim held by a delivery that is still calling: this one is retried later, without a call.
    calling = dispatch(tenant, "anna", friends)
    base = MassMessage(
        tenant_id=tenant,
        dispatch_id=calling["dispatch_id"],
        broadcast_id=calling["broadcast_id"],
        corp_id=corp_of(tenant),
        staff_id="anna",
        chat_type="single",
        state="calling",
        attempts=1,
        claimed_at=clock.now_rfc3339(),
    )
    dal.claim(base)
    assert len(deliver(tenant, calling)) == 1
    # The same claim, never answered (its function died): settled as unknown, never called again.
    dev_clock.advance(mass_messages.CLAIM_SECONDS + 1)
    assert deliver(tenant, calling) == []
    # A call WeCom never answered (a timeout: a POST the client does not repeat): the same.
    silent = dispatch(tenant, "anna", friends)

    def no_answer(*args: Any, **kwargs: Any) -> Any:
        raise wecom_api.TransientFailure("WeCom did not answer (TimeoutError).")

    monkeypatch.setattr(wecom_api.client(), "add_msg_template", no_answer)
    assert deliver(tenant, silent) == []
    assert adds(tenant) == []
    assert [(e["dispatch_id"], e["reason"]) for e in created(tenant)] in (
        [(calling["dispatch_id"], "outcome_unknown"), (silent["dispatch_id"], "outcome_unknown")],
        [(silent["dispatch_id"], "outcome_unknown"), (calling["dispatch_id"], "outcome_unknown")],
    )


def test_a_dispatch_that_cannot_be_asked_fails_without_a_call(client: Client, tenant: str) -> None:
    ready(client, tenant)
    missing = dispatch(tenant, "anna", None, recipients_key=f"outreach/dispatches/{tenant}/gone.json")
    empty = dispatch(tenant, "anna", ["wm1"], content={})
    for data in (missing, empty):
        assert deliver(tenant, data) == []
    assert adds(tenant) == []
    reasons = {e["dispatch_id"]: e["reason"] for e in created(tenant)}
    assert reasons == {missing["dispatch_id"]: "recipients_missing", empty["dispatch_id"]: "empty_content"}


def test_the_confirmed_task_is_polled_into_exact_counts(client: Client, tenant: str) -> None:
    ready(client, tenant)
    corp = corp_of(tenant)
    friends = customers(tenant, "anna", 5)
    # One customer had a 群发 today already; one removes anna before she sends it.
    earlier = dispatch(tenant, "anna", friends[:1])
    assert deliver(tenant, earlier) == []
    [first] = MASS.listed(corp)
    assert client.post(f"{DEV}/{first['msgid']}/confirm").status == 200
    data = dispatch(tenant, "anna", [*friends, "wm-stranger"])
    assert deliver(tenant, data) == []
    msgid = next(e["msgid"] for e in created(tenant) if e["dispatch_id"] == data["dispatch_id"])
    assert mass_messages.poll_now(tenant, msgid) is None  # still pending: nothing changed

    FAKE.customer_deletes_staff(corp, "anna", friends[1])
    confirmed = client.post(f"{DEV}/{msgid}/confirm")
    assert confirmed.status == 200, confirmed.body
    assert confirmed.json["results"] == {friends[0]: 3, friends[1]: 2, **dict.fromkeys(friends[2:], 1)}
    event = mass_messages.poll_now(tenant, msgid)
    assert event is not None
    assert event.model_dump(exclude={"polled_at"}) == {
        "broadcast_id": data["broadcast_id"],
        "dispatch_id": data["dispatch_id"],
        "staff_id": "anna",
        "msgid": msgid,
        "task_status": "confirmed",
        "delivered": 3,
        "failed": 2,
        "unsent": 0,
        "final": True,
    }
    assert published(tenant, "WeComMassMessageProgressed") == [event.model_dump(mode="json")]
    assert mass_messages.poll_now(tenant, msgid) is None  # final: out of the due index
    assert client.post(f"{DEV}/{msgid}/confirm").status == 409  # sent already


def test_an_unconfirmed_task_expires_after_a_day_and_is_stopped_at_wecom(client: Client, tenant: str) -> None:
    ready(client, tenant)
    friends = customers(tenant, "bo", 2)
    data = dispatch(tenant, "bo", friends)
    assert deliver(tenant, data) == []
    [task] = MASS.listed(corp_of(tenant))
    dev_clock.advance(mass_messages.EXPIRE_SECONDS + 60)
    assert mass_messages.poll_due(tenant)["published"] == 1  # the schedule's run
    [event] = published(tenant, "WeComMassMessageProgressed")
    assert (event["task_status"], event["unsent"], event["delivered"], event["final"]) == ("expired", 2, 0, True)
    [cancel] = FAKE.calls(corp_of(tenant), CANCEL)
    assert cancel["body"] == {"msgid": task["msgid"]}
    assert client.post(f"{DEV}/{task['msgid']}/confirm").status == 409  # too late to send it
    assert mass_messages.poll_due(tenant)["polled"] == 0


def test_a_dispatch_published_on_the_bus_reaches_wecom(client: Client, tenant: str) -> None:
    ready(client, tenant)
    friends = customers(tenant, "anna", 1)
    data = dispatch(tenant, "anna", friends)
    publish_at(tenant, "siyu.outreach", "BroadcastDispatched", data, clock.now_rfc3339())
    [event] = eventually(lambda: created(tenant))
    assert event["outcome"] == "created"
    assert len(adds(tenant)) == 1


def test_a_group_dispatch_goes_to_every_group_the_sender_owns(client: Client, tenant: str) -> None:
    ready(client, tenant)
    corp = corp_of(tenant)
    for staff in ("anna", "bo"):
        FAKE.script_staff(corp, staff, staff)
    for chat, owner in (("wrA", "anna"), ("wrB", "anna"), ("wrC", "bo")):
        FAKE.script_group(corp, f"{chat}{tenant}", chat, owner)
    data = dispatch(tenant, "anna", None, chat_type="group", content={"text": "群里的朋友们好"})
    assert deliver(tenant, data) == []
    [call] = adds(tenant)
    assert call["body"] == {"chat_type": "group", "sender": "anna", "text": {"content": "群里的朋友们好"}}
    [event] = created(tenant)
    assert client.post(f"{DEV}/{event['msgid']}/confirm").status == 200
    progressed = mass_messages.poll_now(tenant, event["msgid"])
    assert progressed is not None
    assert (progressed.task_status, progressed.delivered, progressed.failed, progressed.final) == (
        "confirmed",
        2,
        0,
        True,
    )
