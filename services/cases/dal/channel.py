"""The only code that touches the cases table's channel items.

Item layout (pk / sk):
- window     T#{t}#WINDOW#{app_id}#{openid} / WINDOW   the member's last message, replies sent since
- app        CHANNEL#wechat#{app_id} / APP             which tenant a WeChat app belongs to, its token
- delivery   T#{t}#FAKECHANNEL#{app_id}#{openid} / {at}#{message_id}   what the local fake "sent"

A reply takes a place in the window with one conditional update, so two replies sent at once
can never both take the fifth place.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from services.cases.dal.table import table
from services.cases.models import WechatMessage
from shared import dynamo
from shared.clock import now_rfc3339
from shared.dynamo import Prepare, Transaction
from shared.errors import Conflict
from shared.events.cases import ChannelAddress, ChannelMessageReceived
from shared.outbox import publish_with

WINDOW_SECONDS = 48 * 3600
WINDOW_MESSAGES = 5
FAKE_RETENTION_SECONDS = 7 * 24 * 3600
SOURCE_RETENTION_SECONDS = 3 * 24 * 3600  # WeChat retries a call within seconds; days is plenty


class AlreadyReceived(Conflict):
    pass


def _window_key(tenant_id: str, address: ChannelAddress) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#WINDOW#{address.app_id}#{address.openid}", "sk": "WINDOW"}


def open_window(tx: Transaction, tenant_id: str, address: ChannelAddress, now: float | None = None) -> None:
    """The member wrote: the window opens (again) for 48 hours and five replies."""
    tx.put({**_window_key(tenant_id, address), "kind": "window", "last_inbound": int(now or time.time()), "sent": 0})


def open_window_with(tenant_id: str, address: ChannelAddress, *prepares: Prepare) -> None:
    """Open the window in a write of its own, with the caller's items (an event's marker)."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    open_window(tx, tenant_id, address)
    tx.commit()


def window_opener(tenant_id: str, address: ChannelAddress) -> Prepare:
    """``open_window`` as a hook, for a transaction that someone else builds (a case's write)."""
    return lambda tx: open_window(tx, tenant_id, address)


def take_window_place(
    tenant_id: str, address: ChannelAddress, now: float | None = None
) -> Literal["ok", "window_closed", "window_message_limit"]:
    from botocore.exceptions import ClientError  # with the first reply, as boto3 itself (cold start)

    moment = int(now or time.time())
    try:
        dynamo.client().update_item(
            TableName=table(),
            Key=dynamo.serialize(_window_key(tenant_id, address)),
            UpdateExpression="ADD sent :one",
            ConditionExpression="last_inbound >= :cutoff AND sent < :most",
            ExpressionAttributeValues=dynamo.serialize(
                {":one": 1, ":cutoff": moment - WINDOW_SECONDS, ":most": WINDOW_MESSAGES}
            ),
        )
        return "ok"
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
    window = dynamo.get_item(table(), _window_key(tenant_id, address))
    if window is None or int(window["last_inbound"]) < moment - WINDOW_SECONDS:
        return "window_closed"
    return "window_message_limit"


def give_window_place_back(tenant_id: str, address: ChannelAddress) -> None:
    """A reply the channel refused did not use its place."""
    dynamo.client().update_item(
        TableName=table(),
        Key=dynamo.serialize(_window_key(tenant_id, address)),
        UpdateExpression="ADD sent :minus",
        ConditionExpression="sent > :zero",
        ExpressionAttributeValues=dynamo.serialize({":minus": -1, ":zero": 0}),
    )


# ---- WeChat apps ---------------------------------------------------------------------------


def _app_key(app_id: str) -> dict[str, str]:
    return {"pk": f"CHANNEL#wechat#{app_id}", "sk": "APP"}


def register_app(tenant_id: str, app_id: str, token: str, kind: str) -> None:
    """An app belongs to one tenant: registering another tenant's app is refused."""
    Transaction(table()).put(
        {
            **_app_key(app_id),
            "kind": "channel_app",
            "tenant_id": tenant_id,
            "app_id": app_id,
            "token": token,
            "app_kind": kind,
        },
        condition="attribute_not_exists(pk) OR tenant_id = :tenant",
        values={":tenant": tenant_id},
        on_fail=Conflict("This app is registered to another tenant.", reason="app_taken"),
    ).commit()


def app(app_id: str) -> dict[str, Any] | None:
    return dynamo.get_item(table(), _app_key(app_id), consistent=False)


def receive(tenant_id: str, app_id: str, app_kind: str, message: WechatMessage) -> None:
    """Record a member's message as an event, once per WeChat MsgId (WeChat retries its calls)."""
    address = ChannelAddress(kind=app_kind, app_id=app_id, openid=message.openid)
    tx = Transaction(table())
    tx.put(
        {
            "pk": f"T#{tenant_id}#SOURCE#wechat#{app_id}#{message.msg_id}",
            "sk": "SOURCE",
            "kind": "source",
            "expires_at_epoch": int(time.time()) + SOURCE_RETENTION_SECONDS,
        },
        condition="attribute_not_exists(pk)",
        on_fail=AlreadyReceived("this message was received before"),
    )
    event = ChannelMessageReceived(
        channel=address,
        msg_id=message.msg_id,
        msg_type=message.msg_type,
        content=message.content,
        sent_at=message.sent_at,
    )
    publish_with(tx, tenant_id, event)
    try:
        tx.commit()
    except AlreadyReceived:
        return


# ---- the local fake's record of deliveries -------------------------------------------------


def _fake_pk(tenant_id: str, app_id: str, openid: str) -> str:
    return f"T#{tenant_id}#FAKECHANNEL#{app_id}#{openid}"


def record_fake_delivery(tenant_id: str, address: ChannelAddress, message_id: str, body: str) -> None:
    at = now_rfc3339()
    Transaction(table()).put(
        {
            "pk": _fake_pk(tenant_id, address.app_id, address.openid),
            "sk": f"{at}#{message_id}",
            "kind": "fake_delivery",
            "channel": address.kind,
            "message_id": message_id,
            "body": body,
            "at": at,
            "expires_at_epoch": int(time.time()) + FAKE_RETENTION_SECONDS,
        }
    ).commit()


def fake_deliveries(tenant_id: str, app_id: str, openid: str) -> list[dict[str, Any]]:
    page = dynamo.query_page(
        table(), partition_attr="pk", partition_value=_fake_pk(tenant_id, app_id, openid), limit=200, cursor=None
    )
    return [{k: item[k] for k in ("channel", "message_id", "body", "at")} for item in page.items]
