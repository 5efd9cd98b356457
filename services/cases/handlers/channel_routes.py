"""WeChat's message callback for an app: the URL check (GET) and members' messages (POST).

Both are public routes: WeChat calls them, signed with the app's token. A message is recorded as a
``ChannelMessageReceived`` event and answered ``success`` at once (WeChat waits five seconds at
most); the cases consumer then opens or continues a case, or sends a knowledge-base auto-reply.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from services.cases.dal import channel as channel_dal
from services.cases.handlers.resolver import api
from services.cases.logic import wechat_callback

AppId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Signed = Annotated[str | None, Query(max_length=128)]


def _text(body: str) -> Response[str]:
    return Response(status_code=200, content_type="text/plain", body=body)


@api.route("GET /v1/channels/wechat/{app_id}/messages")
def check_url(
    app_id: AppId, signature: Signed = None, timestamp: Signed = None, nonce: Signed = None, echostr: Signed = None
) -> Response[str]:
    """WeChat's check of the callback URL: echo ``echostr`` back when the signature matches."""
    wechat_callback.verify(channel_dal.app(app_id), signature, timestamp, nonce)
    return _text(echostr or "")


@api.route("POST /v1/channels/wechat/{app_id}/messages")
def receive(app_id: AppId, signature: Signed = None, timestamp: Signed = None, nonce: Signed = None) -> Response[str]:
    """A member's message to the app (plaintext mode XML); 401 when the signature does not match."""
    app = wechat_callback.verify(channel_dal.app(app_id), signature, timestamp, nonce)
    message = wechat_callback.parse(api.resolver.current_event.decoded_body or "")
    if message is not None:
        channel_dal.receive(str(app["tenant_id"]), app_id, str(app["app_kind"]), message)
    return _text("success")
