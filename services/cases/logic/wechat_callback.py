"""WeChat's message callback: its signature, and the message XML it posts.

WeChat signs each call with sha1 over the sorted concatenation of the app's callback token, a
timestamp and a nonce. A call whose signature does not match, or for an app no tenant
registered, is refused (401) before its body is read.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from services.cases.dal import channel as channel_dal
from services.cases.models import WechatMessage
from shared.clock import rfc3339
from shared.errors import BadRequest, Unauthorized

REFUSED = "The callback's signature does not match."


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()  # noqa: S324 - WeChat's scheme


def verify(app: dict[str, Any] | None, sent: str | None, timestamp: str | None, nonce: str | None) -> dict[str, Any]:
    """The registered app when the call is WeChat's; 401 otherwise (unknown apps alike)."""
    if app is None or not sent or not timestamp or not nonce:
        raise Unauthorized(REFUSED)
    if not hmac.compare_digest(signature(str(app["token"]), timestamp, nonce), sent.lower()):
        raise Unauthorized(REFUSED)
    return app


def parse(body: str) -> WechatMessage | None:
    """The message in WeChat's XML, or None for what is not a member's message (events such as
    subscribe or menu clicks)."""
    if "<!DOCTYPE" in body or "<!ENTITY" in body:  # WeChat never sends them; refuse entity tricks
        raise BadRequest("The callback body is not a WeChat message.")
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - no DTDs or entities get this far
    except ElementTree.ParseError:
        raise BadRequest("The callback body is not a WeChat message.") from None

    def text(tag: str) -> str:
        return (root.findtext(tag) or "").strip()

    msg_type, openid, msg_id = text("MsgType"), text("FromUserName"), text("MsgId")
    if msg_type == "event" or not openid:
        return None
    if not msg_id or not msg_id.isdigit() or len(msg_id) > 64 or len(openid) > 128 or len(msg_type) > 32:
        raise BadRequest("The callback body is not a WeChat message.")
    created = text("CreateTime")
    moment = datetime.fromtimestamp(int(created), UTC) if created.isdigit() else datetime.now(UTC)
    return WechatMessage(
        openid=openid,
        msg_type=msg_type,
        content=text("Content")[:4000] if msg_type == "text" else "",
        msg_id=msg_id,
        sent_at=rfc3339(moment),
    )


def check_url(app_id: str, sent: str | None, timestamp: str | None, nonce: str | None) -> None:
    """WeChat's check of the callback URL: 401 unless the app is registered and the call signed."""
    verify(channel_dal.app(app_id), sent, timestamp, nonce)


def receive(app_id: str, sent: str | None, timestamp: str | None, nonce: str | None, body: str) -> None:
    """A signed call's member message, recorded as an event once per WeChat MsgId."""
    app = verify(channel_dal.app(app_id), sent, timestamp, nonce)
    message = parse(body)
    if message is not None:
        channel_dal.receive(str(app["tenant_id"]), app_id, str(app["app_kind"]), message)
