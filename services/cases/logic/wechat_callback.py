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

Safe mode (安全模式): an app registered with an EncodingAESKey takes encrypted calls only. WeChat
then adds ``encrypt_type=aes`` and ``msg_signature`` to the query and posts
``<xml><ToUserName/><Encrypt/></xml>``; ``msg_signature`` is sha1 over the sorted token, timestamp,
nonce and ``Encrypt``, and the ciphertext (AES-256-CBC under the key, WeCom's WXBizMsgCrypt scheme:
``shared.wecom_crypto``) must name the app id as its receive id. A call that fails any of these is
refused (401) and records nothing; the decrypted message then takes the plaintext path unchanged.
A plaintext call to such an app is refused too: an unsigned one as any bad signature, a signed one
(WeChat still in plaintext mode) with ``reason: encryption_required``. The URL check (GET) is the
same in every mode: WeChat signs it with ``signature`` and echoes ``echostr`` in the clear.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

from services.cases.dal import channel as channel_dal
from services.cases.models import WechatMessage
from shared import wecom_crypto
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


def fresh(timestamp: str, now: float | None) -> None:
    """401 unless the signed timestamp is within the replay window (a stale credential)."""
    if within_window(timestamp, time.time() if now is None else now) is None:
        raise Unauthorized("The callback's signed timestamp is outside the replay window.", reason="stale_timestamp")


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
    fresh(timestamp, now)
    return app


def parse(body: str, now: float | None = None) -> WechatMessage | None:
    """The message in WeChat's XML, or None for what is not a member's message (events such as
    subscribe or menu clicks)."""
    try:
        fields = wecom_crypto.parse_xml(body)  # no DTDs or entities, bounded size and depth
    except wecom_crypto.CallbackCryptoError:
        raise BadRequest(NOT_A_MESSAGE) from None

    def text(tag: str) -> str:
        return fields.get(tag, "")

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


def decrypt(
    app: dict[str, Any],
    msg_signature: str | None,
    timestamp: str | None,
    nonce: str | None,
    body: str,
    now: float | None = None,
) -> str:
    """The message inside a safe-mode call, when the call is WeChat's for this app and fresh; 401
    otherwise. The signature is checked before the ciphertext is touched."""
    if not msg_signature or not timestamp or not nonce:
        raise Unauthorized(REFUSED)
    try:
        encrypted = wecom_crypto.parse_xml(body).get("Encrypt", "")
        if not encrypted:  # a body that is not WeChat's envelope cannot be authenticated
            raise Unauthorized(REFUSED)
        wecom_crypto.verify_signature(str(app["token"]), timestamp, nonce, encrypted, msg_signature)
    except wecom_crypto.CallbackCryptoError:
        raise Unauthorized(REFUSED) from None
    fresh(timestamp, now)
    try:
        return wecom_crypto.decrypt(str(app["encoding_aes_key"]), encrypted, str(app["app_id"]))
    except wecom_crypto.CallbackCryptoError as error:
        # Signed with the app's token, yet not encrypted for this app with its key.
        raise Unauthorized("The callback's ciphertext is not this app's.", reason=error.reason) from None


def receive(
    app_id: str,
    sent: str | None,
    timestamp: str | None,
    nonce: str | None,
    body: str,
    *,
    encrypt_type: str | None = None,
    msg_signature: str | None = None,
) -> None:
    """A signed call's member message, recorded as an event once per WeChat MsgId; an app with an
    EncodingAESKey takes safe-mode (encrypted) calls only."""
    app = channel_dal.app(app_id)
    if app is None or not app.get("encoding_aes_key"):
        app = verify(app, sent, timestamp, nonce)
    elif encrypt_type != "aes":
        verify(app, sent, timestamp, nonce)  # the unsigned are refused like any bad signature
        raise Unauthorized(
            "This app's callback is in safe mode: calls must be encrypted.", reason="encryption_required"
        )
    else:
        body = decrypt(app, msg_signature, timestamp, nonce, body)
    message = parse(body)
    if message is not None:
        channel_dal.receive(str(app["tenant_id"]), app_id, str(app["app_kind"]), message)
