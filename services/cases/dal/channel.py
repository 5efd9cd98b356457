"""The only code that touches the cases table's channel items.

Item layout (pk / sk):
- window     T#{t}#WINDOW#{app_id}#{openid} / WINDOW   the member's last message, replies sent since
- app        CHANNEL#wechat#{app_id} / APP             which tenant a WeChat app belongs to, its token
                                                   (and EncodingAESKey, in safe mode)
- delivery   T#{t}#FAKECHANNEL#{app_id}#{openid} / {at}#{message_id}   what the local fake "sent"
- sender     T#{t}#CHANNEL#{app_id}#{openid} / SENDER   when cases last asked contacts who the sender
                                                   is, and the contact it answered (the link)
- linked     T#{t}#CONTACT#{c} / SENDER#{app_id}#{openid}   the senders linked to a contact, so
                                                   that its erasure forgets them

A reply takes a place in the window with one conditional update, so two replies sent at once
can never both take the fifth place.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from services.cases.dal.table import contact_pk, sender_pk, table
from services.cases.models import ChannelSender, WechatMessage
from shared import dynamo
from shared.clock import now_rfc3339
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.events.cases import ChannelAddress, ChannelMessageReceived, ChannelSenderSeen
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


def register_app(tenant_id: str, app_id: str, token: str, kind: str, encoding_aes_key: str | None = None) -> None:
    """An app belongs to one tenant: registering another tenant's app is refused. The item is
    replaced whole: registering again without an EncodingAESKey takes the app out of safe mode."""
    item = {
        **_app_key(app_id),
        "kind": "channel_app",
        "tenant_id": tenant_id,
        "app_id": app_id,
        "token": token,
        "app_kind": kind,
    }
    if encoding_aes_key is not None:
        item["encoding_aes_key"] = encoding_aes_key  # beside the token; no route returns either
    Transaction(table()).put(
        item,
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


# ---- senders and the contacts they are ----------------------------------------------------


class SenderMoved(ConcurrentUpdate):
    """Someone asked about the sender, or linked them, since the sender was read."""


class SenderLinked(ConcurrentUpdate):
    """The sender was linked to a contact meanwhile: a case for them must name the contact."""


class LinkedElsewhere(Conflict):
    """The sender is linked to another contact already (the first answer stays)."""


def _sender_key(tenant_id: str, address: ChannelAddress) -> dict[str, str]:
    return {"pk": sender_pk(tenant_id, address), "sk": "SENDER"}


def _linked_key(tenant_id: str, contact_id: str, address: ChannelAddress) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"SENDER#{address.app_id}#{address.openid}"}


def sender(tenant_id: str, address: ChannelAddress) -> ChannelSender | None:
    """What cases knows of the sender (read consistently: a link just written is seen)."""
    item = dynamo.get_item(table(), _sender_key(tenant_id, address))
    return ChannelSender.model_validate(item) if item else None


def ask(tenant_id: str, address: ChannelAddress, unionid: str | None, asked_before: int | None) -> bool:
    """Record that cases asks who the sender is and publish ``ChannelSenderSeen``, in one write,
    only if nobody asked since ``asked_before`` (None: nobody ever) and no link was made. False
    when another message of the sender asked first."""
    tx = Transaction(table())
    now = int(time.time())
    moved = SenderMoved("the sender was asked about meanwhile")
    if asked_before is None:
        tx.put(
            {**_sender_key(tenant_id, address), "kind": "channel_sender", "asked_at": now},
            condition="attribute_not_exists(pk)",
            on_fail=moved,
        )
    else:
        tx.update(
            _sender_key(tenant_id, address),
            "SET asked_at = :now",
            condition="asked_at = :before AND attribute_not_exists(contact_id)",
            values={":now": now, ":before": asked_before},
            on_fail=moved,
        )
    publish_with(tx, tenant_id, ChannelSenderSeen(channel=address, unionid=unionid))
    try:
        tx.commit()
    except SenderMoved:
        return False
    return True


def link(tenant_id: str, address: ChannelAddress, contact_id: str, *prepares: Prepare) -> str:
    """Link the sender to the contact (with an entry under the contact, which its merge or erasure
    follows) with the caller's items; answer the contact the sender is linked to, which is the
    first one linked."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    tx.update(
        _sender_key(tenant_id, address),
        "SET contact_id = :c, #kind = :kind",
        condition="attribute_not_exists(contact_id) OR contact_id = :c",
        names={"#kind": "kind"},
        values={":c": contact_id, ":kind": "channel_sender"},
        on_fail=LinkedElsewhere("the sender is linked to another contact"),
    )
    tx.put({**_linked_key(tenant_id, contact_id, address), "kind": "linked_sender", **address.model_dump()})
    try:
        tx.commit()
    except LinkedElsewhere:
        known = sender(tenant_id, address)
        if known is None or known.contact_id is None:
            raise SenderMoved("the sender's link was removed meanwhile") from None
        return known.contact_id
    return contact_id


def still_unlinked(tenant_id: str, address: ChannelAddress) -> Prepare:
    """A transaction item that fails (``SenderLinked``) if the sender was linked to a contact since
    it was read: a case without a contact is never written after the link (whose handler then
    moves the sender's cases to the contact, reading their index consistently)."""

    def check(tx: Transaction) -> None:
        tx.check(
            _sender_key(tenant_id, address),
            "attribute_not_exists(contact_id)",
            on_fail=SenderLinked("the sender was linked meanwhile"),
        )

    return check


def _linked_senders(tenant_id: str, contact_id: str) -> list[ChannelAddress]:
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": contact_pk(tenant_id, contact_id), ":s": "SENDER#"}),
        "ConsistentRead": True,
    }
    return [
        ChannelAddress.model_validate({k: item[k] for k in ChannelAddress.model_fields})
        for item in dynamo.query_pages(request)
    ]


def forget_senders(tenant_id: str, contact_id: str) -> None:
    """The contact was erased: its senders' links go (a later message asks contacts again, which
    no longer knows the openid), each with its entry under the contact."""
    for address in _linked_senders(tenant_id, contact_id):
        tx = Transaction(table())
        tx.delete(_sender_key(tenant_id, address))
        tx.delete(_linked_key(tenant_id, contact_id, address))
        tx.commit()


def move_senders(tenant_id: str, alias_id: str, survivor_id: str) -> None:
    """The contact was merged into another: its senders are linked to the survivor (a repeat finds
    none left to move)."""
    for address in _linked_senders(tenant_id, alias_id):
        tx = Transaction(table())
        tx.update(
            _sender_key(tenant_id, address),
            "SET contact_id = :survivor",
            condition="contact_id = :alias",
            values={":survivor": survivor_id, ":alias": alias_id},
            on_fail=SenderMoved("the sender's link changed meanwhile"),
        )
        tx.delete(_linked_key(tenant_id, alias_id, address))
        tx.put({**_linked_key(tenant_id, survivor_id, address), "kind": "linked_sender", **address.model_dump()})
        tx.commit()


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
