"""Delivering a staff reply through the member's channel, inside the channel's window.

The message's own delivery state is the consumer's idempotency: a ``requested`` reply is taken
(moved to ``sending``) by a conditional write that also records a new send attempt (a token and
its number), so a duplicate event or a second worker finds it taken. A reply is held, not sent,
when the member has not written in 48 hours or five replies were already sent since; the agent sees
the reason on the message and in a ``CaseReplyHeld`` event, and the member sees the reply in the
mini-program thread anyway.

A reply never stays in ``sending``. When the attempt fails while the function lives, the reply goes
back to ``requested`` and the request is redelivered; when the function dies mid-attempt (a
timeout, a crash, a missing permission before the fix), the redelivery finds the reply ``sending``
and, once the attempt's lease has run out, takes it again over that attempt's token (so two
deliveries can never both take it). After ``MAX_SEND_ATTEMPTS`` the reply is ``failed`` with the
reason, which staff see and can retry (``POST …/messages/{id}/retry``).

At least once, not at most once: WeChat's customer-service send has no idempotency key, so an
attempt that died after WeChat accepted the message and before its outcome was written is sent
again; the member may see a reply twice. We choose that over a reply silently never sent. The
window is only a crash between WeChat's answer and one DynamoDB write.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from services.cases.dal import cases as dal
from services.cases.dal import channel as channel_dal
from services.cases.dal.cases import SendAttempt
from services.cases.gateways.channel import ChannelRefused, gateway
from services.cases.models import Delivery, Message
from services.cases.service import CHANNEL_GATEWAY_CONSUMER
from shared import ids
from shared.clock import parse_rfc3339, rfc3339, utc_now
from shared.errors import ConcurrentUpdate, UpstreamUnavailable
from shared.events import cases as events
from shared.observability import logger

# Below the queue's maximum receives (5): the reply is failed, with its reason, before SQS could
# move the request to the dead-letter queue and leave the reply waiting.
MAX_SEND_ATTEMPTS = 3
# How long an attempt holds the reply: longer than the gateway function can run (its timeout is at
# most half the queue's visibility timeout, infra/service.py), so a reply still ``sending`` after it
# was left by a function that died; and no longer than a redelivery takes to come (a visibility
# timeout after the receive), so the redelivery finds the lease run out.
SEND_LEASE = timedelta(seconds=CHANNEL_GATEWAY_CONSUMER.visibility_timeout_seconds // 2)
INTERRUPTED = "send_interrupted"  # the last attempt died with no outcome written


class SendInProgress(Exception):
    """Another attempt holds the reply and may still be running: the request is retried later."""


class SendFailed(Exception):
    """This attempt failed and the reply waits for the next one: the request is retried."""


def _set_delivery(
    tenant_id: str,
    case_id: str,
    message: Message,
    status: str,
    reason: str | None,
    expected: str,
    attempt: SendAttempt | None,
    *announce: BaseModel,
) -> Message:
    updated = message.model_copy(update={"delivery": Delivery(status=status, reason=reason, at=rfc3339(utc_now()))})
    dal.update_message_delivery(tenant_id, case_id, updated, expected, *announce, attempt=attempt)
    return updated


def lease_ran_out(delivery: Delivery, now: datetime) -> bool:
    return parse_rfc3339(delivery.at) + SEND_LEASE <= now


def attempt_died(delivery: Delivery) -> bool:
    """A reply left ``sending`` past its attempt's lease: that attempt is over, whatever became of
    it, and the reply may be sent again (by a redelivery, or by staff when no request is left)."""
    return delivery.status == "sending" and lease_ran_out(delivery, utc_now())


def deliver(tenant_id: str, request: events.CaseReplyRequested) -> None:
    found = dal.get_outbound(tenant_id, request.case_id, request.message_id)
    if found is None or found[0].delivery is None:
        return
    message, last = found
    delivery = message.delivery
    assert delivery is not None
    if delivery.status == "sending" and not lease_ran_out(delivery, utc_now()):
        raise SendInProgress(f"{request.message_id} is being sent; this request is retried after the attempt's lease.")
    if delivery.status not in ("requested", "sending"):
        return  # a duplicate, or already handled
    ref = {"case_id": request.case_id, "contact_id": request.contact_id, "message_id": request.message_id}
    number = (last.number if last else 0) + 1
    if number > MAX_SEND_ATTEMPTS:
        logger.warning("reply failed: its last attempt was interrupted", extra={"message_id": request.message_id})
        failed = events.CaseReplyFailed(**ref, reason=INTERRUPTED)
        _set_delivery(tenant_id, request.case_id, message, "failed", INTERRUPTED, delivery.status, last, failed)
        return
    attempt = SendAttempt(ids.new_id("att_"), number)
    taken = message.model_copy(update={"delivery": Delivery(status="sending", at=rfc3339(utc_now()))})
    try:
        dal.claim_delivery(tenant_id, request.case_id, taken, delivery.status, last, attempt)
    except ConcurrentUpdate:
        return  # another delivery of this request took it
    _send(tenant_id, request, taken, attempt, ref)


def _send(
    tenant_id: str,
    request: events.CaseReplyRequested,
    message: Message,
    attempt: SendAttempt,
    ref: dict[str, str | None],
) -> None:
    case_id = request.case_id
    verdict = channel_dal.take_window_place(tenant_id, request.channel)
    if verdict != "ok":
        held = events.CaseReplyHeld(**ref, reason=verdict)
        _set_delivery(tenant_id, case_id, message, "held", verdict, "sending", attempt, held)
        return
    try:
        gateway().send(tenant_id, request.channel, request.message_id, request.body)
    except ChannelRefused as refusal:
        channel_dal.give_window_place_back(tenant_id, request.channel)
        if refusal.held and refusal.reason in ("window_closed", "window_message_limit"):
            held = events.CaseReplyHeld(**ref, reason=refusal.reason)
            _set_delivery(tenant_id, case_id, message, "held", refusal.reason, "sending", attempt, held)
        else:
            failed = events.CaseReplyFailed(**ref, reason=refusal.reason)
            _set_delivery(tenant_id, case_id, message, "failed", refusal.reason, "sending", attempt, failed)
        return
    except Exception as error:
        # Anything else (WeChat unreachable, a secret that cannot be read): this attempt failed.
        channel_dal.give_window_place_back(tenant_id, request.channel)
        reason = "upstream_unavailable" if isinstance(error, UpstreamUnavailable) else f"error:{type(error).__name__}"
        if attempt.number >= MAX_SEND_ATTEMPTS:
            logger.exception("reply failed after its last attempt", extra={"message_id": request.message_id})
            failed = events.CaseReplyFailed(**ref, reason=reason)
            _set_delivery(tenant_id, case_id, message, "failed", reason, "sending", attempt, failed)
            return
        _set_delivery(tenant_id, case_id, message, "requested", None, "sending", attempt)
        raise SendFailed(f"attempt {attempt.number} at sending {request.message_id} failed: {reason}") from error
    delivered = events.CaseReplyDelivered(**ref, channel_kind=request.channel.kind)
    _set_delivery(tenant_id, case_id, message, "delivered", None, "sending", attempt, delivered)
