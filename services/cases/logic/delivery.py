"""Delivering a staff reply through the member's channel, inside the channel's window.

The message's own delivery state is the consumer's idempotency: only a ``requested`` message is
taken (moved to ``sending`` by a conditional write), so a duplicate event or a second worker
finds it taken and does nothing. A reply is held, not sent, when the member has not written in
48 hours or five replies were already sent since; the agent sees the reason on the message and
in a ``CaseReplyHeld`` event, and the member sees the reply in the mini-program thread anyway.
"""

from __future__ import annotations

from pydantic import BaseModel

from services.cases.dal import cases as dal
from services.cases.dal import channel as channel_dal
from services.cases.gateways.channel import ChannelRefused, gateway
from services.cases.models import Delivery, Message
from shared.clock import now_rfc3339
from shared.errors import ConcurrentUpdate, UpstreamUnavailable
from shared.events import cases as events


def _set_delivery(
    tenant_id: str,
    case_id: str,
    message: Message,
    status: str,
    reason: str | None,
    expected: str,
    *announce: BaseModel,
) -> Message:
    updated = message.model_copy(update={"delivery": Delivery(status=status, reason=reason, at=now_rfc3339())})
    dal.update_message_delivery(tenant_id, case_id, updated, expected, *announce)
    return updated


def deliver(tenant_id: str, request: events.CaseReplyRequested) -> None:
    case_id, message_id = request.case_id, request.message_id
    message = dal.get_message(tenant_id, case_id, message_id)
    if message is None or message.delivery is None or message.delivery.status != "requested":
        return  # a duplicate, or already handled
    try:
        message = _set_delivery(tenant_id, case_id, message, "sending", None, "requested")
    except ConcurrentUpdate:
        return  # another worker took it
    ref = {"case_id": case_id, "contact_id": request.contact_id, "message_id": message_id}
    verdict = channel_dal.take_window_place(tenant_id, request.channel)
    if verdict != "ok":
        _set_delivery(
            tenant_id, case_id, message, "held", verdict, "sending", events.CaseReplyHeld(**ref, reason=verdict)
        )
        return
    try:
        gateway().send(tenant_id, request.channel, message_id, request.body)
    except ChannelRefused as refusal:
        channel_dal.give_window_place_back(tenant_id, request.channel)
        if refusal.held and refusal.reason in ("window_closed", "window_message_limit"):
            held = events.CaseReplyHeld(**ref, reason=refusal.reason)
            _set_delivery(tenant_id, case_id, message, "held", refusal.reason, "sending", held)
        else:
            failed = events.CaseReplyFailed(**ref, reason=refusal.reason)
            _set_delivery(tenant_id, case_id, message, "failed", refusal.reason, "sending", failed)
        return
    except UpstreamUnavailable:
        channel_dal.give_window_place_back(tenant_id, request.channel)
        _set_delivery(tenant_id, case_id, message, "requested", None, "sending")
        raise  # the queue redelivers the request
    delivered = events.CaseReplyDelivered(**ref, channel_kind=request.channel.kind)
    _set_delivery(tenant_id, case_id, message, "delivered", None, "sending", delivered)
