"""WeChat's message callback: its signature, and the message XML it posts.

WeChat signs each call with sha1 over the sorted concatenation of the app's callback token, a
timestamp and a nonce. A call whose signature does not match, or for an app no tenant
registered, is refused (401) before its body is read.

Replays: the signature covers the timestamp, so a signed call is only good within
``REPLAY_WINDOW_SECONDS`` of its timestamp; an older (or future) one is refused as a stale
credential (401, like an expired token) — a captured call cannot be played again later. The
message's own ``CreateTime`` must fall in the same window, or the body is refused (400): WeChat
posts a message within seconds and retries it three times within about fifteen, so anything
further off is not a message WeChat is delivering now (and a number out of any date's range is
refused before it is turned into one).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from services.cases.dal import channel as channel_dal
from services.cases.models import WechatMessage
from shared.clock import rfc3339
from shared.errors import BadRequest, Unauthorized

REFUSED = "The callback's signature does not match."
REPLAY_WINDOW_SECONDS = 300
NOT_A_MESSAGE = "The callback body is not a WeChat message."


def within_window(epoch_seconds: str | None, now: float) -> int | None:
    """The time, when the text is a whole number of seconds within the replay window of now."""
    text = epoch_seconds or ""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    moment = int(text)
    return moment if abs(moment - now) <= REPLAY_WINDOW_SECONDS else None


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()  # noqa: S324 - WeChat's scheme


def verify(
    app: dict[str, Any] | None, sent: str | None, timestamp: str | None, nonce: str | None, now: float | None = None
) -> dict[str, Any]:
    """The registered app when the call is WeChat's and fresh; 401 otherwise (unknown apps alike)."""
    if app is None or not sent or not timestamp or not nonce:
        raise Unauthorized(REFUSED)
    if not hmac.compare_digest(signature(str(app["token"]), timestamp, nonce), sent.lower()):
        raise Unauthorized(REFUSED)
    if within_window(timestamp, time.time() if now is None else now) is None:
        raise Unauthorized("The callback's signed timestamp is outside the replay window.", reason="stale_timestamp")
    return app


def parse(body: str, now: float | None = None) -> WechatMessage | None:
    """The message in WeChat's XML, or None for what is not a member's message (events such as
    subscribe or menu clicks)."""
    if "<!DOCTYPE" in body or "<!ENTITY" in body:  # WeChat never sends them; refuse entity tricks
        raise BadRequest(NOT_A_MESSAGE)
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - no DTDs or entities get this far
    except ElementTree.ParseError:
        raise BadRequest(NOT_A_MESSAGE) from None

    def text(tag: str) -> str:
        return (root.findtext(tag) or "").strip()

    msg_type, openid, msg_id = text("MsgType"), text("FromUserName"), text("MsgId")
    if msg_type == "event" or not openid:
        return None
    if not msg_id or not msg_id.isdigit() or len(msg_id) > 64 or len(openid) > 128 or len(msg_type) > 32:
        raise BadRequest(NOT_A_MESSAGE)
    created = within_window(text("CreateTime"), time.time() if now is None else now)
    if created is None:
        raise BadRequest(
            "The message's CreateTime is missing or outside the replay window.", reason="create_time_out_of_window"
        )
    moment = datetime.fromtimestamp(created, UTC)
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
