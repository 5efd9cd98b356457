"""WeChat's message callback for an app: the URL check (GET) and members' messages (POST).

Both are public routes: WeChat calls them, signed with the app's token (and in safe mode encrypted
with the app's EncodingAESKey: ``logic.wechat_callback``). A message is recorded as a
``ChannelMessageReceived`` event and answered ``success`` at once (WeChat waits five seconds at
most); the cases consumer then opens or continues a case, or sends a knowledge-base auto-reply.
"""

from __future__ import annotations

from typing import Annotated

from services.cases.handlers.resolver import AppId, api
from shared.http import Response
from shared.params import Query

Signed = Annotated[str | None, Query(max_length=128)]


def _text(body: str) -> Response[str]:
    return Response(status_code=200, content_type="text/plain", body=body)


@api.route("GET /v1/channels/wechat/{app_id}/messages", media_type="text/plain", errors=(401,))
def check_url(
    app_id: AppId, signature: Signed = None, timestamp: Signed = None, nonce: Signed = None, echostr: Signed = None
) -> Response[str]:
    """WeChat's check of the callback URL: echo ``echostr`` back when ``signature`` (over the token,
    timestamp and nonce) matches; the same in plaintext and safe mode."""
    from services.cases.logic import wechat_callback  # WeChat's calls only: XML and signatures

    wechat_callback.check_url(app_id, signature, timestamp, nonce)
    return _text(echostr or "")


@api.route("POST /v1/channels/wechat/{app_id}/messages", media_type="text/plain", consumes="text/xml", errors=(401,))
def receive(
    app_id: AppId,
    signature: Signed = None,
    timestamp: Signed = None,
    nonce: Signed = None,
    encrypt_type: Signed = None,
    msg_signature: Signed = None,
) -> Response[str]:
    """A member's message to the app, answered ``success``. Plaintext mode: the message XML, signed
    with ``signature`` over the token, timestamp and nonce. Safe mode (an app registered with an
    ``encoding_aes_key``): ``encrypt_type=aes`` and ``msg_signature`` over the token, timestamp,
    nonce and the body's ``Encrypt``, whose ciphertext names the app id; such an app refuses
    plaintext calls. 401 when a signature, the app id inside the ciphertext or the timestamp (±300
    s) does not hold, and nothing is recorded."""
    from services.cases.logic import wechat_callback  # WeChat's calls only: XML and signatures

    wechat_callback.receive(
        app_id,
        signature,
        timestamp,
        nonce,
        api.body_text(),
        encrypt_type=encrypt_type,
        msg_signature=msg_signature,
    )
    return _text("success")
