"""WeCom 群发 (企业群发): outreach's ``BroadcastDispatched`` (one staff member's share of a
broadcast) becomes one add_msg_template, which WeCom sends only once the staff member confirms it
in the WeCom app; the task and its recipients' results are then polled until they stop changing.

**Once per dispatch.** The task item (``dal.mass_messages``, keyed by dispatch_id, outreach's
idempotency key) is claimed (state ``calling``) before WeCom is called, and its outcome written
from that claim with ``WeComMassMessageCreated`` and the consumer's marker in one transaction. A
redelivery of a settled dispatch changes nothing; a delivery that finds the call claimed less than
``CLAIM_SECONDS`` ago is retried later (the first delivery is still calling). WeCom refusing the
call (an errcode) settles it ``failed`` with reason ``errcode_<n>``, never retried; WeCom not
answering its busy or rate-limit errcodes, 429 or 5xx (after the client's own retries) gives the
claim back (state ``ready``) and raises, so the queue retries and calls again.

**A call that got no answer at all** (the network failed or timed out: the client never retries a
POST then, as WeCom may have carried it out) and **a claim never answered** (the function died
between the call and the write, at its timeout or in a crash: found ``calling`` after
``CLAIM_SECONDS``) are alike: WeCom's add_msg_template has no idempotency key, so whether the call
made a task cannot be known. Calling again could give the staff member the same 群发 twice, and
their customers the message twice, each counted against WeCom's per-customer limit; so it is not
called again: the dispatch settles ``failed`` with reason ``outcome_unknown`` (outreach shows it;
an operator can check WeCom's 群发助手). The consumer's timeout (60 s) leaves the call ample time
(the client's retries last under 30 s), so this is the rare crash, not a slow WeCom.

**Without a call.** A dispatch that cannot be asked settles ``failed`` at once: ``not_configured``
(the corp or its 客户联系 secret missing), ``recipients_missing`` / ``recipients_invalid`` (the
file under ``recipients_key``: a JSON list of ids), ``no_recipients``, ``too_many_recipients``
(over 10,000 customers or 2,000 groups), ``empty_content`` (no text nor attachment),
``too_many_attachments`` (over WeCom's 9).

**Results.** A created task joins the sparse due index; the ``wecom-mass-message-results``
schedule (every 5 minutes) polls what is due: get_groupmsg_task (is the sender's task sent?) and,
once sent, every page of get_groupmsg_send_result (status 1 delivered, 2 and 3 failed, 0 unsent).
``WeComMassMessageProgressed`` (full counts) is published only when the counts or the status
changed since the last poll. WeCom documents no expiry of a task its member never sends, and its
task status has no "expired"; Siyu decides: a task still unsent ``EXPIRE_SECONDS`` (24 h) after it
was made is expired, and stopped at WeCom (cancel_groupmsg_send) so that a late confirmation cannot
send what Siyu reported as not sent. A task is final when expired, when confirmed with nothing left
unsent, or ``SETTLE_SECONDS`` (a day) after its confirmation; then it leaves the due index. A task
WeCom will not answer about is retried every poll and given up (final, counts as last known) after
``GIVE_UP_SECONDS``.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.wecom.dal import mass_messages as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.dal.table import mark_handled
from services.wecom.mass_message_models import MassMessage, Recipient, TaskStatus
from services.wecom.models import WeComCredentials
from services.wecom.service import MASS_MESSAGES_CONSUMER
from shared import clock, files
from shared.consumer import AlreadyProcessed
from shared.dynamo import Prepare
from shared.errors import ConcurrentUpdate, UpstreamUnavailable
from shared.events.outreach import BroadcastDispatched, WeComMessageContent
from shared.events.wecom import WeComMassMessageCreated, WeComMassMessageProgressed
from shared.inbox import handled
from shared.observability import logger

CLAIM_SECONDS = MASS_MESSAGES_CONSUMER.timeout_seconds * 2
"""A claim older than this was never answered: its function has ended (its timeout passed)."""
POLL_SECONDS = 300  # the schedule's interval
EXPIRE_SECONDS = 86400  # Siyu's rule: a task unsent 24 h after it was made is expired
SETTLE_SECONDS = 86400  # a day after its confirmation, a task's results are final
GIVE_UP_SECONDS = 7 * 86400  # a task WeCom will not answer about is given up
MOST_DUE_PER_SHARD = 200
RUN_BUDGET_SECONDS = 200.0  # the schedule's run ends (250 s) before the next is due
RECIPIENTS_PREFIX = "outreach/dispatches/"
MAX_CUSTOMERS = 10_000
MAX_GROUPS = 2_000
MAX_ATTACHMENTS = 9
RESULTS = {1: "delivered", 2: "failed", 3: "failed"}
"""get_groupmsg_send_result's statuses: 1 sent, 2 not the sender's customer any more, 3 the customer
already had a 群发 within WeCom's limit; 0 (not sent yet) and anything else count as unsent."""
TASK_SENT = 2  # get_groupmsg_task's status of a member who sent it

