"""A broadcast's run: started by the minute tick when due, planned a page of its audience per step,
then sent — through WeChat one recipient at a time, or handed to WeCom as one 群发 task per sending
staff member — and followed to its end from WeCom's answers.

Exactly once, whatever is redelivered:
- the tick moves a broadcast from scheduled to planning on its version, and announces step 0 in
  the same transaction; a step is taken only when it is the broadcast's current step, and taking
  it moves the step on (with the page's counts) in one transaction;
- each contact's outcome is a record written once, with its cap counters in the same
  transaction: a page planned again after a crash finds the records and counts them as they are,
  and a contact one below its cap that a journey reaches at the same moment gets one of the two;
- a WeChat message is marked sending before it is sent and sent or failed after: a record found
  still sending after a crash is counted failed (interrupted) and never sent twice;
- each WeCom dispatch is an item written once with the event that asks wecom to make the task.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from services.outreach.broadcast_models import Broadcast, Dispatch
from services.outreach.dal import broadcasts as dal
from services.outreach.dal import deliveries
from services.outreach.dal import facts as facts_dal
from services.outreach.dal.caps import CapReached, count_in
from services.outreach.dal.table import mark_handled, table
from services.outreach.gateways.wechat import ChannelRefused
from services.outreach.logic import channels, delivery, templates
from services.outreach.logic import settings as outreach_settings
from services.outreach.logic.broadcasts import template_app_id
from services.outreach.models import CapWindow, ContactFacts
from services.outreach.service import BROADCASTS_CONSUMER
from services.outreach.template_models import Template
from shared import files
from shared.clock import now_rfc3339, rfc3339, utc_now
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from shared.events.campaigns import CampaignConversionRecorded
from shared.events.outreach import BroadcastDispatched, BroadcastStatusChanged, BroadcastStepped, WeComMessageContent
from shared.events.wecom import WeComMassMessageCreated, WeComMassMessageProgressed
from shared.inbox import handled
from shared.outbox import publish_with

PAGE = 100  # contacts planned per step: a page's facts are one BatchGetItem
WECOM_MOST_PER_TASK = 10_000  # add_msg_template takes at most this many external_userids
SEND_SETTLES_SECONDS = 120  # a WeChat send is answered within this (its timeout is 5 s)


def _status_event(broadcast: Broadcast, status: str) -> BroadcastStatusChanged:
    return BroadcastStatusChanged(broadcast_id=broadcast.broadcast_id, status=status, changed_at=utc_now())


def due_now() -> int:
    """The tick: start every scheduled broadcast whose time has come."""
    started = 0
    for tenant_id, broadcast_id in list(dal.due(now_rfc3339())):
        if start(tenant_id, broadcast_id):
            started += 1
    return started


def start(tenant_id: str, broadcast_id: str) -> bool:
    broadcast = dal.get(tenant_id, broadcast_id)
    if broadcast is None or broadcast.status != "scheduled":
        return False
    settings = outreach_settings.get(tenant_id)
    now = utc_now()
    allowed = delivery.next_allowed(now, settings)
    after: Broadcast
    if allowed > now:  # the quiet hours changed since it was scheduled: it waits for their end
        after = broadcast.model_copy(
            update={"scheduled_for": rfc3339(allowed), "version": broadcast.version + 1, "updated_at": rfc3339(now)}
        )
        dal.replace(broadcast, after)
        return False
    after = broadcast.model_copy(
        update={"status": "planning", "step": 0, "version": broadcast.version + 1, "updated_at": rfc3339(now)}
    )
    dal.replace(
        broadcast,
        after,
        events=[BroadcastStepped(broadcast_id=broadcast_id, step=0), _status_event(after, "planning")],
    )
    return True


# Planning -------------------------------------------------------------------------------------


def step(tenant_id: str, event_id: str, stepped: BroadcastStepped) -> None:
    broadcast = dal.get(tenant_id, stepped.broadcast_id)
    if broadcast is None or broadcast.status != "planning" or broadcast.step != stepped.step:
        mark_handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)  # an old step, delivered again
        return
    channel = channels.adapter(broadcast.channel)
    if channel.delivery == "group_chats":
        _dispatch_groups(broadcast, event_id)
        return
    if broadcast.phase == "dispatch":
        dispatch(tenant_id, event_id, broadcast)
        return
    page, next_cursor = _audience_page(broadcast)
    counts, skipped = _plan_page(broadcast, page)
    tx = Transaction(table())
    handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)(tx)
    if next_cursor is not None:
        dal.advance(tx, broadcast, {"step": broadcast.step + 1, "cursor": next_cursor}, counts, skipped)
        publish_with(tx, tenant_id, BroadcastStepped(broadcast_id=broadcast.broadcast_id, step=broadcast.step + 1))
        tx.commit()
        return
    if channel.delivery == "staff_confirmed":
        # Planned: the queued recipients go to WeCom, one task per staff member (next step).
        changes = {"step": broadcast.step + 1, "cursor": None, "phase": "dispatch"}
        dal.advance(tx, broadcast, changes, counts, skipped)
        publish_with(tx, tenant_id, BroadcastStepped(broadcast_id=broadcast.broadcast_id, step=broadcast.step + 1))
        tx.commit()
        return
    dal.advance(tx, broadcast, {"status": "completed", "cursor": None, "sent_at": now_rfc3339()}, counts, skipped)
    publish_with(tx, tenant_id, _status_event(broadcast, "completed"))
    tx.commit()


def _audience_page(broadcast: Broadcast) -> tuple[list[str], str | None]:
    """The contacts of the current step and the cursor of the next (None: this is the last)."""
    if broadcast.contact_ids is not None:
        start = int(broadcast.cursor or 0)
        end = start + PAGE
        return broadcast.contact_ids[start:end], (str(end) if end < len(broadcast.contact_ids) else None)
    assert broadcast.segment_id is not None
    return facts_dal.segment_members_page(broadcast.tenant_id, broadcast.segment_id, PAGE, broadcast.cursor)


def _plan_page(broadcast: Broadcast, page: list[str]) -> tuple[Counter[str], Counter[str]]:
    """Record each contact's outcome (and send it, on WeChat); the page's counts."""
    tenant_id = broadcast.tenant_id
    template = Template.model_validate(broadcast.template)
    settings = outreach_settings.get(tenant_id)
    channel = channels.adapter(broadcast.channel)
    windows = delivery.cap_windows(settings, broadcast.channel, utc_now())
    recorded = dal.recipients_recorded(tenant_id, broadcast.broadcast_id, page)
    facts = facts_dal.get_many(tenant_id, page)
    decided = [
        _decide(broadcast, template, contact_id, facts.get(contact_id))
        for contact_id in page
        if contact_id not in recorded
    ]
    recorded |= _write_records(broadcast, decided, windows)
    counts: Counter[str] = Counter(targeted=len(page))
    skipped: Counter[str] = Counter()
    owner_names = _owner_names(tenant_id, facts.values())
    for contact_id in page:
        record = recorded[contact_id]
        if record["outcome"] == "skipped":
            skipped[str(record["reason"])] += 1
            continue
        counts["queued"] += 1
        if channel.delivery == "direct":
            counts.update(_send_direct(broadcast, template, record, facts.get(contact_id), owner_names))
    return counts, skipped


def _decide(broadcast: Broadcast, template: Template, contact_id: str, facts: ContactFacts | None) -> dict[str, Any]:
    """One contact's outcome: queued with its address, or skipped with the reason (caps aside:
    the write decides those)."""
    address = delivery.address_of(facts, broadcast.channel, template_app_id(template)) if facts else "contact_gone"
    record: dict[str, Any] = {"contact_id": contact_id, "created_at": now_rfc3339()}
    if isinstance(address, str):
        return record | {"outcome": "skipped", "reason": address}
    return record | {
        "outcome": "queued",
        "state": "sending" if channels.adapter(broadcast.channel).delivery == "direct" else "queued",
        "staff_id": address.staff_id,
        "corp_id": address.corp_id,
        "external_userid": address.external_userid,
        "openid": address.openid,
    }


RECIPIENTS_PER_WRITE = 20  # a record and up to three cap counters each: within a transaction's 100 items


def _write_records(
    broadcast: Broadcast, records: list[dict[str, Any]], windows: list[CapWindow]
) -> dict[str, dict[str, Any]]:
    """Write the outcomes, several contacts a transaction, each queued one with its cap counters.
    A contact whose cap is reached cancels its transaction: it is recorded skipped (cap_reached)
    and the others are written again; one recorded by an earlier try keeps that outcome."""
    written: dict[str, dict[str, Any]] = {}
    pending = list(records)
    while pending:
        batch, pending = pending[:RECIPIENTS_PER_WRITE], pending[RECIPIENTS_PER_WRITE:]
        tx = Transaction(table())
        for record in batch:
            contact_id = str(record["contact_id"])
            dal.record_recipient(tx, broadcast.tenant_id, broadcast.broadcast_id, record)
            if record["outcome"] == "queued":
                count_in(tx, broadcast.tenant_id, contact_id, windows)
        try:
            tx.commit()
        except (CapReached, AlreadyProcessed):
            capped = {str(error.extra.get("contact_id")) for error in tx.failed if isinstance(error, CapReached)}
            earlier = {str(error.extra.get("contact_id")) for error in tx.failed if isinstance(error, AlreadyProcessed)}
            if earlier:
                written |= dal.recipients_recorded(broadcast.tenant_id, broadcast.broadcast_id, earlier)
            retry = [record for record in batch if record["contact_id"] not in earlier]
            pending = [_capped(record) if record["contact_id"] in capped else record for record in retry] + pending
            continue
        written |= {str(record["contact_id"]): record for record in batch}
    return written


def _capped(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "contact_id": record["contact_id"],
        "created_at": record["created_at"],
        "outcome": "skipped",
        "reason": "cap_reached",
    }


def _owner_names(tenant_id: str, facts: Any) -> dict[str, str]:
    return facts_dal.staff_names(tenant_id, [fact.owner for fact in facts if fact.owner])


def _send_direct(
    broadcast: Broadcast,
    template: Template,
    record: dict[str, Any],
    facts: ContactFacts | None,
    owner_names: dict[str, str],
) -> Counter[str]:
    """Send one queued message on a direct channel (at most once) and count what became of it."""
    state = record.get("state")
    if state in ("sent", "failed"):
        return Counter({"sent": 1, "delivered": 1} if state == "sent" else {"failed": 1})
    contact_id = str(record["contact_id"])
    if state != "sending" or facts is None or record.get("created_at") is None:
        return Counter(failed=1)
    if record.get("attempted"):
        if time.time() - float(record.get("attempted_at", 0)) < SEND_SETTLES_SECONDS:
            # Another delivery of this step is sending it now: that one moves the broadcast on.
            raise ConcurrentUpdate("The step is being taken by another delivery.")
        # Attempted long ago and never settled: the sender died. Never sent twice.
        dal.set_recipient_state(broadcast.tenant_id, broadcast.broadcast_id, contact_id, "failed", "interrupted")
        return Counter(failed=1)
    if not dal.claim_attempt(broadcast.tenant_id, broadcast.broadcast_id, contact_id):
        # A concurrent delivery of this step is sending it: that one moves the broadcast on.
        raise ConcurrentUpdate("The step is being taken by another delivery.")
    content = templates.render(
        template,
        facts,
        owner_names.get(facts.owner or ""),
        utc_now(),
        outreach_settings.get(broadcast.tenant_id).time_zone,
    )
    channel = channels.adapter(broadcast.channel)
    _wait_for_rate_slot(broadcast.tenant_id, channel)
    address = channels.Address(
        staff_id=record.get("staff_id"),
        corp_id=record.get("corp_id"),
        external_userid=record.get("external_userid"),
        openid=record.get("openid"),
    )
    try:
        channel.send(
            broadcast.tenant_id, f"{broadcast.broadcast_id}#{contact_id}", address, content.model_dump(mode="json")
        )
    except ChannelRefused as refused:
        dal.set_recipient_state(broadcast.tenant_id, broadcast.broadcast_id, contact_id, "failed", refused.reason)
        return Counter(failed=1)
    dal.set_recipient_state(broadcast.tenant_id, broadcast.broadcast_id, contact_id, "sent", None)
    return Counter(sent=1, delivered=1)


def _wait_for_rate_slot(tenant_id: str, channel: channels.ChannelAdapter) -> None:
    """Never more than the channel's rate: wait for the next second when this one is full."""
    while not deliveries.take_rate_slot(tenant_id, channel.name, int(time.time()), channel.per_second):
        time.sleep(1.0 - (time.time() % 1.0) + 0.001)


