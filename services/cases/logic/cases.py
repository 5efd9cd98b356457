"""What members and staff do with cases: file, read, move, assign, write, rate.

Each operation reads the case, builds one ``CaseChange`` and commits it over the version read; a
lost race reads again and re-decides. Freed agent places are handed out afterwards (dispatch).
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from services.cases.api_models import (
    CasePatch,
    CaseView,
    CsatCreate,
    MemberCaseCreate,
    MemberCaseView,
    MemberMessageCreate,
    StaffCaseCreate,
    StaffMessageCreate,
)
from services.cases.dal import cases as dal
from services.cases.dal import channel as channel_dal
from services.cases.dal import routing as routing_dal
from services.cases.dal.cases import AgentRelease, CaseWrite
from services.cases.logic import assignment, compliance
from services.cases.logic.changes import CaseChange
from services.cases.logic.intake import Draft, open_case
from services.cases.logic.workflow import on_member_reply
from services.cases.models import Actor, Agent, Case, CaseRecord, Csat, Delivery, Message
from shared import idempotency, ids
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.clock import now_rfc3339
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, Conflict, NotFound, Unprocessable
from shared.events import cases as events
from shared.events.cases import ChannelAddress

ATTEMPTS = 5
MEMBER_CHANNEL = "wechat_mini_program"


def _missing(case_id: str) -> NotFound:
    return NotFound(f"No case {case_id}.")


Claims = Callable[[Case], list[Callable[[Transaction], None]]]


def _idempotent(
    tenant_id: str,
    scope: str,
    key: str | None,
    request: BaseModel,
    view: Callable[[Case], BaseModel],
    open_it: Callable[[Claims], Case],
) -> str:
    """Open a case once per Idempotency-Key; a replay answers the first answer (as JSON)."""
    earlier = idempotency.previous_answer(dal.table(), tenant_id, scope, key, request)
    if earlier is not None:
        return earlier

    def claims(case: Case) -> list[Callable[[Transaction], None]]:
        if not key:
            return []
        return [lambda tx: idempotency.claim(tx, tenant_id, scope, key, request, view(case))]

    try:
        return view(open_it(claims)).model_dump_json()
    except idempotency.IdempotentReplay:
        assert key is not None
        return idempotency.replayed_answer(dal.table(), tenant_id, scope, key, request)


# ---- intake --------------------------------------------------------------------------------


def file_for_member(member: MemberPrincipal, body: MemberCaseCreate, key: str | None) -> str:
    channel = (
        ChannelAddress(kind=MEMBER_CHANNEL, app_id=member.app_id, openid=member.openid)
        if member.app_id and member.openid
        else None
    )
    draft = Draft(
        type=body.type,
        subject=body.subject,
        description=body.description,
        intake="member",
        opened_by=Actor(kind="member", id=member.contact_id),
        contact_id=member.contact_id,
        brand=body.brand,
        channel=channel,
        order_id=body.order_id,
        attachments=body.attachments,
    )

    def open_it(claims: Claims) -> Case:
        def prepares(case: Case) -> list[Callable[[Transaction], None]]:
            window = [] if channel is None else [lambda tx: channel_dal.open_window(tx, member.tenant_id, channel)]
            return claims(case) + window

        return open_case(member.tenant_id, draft, prepares)

    scope = f"me-cases#{member.contact_id}"
    return _idempotent(member.tenant_id, scope, key, body, MemberCaseView.of, open_it)


def create_by_staff(staff: StaffPrincipal, body: StaffCaseCreate, key: str | None) -> str:
    draft = Draft(
        type=body.type,
        subject=body.subject,
        description=body.description,
        priority=body.priority,
        intake="staff",
        opened_by=Actor(kind="staff", id=staff.staff_id),
        contact_id=body.contact_id,
        brand=body.brand,
        order_id=body.order_id,
        tags=body.tags,
        queue_id=body.queue_id,
        attachments=body.attachments,
    )
    return _idempotent(
        staff.tenant_id, "cases", key, body, CaseView.of, lambda claims: open_case(staff.tenant_id, draft, claims)
    )


# ---- reading -------------------------------------------------------------------------------


def record(tenant_id: str, case_id: str) -> CaseRecord:
    found = dal.get_record(tenant_id, case_id)
    if found is None:
        raise _missing(case_id)
    return found


def _members(member: MemberPrincipal, case: Case) -> bool:
    return case.contact_id == member.contact_id and case.type != "compliance"


def member_record(member: MemberPrincipal, case_id: str) -> CaseRecord:
    """The member's own case, without internal notes; anyone else's is unknown (404)."""
    found = dal.get_record(member.tenant_id, case_id)
    if found is None or not _members(member, found.case):
        raise _missing(case_id)
    found.messages = [message for message in found.messages if message.kind != "note"]
    return found


# ---- changing ------------------------------------------------------------------------------


def _released(write: CaseWrite) -> list[str]:
    return [change.staff_id for change in write.agents if isinstance(change, AgentRelease)]


def _commit_and_dispatch(change: CaseChange) -> Case:
    dal.commit(change.write)
    case = change.case
    freed = _released(change.write)
    waiting = [case.queue_id] if case.queue_id and case.is_open and case.assignee is None else []
    if freed or waiting:
        assignment.dispatch(case.tenant_id, queue_ids=waiting, agent_ids=freed)
        return dal.get_case(case.tenant_id, case.case_id) or case
    return case


def _retrying(tenant_id: str, case_id: str, build: Callable[[Case], CaseChange | None]) -> Case:
    """Read, decide, write; a lost race reads again. ``build`` answers None when nothing changes."""
    for attempt in range(ATTEMPTS):
        case = dal.get_case(tenant_id, case_id)
        if case is None:
            raise _missing(case_id)
        change = build(case)
        if change is None:
            return case
        try:
            return _commit_and_dispatch(change)
        except ConcurrentUpdate:
            if attempt + 1 == ATTEMPTS:
                raise
            assignment.pause(attempt)
    raise AssertionError("unreachable")


def hand_over(staff: StaffPrincipal, leaving: str, successor: Agent | None) -> int:
    """Every open case of the leaving agent to the successor, or back to its queue. How many moved."""
    actor = Actor(kind="staff", id=staff.staff_id)
    moved = 0
    for held in dal.all_agent_cases(staff.tenant_id, leaving):
        if not held.is_open:
            continue

        def build(case: Case) -> CaseChange | None:
            if case.assignee != leaving or not case.is_open:
                return None
            change = CaseChange.of(case, actor, now_rfc3339())
            if successor is not None:
                change.assign(successor, automatic=False, directed=True)
            else:
                change.unassign(f"{leaving} handed over their cases")
            return change

        after = _retrying(staff.tenant_id, held.case_id, build)
        moved += after.assignee != leaving
    return moved


def patch(staff: StaffPrincipal, case_id: str, body: CasePatch) -> Case:
    actor = Actor(kind="staff", id=staff.staff_id)
    given = body.model_fields_set
    target_agent = routing_dal.require_agent(staff.tenant_id, body.assignee) if body.assignee else None
    if "queue_id" in given and body.queue_id is None:
        raise Unprocessable("queue_id cannot be null.", [{"loc": ["body", "queue_id"], "msg": "a queue is required"}])
    if body.queue_id is not None and all(
        q.queue_id != body.queue_id for q in routing_dal.routing(staff.tenant_id).queues
    ):
        raise NotFound(f"No queue {body.queue_id}.")

    def build(case: Case) -> CaseChange:
        change = CaseChange.of(case, actor, now_rfc3339())
        if body.queue_id is not None:
            change.transfer(body.queue_id)
        if "assignee" in given:
            if target_agent is not None:
                change.assign(target_agent, automatic=False)
            else:
                change.unassign(body.reason or f"unassigned by {staff.staff_id}")
        if body.status is not None and body.status != change.case.status:
            change.move(body.status, body.reason)
        if body.priority is not None:
            change.reprioritise(body.priority)
        if body.tags is not None:
            change.case.tags = sorted(set(body.tags))
        return change

    return _retrying(staff.tenant_id, case_id, build)


def _reply_message(
    case: Case, staff: StaffPrincipal, body: StaffMessageCreate, at: str
) -> tuple[Message, list[BaseModel]]:
    message_id = ids.new_id("msg_")
    if body.kind == "note":
        return Message(
            message_id=message_id,
            kind="note",
            author=Actor(kind="staff", id=staff.staff_id),
            body=body.body,
            attachments=body.attachments,
            at=at,
        ), []
    if case.channel is None:
        delivery = Delivery(status="held", reason="no_channel", at=at)
        announce: list[BaseModel] = [
            events.CaseReplyHeld(
                case_id=case.case_id, contact_id=case.contact_id, message_id=message_id, reason="no_channel"
            )
        ]
    else:
        delivery = Delivery(status="requested", at=at)
        announce = [
            events.CaseReplyRequested(
                case_id=case.case_id,
                contact_id=case.contact_id,
                message_id=message_id,
                channel=case.channel,
                body=body.body,
            )
        ]
    message = Message(
        message_id=message_id,
        kind="outbound",
        author=Actor(kind="staff", id=staff.staff_id),
        body=body.body,
        attachments=body.attachments,
        at=at,
        delivery=delivery,
    )
    return message, announce


def staff_message(staff: StaffPrincipal, case_id: str, body: StaffMessageCreate) -> Message:
    """A reply (sent through the member's channel) or an internal note. A reply matching the
    tenant's sensitive words opens a compliance case, and is not sent when the rule says block."""
    settings = routing_dal.settings(staff.tenant_id)
    flagged = body.kind == "reply" and compliance.matches(body.body, settings.sensitive_words.words)
    if flagged and dal.get_case(staff.tenant_id, case_id) is None:
        raise _missing(case_id)
    blocked = flagged and compliance.screen(staff, case_id, body.body, settings)
    written: list[Message] = []

    def build(case: Case) -> CaseChange:
        if case.status == "closed":
            raise Conflict("The case is closed.")
        change = CaseChange.of(case, Actor(kind="staff", id=staff.staff_id), now_rfc3339(), settings)
        message, announce = _reply_message(case, staff, body, change.at)
        if blocked:
            message.delivery = Delivery(status="held", reason="blocked_sensitive_words", at=change.at)
            announce = []
        change.add_message(message)
        change.write.events.extend(announce)
        if message.kind == "outbound":
            if case.first_response_at is None:
                change.case.first_response_at = change.at
            if case.status == "assigned":
                change.move("in_progress", "first reply")
        written[:] = [message]
        return change

    _retrying(staff.tenant_id, case_id, build)
    return written[0]


NOT_RETRIABLE = {
    "blocked_sensitive_words": "it was blocked for sensitive words",
    "no_channel": "the case has no channel",
}


def retry_reply(staff: StaffPrincipal, case_id: str, message_id: str) -> Message:
    """Send a held or failed reply again (say, once the member has written and the window is open)."""
    case = dal.get_case(staff.tenant_id, case_id)
    message = dal.get_message(staff.tenant_id, case_id, message_id) if case else None
    if case is None or message is None or message.kind != "outbound" or message.delivery is None:
        raise NotFound(f"No reply {message_id} on case {case_id}.")
    current = message.delivery
    if current.status not in ("held", "failed"):
        raise Conflict(f"The reply is {current.status}; only a held or failed reply is sent again.", reason="not_held")
    if current.reason in NOT_RETRIABLE or case.channel is None:
        why = NOT_RETRIABLE.get(current.reason or "", NOT_RETRIABLE["no_channel"])
        raise Conflict(f"This reply cannot be sent: {why}.", reason=current.reason or "no_channel")
    if case.status == "closed":
        raise Conflict("The case is closed.")
    again = message.model_copy(update={"delivery": Delivery(status="requested", at=now_rfc3339())})
    request = events.CaseReplyRequested(
        case_id=case_id, contact_id=case.contact_id, message_id=message_id, channel=case.channel, body=message.body
    )
    dal.update_message_delivery(staff.tenant_id, case_id, again, current.status, request)
    return again


def member_message(member: MemberPrincipal, case_id: str, body: MemberMessageCreate) -> Message:
    written: list[Message] = []

    def build(case: Case) -> CaseChange:
        if not _members(member, case):
            raise _missing(case_id)
        if case.status == "closed":
            raise Conflict("The case is closed; please open a new one.", reason="case_closed")
        change = CaseChange.of(case, Actor(kind="member", id=member.contact_id), now_rfc3339())
        message = Message(
            message_id=ids.new_id("msg_"),
            kind="inbound",
            author=change.actor,
            body=body.body,
            attachments=body.attachments,
            at=change.at,
        )
        change.add_message(message)
        target = on_member_reply(case.status)
        if target is not None:
            change.move(target, "the member replied")
        if case.channel is not None:
            channel = case.channel
            change.write.prepares.append(lambda tx: channel_dal.open_window(tx, member.tenant_id, channel))
        written[:] = [message]
        return change

    _retrying(member.tenant_id, case_id, build)
    return written[0]


def rate(member: MemberPrincipal, case_id: str, body: CsatCreate) -> Case:
    """Once per resolution; a rating at or below the tenant's threshold reopens a resolved case."""
    settings = routing_dal.settings(member.tenant_id)
    threshold = settings.reopen_on_rating_at_most

    def build(case: Case) -> CaseChange:
        if not _members(member, case):
            raise _missing(case_id)
        if case.status not in ("resolved", "closed") or case.resolutions == 0:
            raise Conflict("Only a resolved case can be rated.", reason="not_resolved")
        if not case.rated_resolution_pending:
            raise Conflict("This resolution was rated already.", reason="already_rated")
        change = CaseChange.of(case, Actor(kind="member", id=member.contact_id), now_rfc3339(), settings)
        change.case.csat = Csat(rating=body.rating, comment=body.comment, resolution=case.resolutions, at=change.at)
        reopen = body.rating <= threshold and case.status == "resolved"
        if reopen:
            change.move("in_progress", f"rated {body.rating}")
        change.write.events.append(
            events.CaseRated(
                case_id=case.case_id,
                contact_id=case.contact_id,
                rating=body.rating,
                resolution=case.resolutions,
                reopened=reopen,
            )
        )
        return change

    return _retrying(member.tenant_id, case_id, build)