_RECIPIENTS: TypeAdapter[list[Recipient]] = TypeAdapter(list[Recipient])


class ClaimHeld(ConcurrentUpdate):
    """Another delivery of the dispatch is calling WeCom: retried later."""


# ---- the message -------------------------------------------------------------------------------
def attachments_of(content: WeComMessageContent) -> list[dict[str, Any]]:
    """The content's attachments in WeCom's shapes (images, then links, then mini-programs)."""
    found: list[dict[str, Any]] = []
    for image in content.images:
        found.append({"msgtype": "image", "image": image.model_dump(exclude_none=True)})
    for link in content.links:
        found.append({"msgtype": "link", "link": link.model_dump(exclude_none=True)})
    for card in content.miniprograms:
        found.append({"msgtype": "miniprogram", "miniprogram": card.model_dump(exclude_none=True)})
    return found


def _recipients(dispatch: BroadcastDispatched) -> tuple[list[str] | None, str | None]:
    """The dispatch's recipients (None: a group dispatch to every group the sender owns), or why
    they cannot be read."""
    key = dispatch.recipients_key
    if key is None:
        return None, None if dispatch.chat_type == "group" else "no_recipients"
    ids: list[str] = []
    problem = None if key.startswith(RECIPIENTS_PREFIX) else "recipients_invalid"
    try:
        ids = list(dict.fromkeys(_RECIPIENTS.validate_python(json.loads(files.get(key))))) if not problem else []
    except files.FileMissing:
        problem = "recipients_missing"
    except (ValueError, ValidationError):  # not JSON, not a list of ids
        problem = "recipients_invalid"
    if problem is None and len(ids) > (MAX_CUSTOMERS if dispatch.chat_type == "single" else MAX_GROUPS):
        problem = "too_many_recipients"
    if problem is None and not ids:
        problem = "no_recipients"
    return (None, problem) if problem else (ids, None)


def _content_problem(content: WeComMessageContent) -> str | None:
    count = len(content.images) + len(content.links) + len(content.miniprograms)
    if not content.text and not count:
        return "empty_content"
    return "too_many_attachments" if count > MAX_ATTACHMENTS else None


# ---- the dispatch ------------------------------------------------------------------------------
def dispatched(tenant_id: str, event_id: str, dispatch: BroadcastDispatched) -> None:
    """The consumer: the dispatch made a 群发 task once, or failed (see the module's doc)."""
    marker = handled(MASS_MESSAGES_CONSUMER.name, tenant_id, event_id)
    now = clock.now_epoch()
    known = dal.get(tenant_id, dispatch.dispatch_id)
    if known is not None and known.state in ("created", "failed"):
        _mark(tenant_id, event_id)  # a redelivery, or the same dispatch published again
        return
    if known is not None and known.state == "calling":
        since = clock.parse_rfc3339(known.claimed_at or clock.rfc3339(clock.utc_now())).timestamp()
        if now - since < CLAIM_SECONDS:
            raise ClaimHeld(f"dispatch {dispatch.dispatch_id} is being sent to WeCom")
        logger.warning("wecom mass message: claim never answered", extra={"dispatch_id": dispatch.dispatch_id})
        _fail(known, dispatch, "outcome_unknown", marker)
        return
    base = known or MassMessage(
        tenant_id=tenant_id,
        dispatch_id=dispatch.dispatch_id,
        broadcast_id=dispatch.broadcast_id,
        corp_id=dispatch.corp_id,
        staff_id=dispatch.staff_id,
        chat_type=dispatch.chat_type,
    )
    creds = settings_dal.credentials(tenant_id, dispatch.corp_id)
    recipients, problem = _recipients(dispatch)
    problem = problem or _content_problem(dispatch.content) or (None if creds is not None else "not_configured")
    count = len(recipients) if recipients is not None else dispatch.recipients
    base = base.model_copy(update={"recipients": count})
    if problem is not None or creds is None:
        _fail(known, dispatch, problem or "not_configured", marker, base)
        return
    claimed = base.model_copy(
        update={"state": "calling", "attempts": base.attempts + 1, "claimed_at": clock.rfc3339(clock.utc_now())}
    )
    dal.claim(claimed)  # ClaimLost: another delivery took it first (retried, then finds it settled)
    _call(claimed, dispatch, creds, recipients, marker)