# Dispatching to WeCom -------------------------------------------------------------------------


def dispatch(tenant_id: str, event_id: str, broadcast: Broadcast) -> None:
    """Every queued recipient, grouped by sending staff member, handed to WeCom: one file and one
    ``BroadcastDispatched`` per staff member (per 10,000 recipients)."""
    shares: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in dal.queued_recipients(tenant_id, broadcast.broadcast_id):
        shares[(str(record["corp_id"]), str(record["staff_id"]))].append(str(record["external_userid"]))
    contents = _staff_contents(broadcast, sorted({staff_id for _, staff_id in shares}))
    made = 0
    for (corp_id, staff_id), recipients in sorted(shares.items()):
        for part, start_at in enumerate(range(0, len(recipients), WECOM_MOST_PER_TASK)):
            chunk = recipients[start_at : start_at + WECOM_MOST_PER_TASK]
            name = f"{staff_id}.{part}"
            recipients_key = files.key("outreach", "dispatches", tenant_id, broadcast.broadcast_id, f"{name}.json")
            files.put(recipients_key, json.dumps(chunk).encode(), "application/json")
            _make_dispatch(
                broadcast,
                f"{broadcast.broadcast_id}.{name}",
                corp_id,
                staff_id,
                "single",
                recipients_key,
                chunk,
                contents[staff_id],
            )
            made += 1
    _sending(broadcast, event_id, made)


