"""WeCom's callback for a tenant: the URL check (GET) and event delivery (POST), encrypted mode.

Public routes: WeCom calls them, signed with the corp's token. A verified event is queued on the
bus and answered ``success`` at once (WeCom waits five seconds); ``wecom-callbacks`` processes it.
"""

from __future__ import annotations

from typing import Annotated

from services.wecom.handlers.resolver import TenantId, api
from shared.http import Response
from shared.params import Query

Signed = Annotated[str | None, Query(max_length=128)]
EchoStr = Annotated[str | None, Query(max_length=1024)]


def _text(body: str) -> Response[str]:
    return Response(status_code=200, content_type="text/plain", body=body)


@api.route("GET /v1/channels/wecom/{tenant_id}/callback", media_type="text/plain", errors=(401,))
def check_url(
    tenant_id: TenantId,
    msg_signature: Signed = None,
    timestamp: Signed = None,
    nonce: Signed = None,
    echostr: EchoStr = None,
) -> Response[str]:
    """WeCom's check of the callback URL: the decrypted ``echostr`` when a corp's token signed it."""
    from services.wecom.logic import callbacks  # WeCom's calls only: XML, signatures, AES

    return _text(callbacks.check_url(tenant_id, msg_signature, timestamp, nonce, echostr))


@api.route("POST /v1/channels/wecom/{tenant_id}/callback", media_type="text/plain", consumes="text/xml", errors=(401,))
def receive(
    tenant_id: TenantId, msg_signature: Signed = None, timestamp: Signed = None, nonce: Signed = None
) -> Response[str]:
    """An encrypted event from WeCom: 401 when the signature, the corp or the timestamp is wrong;
    otherwise ``success``, the event queued once (or recorded with the reason it was not)."""
    from services.wecom.logic import callbacks  # WeCom's calls only: XML, signatures, AES

    return _text(callbacks.receive(tenant_id, msg_signature, timestamp, nonce, api.body_text()))