def _call(
    claimed: MassMessage,
    dispatch: BroadcastDispatched,
    creds: WeComCredentials,
    recipients: list[str] | None,
    marker: Prepare,
) -> None:
    from services.wecom.gateways import client as wecom_api

    try:
        msgid, fail_list = wecom_api.client().add_msg_template(
            creds,
            dispatch.chat_type,
            dispatch.staff_id,
            recipients,
            dispatch.content.text or None,
            attachments_of(dispatch.content),
        )
    except wecom_api.WeComApiError as error:
        _fail(claimed, dispatch, f"errcode_{error.errcode}", marker)
        return
    except wecom_api.WeComNotConfigured:
        _fail(claimed, dispatch, "not_configured", marker)
        return
    except wecom_api.TransientFailure as failure:
        if failure.http_status is not None:  # WeCom answered 429 or 5xx: it did not make the task
            dal.release(claimed)
            raise
        _fail(claimed, dispatch, "outcome_unknown", marker)  # no answer at all: it may have made it
        return
    except UpstreamUnavailable:
        dal.release(claimed)  # WeCom busy or rate limited throughout the client's retries: call again
        raise
    now = clock.utc_now()
    rejected = min(len(set(fail_list)), claimed.recipients) if recipients is not None else len(set(fail_list))
    created = claimed.model_copy(
        update={
            "state": "created",
            "msgid": msgid,
            "rejected": rejected,
            "created_at": clock.rfc3339(now),
            "task_status": "pending",
            "unsent": max(0, claimed.recipients - rejected),
            "updated_at": clock.rfc3339(now),
        }
    )
    event = WeComMassMessageCreated(
        broadcast_id=dispatch.broadcast_id,
        dispatch_id=dispatch.dispatch_id,
        staff_id=dispatch.staff_id,
        outcome="created",
        msgid=msgid,
        rejected=rejected,
    )
    due = clock.rfc3339(now + timedelta(seconds=POLL_SECONDS))
    dal.settle(claimed, created, event, due=due, prepares=(marker,))
    logger.info("wecom mass message created", extra={"dispatch_id": dispatch.dispatch_id, "rejected": rejected})


def _fail(
    before: MassMessage | None,
    dispatch: BroadcastDispatched,
    reason: str,
    marker: Prepare,
    base: MassMessage | None = None,
) -> None:
    record = base or before
    assert record is not None
    now = clock.now_rfc3339()
    failed = record.model_copy(update={"state": "failed", "reason": reason, "updated_at": now})
    event = WeComMassMessageCreated(
        broadcast_id=dispatch.broadcast_id,
        dispatch_id=dispatch.dispatch_id,
        staff_id=dispatch.staff_id,
        outcome="failed",
        reason=reason,
    )
    dal.settle(before, failed, event, prepares=(marker,))
    logger.info("wecom mass message failed", extra={"dispatch_id": dispatch.dispatch_id, "reason": reason})


def _mark(tenant_id: str, event_id: str) -> None:
    with contextlib.suppress(AlreadyProcessed):
        mark_handled(MASS_MESSAGES_CONSUMER.name, tenant_id, event_id)


# ---- results -----------------------------------------------------------------------------------
def poll_due(tenant_id: str | None = None) -> dict[str, int]:
    """The schedule: every task whose results are due (of one tenant, when given), polled; a
    failure stays due and is retried next run."""
    moment = clock.now_rfc3339()
    started = time.monotonic()
    report = {"polled": 0, "published": 0, "errors": 0}
    for shard in range(dal.DUE_SHARDS):
        for tenant, dispatch_id in dal.due(shard, moment, MOST_DUE_PER_SHARD):
            if time.monotonic() - started > RUN_BUDGET_SECONDS:
                return report  # the rest are still due: the next run takes them
            if tenant_id is not None and tenant != tenant_id:
                continue
            try:
                report["published"] += poll(tenant, dispatch_id) is not None
                report["polled"] += 1
            except (UpstreamUnavailable, ConcurrentUpdate) as error:
                report["errors"] += 1
                logger.warning("wecom mass message not polled", extra={"dispatch_id": dispatch_id, "error": str(error)})
            except Exception:  # one task's fault must not stall the others behind it in its shard
                report["errors"] += 1
                logger.exception("wecom mass message poll failed", extra={"dispatch_id": dispatch_id})
                _later(tenant, dispatch_id)
    return report


def _later(tenant_id: str, dispatch_id: str) -> None:
    """Push a failing task's next poll back by one interval (it keeps its counts)."""
    record = dal.get(tenant_id, dispatch_id)
    if record is not None and record.state == "created" and not record.final:
        with_due = clock.rfc3339(clock.utc_now() + timedelta(seconds=POLL_SECONDS))
        with contextlib.suppress(ConcurrentUpdate):
            dal.record_poll(record, record, with_due, None)