def _dispatch_groups(broadcast: Broadcast, event_id: str) -> None:
    """A group broadcast: each staff member's task goes to all of their customer groups."""
    tenant_id = broadcast.tenant_id
    staff_ids = broadcast.staff_ids or []
    corps = facts_dal.staff_corps(tenant_id, staff_ids)
    contents = _staff_contents(broadcast, [staff_id for staff_id in staff_ids if staff_id in corps])
    for staff_id, content in contents.items():
        dispatch_id = f"{broadcast.broadcast_id}.{staff_id}.0"
        _make_dispatch(broadcast, dispatch_id, corps[staff_id], staff_id, "group", None, [], content)
    count = len([staff_id for staff_id in staff_ids if staff_id in corps])
    skipped = Counter(unknown_staff=len(staff_ids) - count)
    tx = Transaction(table())
    handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)(tx)
    status = "sending" if count else "completed"
    dal.advance(
        tx,
        broadcast,
        {"status": status, "open_dispatches": count, "sent_at": now_rfc3339()},
        Counter(targeted=len(broadcast.staff_ids or []), queued=count),
        skipped,
    )
    publish_with(tx, tenant_id, _status_event(broadcast, status))
    tx.commit()


def _staff_contents(broadcast: Broadcast, staff_ids: list[str]) -> dict[str, WeComMessageContent]:
    """Each sending staff member's message: the template filled with their own name (the only
    variable a 群发 may hold, ``{owner_name}``: its recipients are that member's customers)."""
    template = Template.model_validate(broadcast.template)
    names = facts_dal.staff_names(broadcast.tenant_id, staff_ids) if staff_ids else {}
    nobody = ContactFacts(tenant_id=broadcast.tenant_id, contact_id="-")
    time_zone = outreach_settings.get(broadcast.tenant_id).time_zone
    return {
        staff_id: WeComMessageContent.model_validate(
            templates.render(template, nobody, names.get(staff_id), utc_now(), time_zone).model_dump(mode="json")
        )
        for staff_id in staff_ids
    }


def _make_dispatch(
    broadcast: Broadcast,
    dispatch_id: str,
    corp_id: str,
    staff_id: str,
    chat_type: str,
    recipients_key: str | None,
    recipients: list[str],
    content: WeComMessageContent,
) -> None:
    now = now_rfc3339()
    item = Dispatch(
        tenant_id=broadcast.tenant_id,
        broadcast_id=broadcast.broadcast_id,
        dispatch_id=dispatch_id,
        staff_id=staff_id,
        corp_id=corp_id,
        recipients=len(recipients),
        status="requested",
        created_at=now,
        updated_at=now,
    )
    tx = Transaction(table())
    dal.create_dispatch(tx, item)
    publish_with(
        tx,
        broadcast.tenant_id,
        BroadcastDispatched(
            broadcast_id=broadcast.broadcast_id,
            dispatch_id=dispatch_id,
            corp_id=corp_id,
            staff_id=staff_id,
            chat_type=chat_type,
            recipients_key=recipients_key,
            recipients=len(recipients),
            content=content,
        ),
    )
    with suppress(AlreadyProcessed):  # made by an earlier try of this step
        tx.commit()


def _sending(broadcast: Broadcast, event_id: str, dispatches: int) -> None:
    tx = Transaction(table())
    handled(BROADCASTS_CONSUMER.name, broadcast.tenant_id, event_id)(tx)
    status = "sending" if dispatches else "completed"
    dal.advance(tx, broadcast, {"status": status, "open_dispatches": dispatches, "sent_at": now_rfc3339()}, {}, {})
    publish_with(tx, broadcast.tenant_id, _status_event(broadcast, status))
    tx.commit()


# WeCom's answers --------------------------------------------------------------------------------