def poll_now(tenant_id: str, msgid: str) -> WeComMassMessageProgressed | None:
    """Poll the task WeCom knows as ``msgid`` now (tests, and whoever must not wait for the
    schedule): the event published, or None when nothing changed (or no such task)."""
    record = dal.by_msgid(tenant_id, msgid)
    return poll(tenant_id, record.dispatch_id) if record is not None else None


def poll(tenant_id: str, dispatch_id: str) -> WeComMassMessageProgressed | None:
    """One task's confirmation and results from WeCom: its counts recorded, with the event when
    they changed; the event or None."""
    record = dal.get(tenant_id, dispatch_id)
    if record is None or record.state != "created" or record.final or record.msgid is None:
        return None
    now = clock.utc_now()
    age = now.timestamp() - clock.parse_rfc3339(record.created_at or clock.rfc3339(now)).timestamp()
    creds = settings_dal.credentials(tenant_id, record.corp_id)
    status, counts, confirmed_at = _latest(record, creds, age)
    if status is None:  # WeCom would not say
        status, counts, confirmed_at = record.task_status or "pending", _counts(record), record.confirmed_at
        final = age >= GIVE_UP_SECONDS
    elif status == "confirmed":
        since = clock.parse_rfc3339(confirmed_at).timestamp() if confirmed_at else now.timestamp()
        final = counts["unsent"] == 0 or now.timestamp() - since >= SETTLE_SECONDS or age >= GIVE_UP_SECONDS
    else:
        final = status == "expired"
    changed = (status, counts, final) != (record.task_status, _counts(record), record.final)
    stamp = clock.rfc3339(now)
    after = record.model_copy(
        update={"task_status": status, **counts, "final": final, "confirmed_at": confirmed_at, "polled_at": stamp}
    )
    event = None
    if changed:
        after = after.model_copy(update={"updated_at": stamp})
        event = WeComMassMessageProgressed(
            broadcast_id=record.broadcast_id,
            dispatch_id=record.dispatch_id,
            staff_id=record.staff_id,
            msgid=record.msgid,
            task_status=status,
            polled_at=now,
            final=final,
            **counts,
        )
    due = None if final else clock.rfc3339(now + timedelta(seconds=POLL_SECONDS))
    dal.record_poll(record, after, due, event)
    return event


def _counts(record: MassMessage) -> dict[str, int]:
    return {"delivered": record.delivered, "failed": record.failed, "unsent": record.unsent}


def _latest(
    record: MassMessage, creds: WeComCredentials | None, age: float
) -> tuple[TaskStatus | None, dict[str, int], str | None]:
    """(status, counts, confirmed_at) as WeCom reports them; status None when it would not say.
    UpstreamUnavailable propagates (the task stays due)."""
    from services.wecom.gateways import client as wecom_api

    assert record.msgid is not None
    if creds is None:
        return None, _counts(record), None
    api = wecom_api.client()
    try:
        tasks = api.get_groupmsg_task(creds, record.msgid)
        mine = next((row for row in tasks if str(row.get("userid")) == record.staff_id), None)
        if mine is not None and _number(mine.get("status")) == TASK_SENT:
            sent_at = _number(mine.get("send_time"))
            confirmed = clock.rfc3339(datetime.fromtimestamp(sent_at, UTC)) if sent_at > 0 else None
            return "confirmed", _results(api, creds, record), confirmed or record.confirmed_at or clock.now_rfc3339()
        pending = {"delivered": 0, "failed": 0, "unsent": max(0, record.recipients - record.rejected)}
        if age < EXPIRE_SECONDS:
            return "pending", pending, None
        try:
            api.cancel_groupmsg_send(creds, record.msgid)  # a late confirmation must not send it
        except wecom_api.WeComApiError as error:
            logger.warning("wecom mass message not cancelled", extra={"msgid": record.msgid, "errcode": error.errcode})
        return "expired", pending, None
    except (wecom_api.WeComApiError, wecom_api.WeComNotConfigured) as error:
        logger.warning("wecom mass message results refused", extra={"msgid": record.msgid, "error": error.detail})
        return None, _counts(record), None


def _results(api: Any, creds: WeComCredentials, record: MassMessage) -> dict[str, int]:
    """The sender's recipients counted by their result, every page."""
    assert record.msgid is not None
    counts = {"delivered": 0, "failed": 0, "unsent": 0}
    cursor: str | None = None
    while True:
        rows, cursor = api.get_groupmsg_send_result(creds, record.msgid, record.staff_id, cursor)
        for row in rows:
            counts[RESULTS.get(_number(row.get("status")), "unsent")] += 1
        if not cursor:
            return counts


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