def _share_counts(dispatch: Dispatch) -> Counter[str]:
    """What a dispatch adds to its broadcast's stats, as it stands."""
    reachable = dispatch.recipients - dispatch.rejected
    counts: Counter[str] = Counter(delivered=dispatch.delivered, failed=dispatch.rejected + dispatch.failed)
    if dispatch.status == "confirmed":
        counts["sent"] = reachable if dispatch.recipients else dispatch.delivered + dispatch.failed
    if dispatch.status in ("expired", "failed"):
        counts["failed"] = dispatch.recipients if dispatch.status == "failed" else dispatch.rejected + reachable
    return counts


def on_created(tenant_id: str, event_id: str, created: WeComMassMessageCreated) -> None:
    def change(before: Dispatch) -> Dispatch | None:
        if before.status != "requested" and before.rejected == created.rejected:
            return None  # answered already
        failed = created.outcome == "failed"
        # A poll may have come first (reordered): it set the status; this adds what only it knows.
        settled = before.status != "requested"
        return before.model_copy(
            update={
                "status": before.status if settled else ("failed" if failed else "pending"),
                "msgid": before.msgid or created.msgid,
                "rejected": created.rejected,
                "reason": created.reason,
                "final": before.final or failed,
            }
        )

    _answer(tenant_id, event_id, created.broadcast_id, created.dispatch_id, change)


def on_progressed(tenant_id: str, event_id: str, progressed: WeComMassMessageProgressed) -> None:
    polled_at = rfc3339(progressed.polled_at)

    def change(before: Dispatch) -> Dispatch | None:
        if before.final or before.status == "failed" or (before.polled_at and before.polled_at >= polled_at):
            return None  # settled, or an older poll delivered late
        return before.model_copy(
            update={
                "status": progressed.task_status,
                "msgid": progressed.msgid,
                "delivered": progressed.delivered,
                "failed": progressed.failed,
                "unsent": progressed.unsent,
                "polled_at": polled_at,
                "final": progressed.final,
            }
        )

    _answer(tenant_id, event_id, progressed.broadcast_id, progressed.dispatch_id, change)


def _answer(
    tenant_id: str, event_id: str, broadcast_id: str, dispatch_id: str, change: Callable[[Dispatch], Dispatch | None]
) -> None:
    """Apply WeCom's answer to a dispatch and the difference it makes to the broadcast's stats."""
    before = dal.get_dispatch(tenant_id, broadcast_id, dispatch_id)
    after = change(before) if before is not None else None
    if before is None or after is None:
        mark_handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)
        return
    after = after.model_copy(update={"updated_at": now_rfc3339()})
    delta = _share_counts(after)
    delta.subtract(_share_counts(before))
    tx = Transaction(table())
    handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)(tx)
    dal.replace_dispatch(tx, before, after)
    closing = after.final and not before.final
    dal.add_counts(tx, tenant_id, broadcast_id, delta, open_dispatches=-1 if closing else 0)
    tx.commit()
    if closing:
        _complete_if_done(tenant_id, broadcast_id)


def _complete_if_done(tenant_id: str, broadcast_id: str) -> None:
    broadcast = dal.get(tenant_id, broadcast_id)
    if broadcast is None or broadcast.status != "sending" or broadcast.open_dispatches > 0:
        return
    tx = Transaction(table())
    dal.advance(tx, broadcast, {"status": "completed"}, {}, {})
    publish_with(tx, tenant_id, _status_event(broadcast, "completed"))
    tx.commit()


# Conversions --------------------------------------------------------------------------------------

ATTRIBUTION_WINDOW = timedelta(days=7)


def on_conversion(tenant_id: str, event_id: str, conversion: CampaignConversionRecorded, at: datetime) -> None:
    """A conversion through a code a broadcast links to counts for the broadcast when the contact
    was one of its recipients and the broadcast went out within the 7 days before."""
    counted = False
    for broadcast_id in dal.tracking(tenant_id, conversion.code):
        broadcast = dal.get(tenant_id, broadcast_id)
        if broadcast is None or broadcast.sent_at is None:
            continue
        sent_at = datetime.fromisoformat(broadcast.sent_at.replace("Z", "+00:00"))
        if not sent_at <= at <= sent_at + ATTRIBUTION_WINDOW:
            continue
        record = dal.recipients_recorded(tenant_id, broadcast_id, [conversion.contact_id]).get(conversion.contact_id)
        if record is None or record.get("outcome") != "queued":
            continue
        tx = Transaction(table())
        if not counted:
            handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)(tx)
        dal.count_conversion(tx, tenant_id, broadcast_id, conversion.contact_id, conversion.conversion_id)
        with suppress(AlreadyProcessed):
            tx.commit()
            counted = True
    if not counted:
        with suppress(AlreadyProcessed):
            mark_handled(BROADCASTS_CONSUMER.name, tenant_id, event_id)
