"""What members and staff do with cases: file, read, move, assign, write, rate.

Each operation reads the case, builds one ``CaseChange`` and commits it over the version read; a
lost race reads again and re-decides. Freed agent places are handed out afterwards (dispatch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
from services.cases.dal.routing import AgentRelease
from services.cases.dal.table import table
from services.cases.logic import aliases, assignment, compliance
from services.cases.logic.changes import CaseChange
from services.cases.logic.intake import AnswerClaim, Draft, open_case
from services.cases.logic.workflow import on_member_reply
from services.cases.models import (
    Actor,
    Agent,
    Case,
    CaseFilters,
    CaseRecord,
    CaseSettings,
    Csat,
    Delivery,
    Message,
)
from shared import ids
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.clock import now_rfc3339
from shared.dynamo import Prepare
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events import cases as events
from shared.events.cases import ChannelAddress
from shared.idempotency import once_per_key
from shared.retry import retry_on_race

MEMBER_CHANNEL = "wechat_mini_program"
View = TypeVar("View", bound=BaseModel)


def _missing(case_id: str) -> NotFound:
    return NotFound(f"No case {case_id}.")


def _open_once(
    tenant_id: str,
    draft: Draft,
    *,
    request: BaseModel,
    scope: str,
    key: str | None,
    answer_type: type[View],
    view: Callable[[Case], View],
    prepares: tuple[Prepare, ...] = (),
    check: Callable[[], None] | None = None,
) -> View:
    """Open a case once per Idempotency-Key; a replay answers what the first request answered
    (``check``, the request's own rules, runs only for a new request, as every rule does)."""

    def write(claim: Callable[[View], Prepare]) -> View:
        if check is not None:
            check()
        return view(open_case(tenant_id, draft, prepares, AnswerClaim(claim, view)))

    return once_per_key(
        table=table(),
        tenant_id=tenant_id,
        scope=scope,
        key=key,
        request=request,
        answer_type=answer_type,
        write=write,
    )


def _unknown_contact(contact_id: str) -> NotFound:
    return NotFound(
        f"No contact {contact_id} is known to cases. A contact created a moment ago becomes known "
        "within seconds: try again shortly.",
        reason="unknown_contact",
    )


def _require_known_contact(tenant_id: str, contact_id: str | None) -> None:
    """A staff case names a contact of this tenant that cases knows of (its directory, fed by
    contacts' events). Unknown, erased and another tenant's contacts get the same 404."""
    # Only staff intake needs the directory's rules (and the contacts contracts they import).
    from services.cases.logic import contact_directory

    if contact_id is not None and not contact_directory.is_known(tenant_id, contact_id):
        raise _unknown_contact(contact_id)


# ---- intake --------------------------------------------------------------------------------


def file_for_member(member: MemberPrincipal, body: MemberCaseCreate, key: str | None) -> MemberCaseView:
    member = aliases.as_holder(member)
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
    return _open_once(
        member.tenant_id,
        draft,
        request=body,
        scope=f"me-cases#{member.contact_id}",
        key=key,
        answer_type=MemberCaseView,
        view=MemberCaseView.of,
        prepares=() if channel is None else (channel_dal.window_opener(member.tenant_id, channel),),
    )


def create_by_staff(staff: StaffPrincipal, body: StaffCaseCreate, key: str | None) -> CaseView:
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
    return _open_once(
        staff.tenant_id,
        draft,
        request=body,
        scope="cases",
        key=key,
        answer_type=CaseView,
        view=CaseView.of,
        check=lambda: _require_known_contact(staff.tenant_id, body.contact_id),
    )


# ---- reading -------------------------------------------------------------------------------


def record(tenant_id: str, case_id: str) -> CaseRecord:
    found = dal.get_record(tenant_id, case_id)
    if found is None:
        raise _missing(case_id)
    return found


def list_cases(tenant_id: str, filters: CaseFilters, limit: int, cursor: str | None) -> tuple[list[Case], str | None]:
    if filters.contact_id:  # an alias's cases are its survivor's
        filters = filters._replace(contact_id=aliases.holder_id(tenant_id, filters.contact_id))
    return dal.list_cases(tenant_id, filters, limit, cursor)


def _is_members_own(member: MemberPrincipal, case: Case) -> bool:
    return case.contact_id == member.contact_id and case.type != "compliance"


def member_cases(member: MemberPrincipal, limit: int, cursor: str | None) -> tuple[list[Case], str | None]:
    """The member's cases, newest first; compliance cases (about staff) are not theirs to see. A
    token issued to a contact since merged into another sees the survivor's (``aliases``)."""
    member = aliases.as_holder(member)
    found, next_cursor = dal.member_cases(member.tenant_id, member.contact_id, limit, cursor)
    return [case for case in found if _is_members_own(member, case)], next_cursor


def member_record(member: MemberPrincipal, case_id: str) -> CaseRecord:
    """The member's own case, without internal notes; anyone else's is unknown (404)."""
    member = aliases.as_holder(member)
    found = dal.get_record(member.tenant_id, case_id)
    if found is None or not _is_members_own(member, found.case):
        raise _missing(case_id)
    found.messages = [message for message in found.messages if message.kind != "note"]
    return found


# ---- changing ------------------------------------------------------------------------------


def _commit_and_dispatch(change: CaseChange) -> Case:
    """Write the change; then hand out the places it freed and the case itself if it waits."""
    dal.commit(change.write)
    case = change.case
    freed = [agent.staff_id for agent in change.write.agents if isinstance(agent, AgentRelease)]
    waiting = [case.queue_id] if case.queue_id and case.is_open and case.assignee is None else []
    if freed or waiting:
        assignment.dispatch(case.tenant_id, queue_ids=waiting, agent_ids=freed)
        return dal.get_case(case.tenant_id, case.case_id) or case
    return case


def _change_case(
    tenant_id: str, case_id: str, decide: Callable[[Case], CaseChange | None]
) -> tuple[Case, CaseChange | None]:
    """Read, decide, write; a lost race reads again and decides again. ``decide`` answers None
    when nothing changes. Answers the case as stored afterwards and the change written."""

    def attempt(_: int) -> tuple[Case, CaseChange | None]:
        case = dal.get_case(tenant_id, case_id)
        if case is None:
            raise _missing(case_id)
        change = decide(case)
        return (case, None) if change is None else (_commit_and_dispatch(change), change)

    return retry_on_race(attempt)


def _written(outcome: tuple[Case, CaseChange | None]) -> CaseChange:
    _, change = outcome
    if change is None:
        raise AssertionError("this decision always changes the case")
    return change


def _handed_over(case: Case, actor: Actor, leaving: str, successor: Agent | None) -> CaseChange | None:
    if case.assignee != leaving or not case.is_open:
        return None
    change = CaseChange.of(case, actor, now_rfc3339())
    if successor is not None:
        change.assign(successor, automatic=False, directed=True)
    else:
        change.unassign(f"{leaving} handed over their cases")
    return change


def hand_over(staff: StaffPrincipal, leaving: str, successor: Agent | None) -> int:
    """Every open case of the leaving agent to the successor, or back to its queue. How many moved."""
    actor = Actor(kind="staff", id=staff.staff_id)
    moved = 0
    for held in dal.all_agent_cases(staff.tenant_id, leaving):
        if held.is_open:
            after, change = _change_case(
                staff.tenant_id, held.case_id, lambda case: _handed_over(case, actor, leaving, successor)
            )
            moved += change is not None and after.assignee != leaving
    return moved


def _agent_of_its_queue(tenant_id: str, staff_id: str, case: Case) -> Agent | None:
    """The staff member as an agent, when the case waits unassigned in a queue they serve: then a
    reply or a resolution of theirs takes the case (new → assigned), as picking it up would."""
    if case.status != "new" or case.assignee is not None or case.queue_id is None:
        return None
    agent = routing_dal.get_agent(tenant_id, staff_id)
    return agent if agent is not None and case.queue_id in agent.queues else None


def _take_by_staff(change: CaseChange, staff: StaffPrincipal, why: str) -> None:
    agent = _agent_of_its_queue(staff.tenant_id, staff.staff_id, change.case)
    if agent is not None:
        change.assign(agent, automatic=False, directed=True, reason=f"taken by {staff.staff_id} {why}")


def _patched(case: Case, staff: StaffPrincipal, body: CasePatch, target_agent: Agent | None) -> CaseChange:
    change = CaseChange.of(case, Actor(kind="staff", id=staff.staff_id), now_rfc3339())
    if body.queue_id is not None:
        change.transfer(body.queue_id)
    if "assignee" in body.model_fields_set:
        if target_agent is not None:
            change.assign(target_agent, automatic=False)
        else:
            change.unassign(body.reason or f"unassigned by {staff.staff_id}")
    if body.status is not None and body.status != change.case.status:
        if body.status == "resolved":
            _take_by_staff(change, staff, "to resolve it")
        change.move(body.status, body.reason)
    if body.priority is not None:
        change.reprioritise(body.priority)
    if body.tags is not None:
        change.case.tags = sorted(set(body.tags))
    return change


def patch(staff: StaffPrincipal, case_id: str, body: CasePatch) -> Case:
    """A status move, priority, tags, an assignment or a transfer. A new case may be resolved at
    once: an agent of its queue takes it first, anyone else resolves it unassigned."""
    target_agent = routing_dal.require_agent(staff.tenant_id, body.assignee) if body.assignee else None
    if "queue_id" in body.model_fields_set and body.queue_id is None:
        raise Unprocessable("queue_id cannot be null.", [{"loc": ["body", "queue_id"], "msg": "a queue is required"}])
    if body.queue_id is not None and all(
        q.queue_id != body.queue_id for q in routing_dal.routing(staff.tenant_id).queues
    ):
        raise NotFound(f"No queue {body.queue_id}.")
    after, _ = _change_case(staff.tenant_id, case_id, lambda case: _patched(case, staff, body, target_agent))
    return after


def _outbound(case: Case, staff: StaffPrincipal, body: StaffMessageCreate, at: str) -> tuple[Message, list[BaseModel]]:
    """A staff message and the events it announces: a note stays inside; a reply is requested
    from the member's channel, or held when the case has none."""
    message_id = ids.new_id("msg_")
    author = Actor(kind="staff", id=staff.staff_id)
    if body.kind == "note":
        note = Message(
            message_id=message_id, kind="note", author=author, body=body.body, attachments=body.attachments, at=at
        )
        return note, []
    announce: BaseModel
    if case.channel is None:
        delivery = Delivery(status="held", reason="no_channel", at=at)
        announce = events.CaseReplyHeld(
            case_id=case.case_id, contact_id=case.contact_id, message_id=message_id, reason="no_channel"
        )
    else:
        delivery = Delivery(status="requested", at=at)
        announce = events.CaseReplyRequested(
            case_id=case.case_id,
            contact_id=case.contact_id,
            message_id=message_id,
            channel=case.channel,
            body=body.body,
        )
    reply = Message(
        message_id=message_id,
        kind="outbound",
        author=author,
        body=body.body,
        attachments=body.attachments,
        at=at,
        delivery=delivery,
    )
    return reply, [announce]


def _with_staff_message(
    case: Case, staff: StaffPrincipal, body: StaffMessageCreate, settings: CaseSettings, blocked: bool
) -> CaseChange:
    if case.status == "closed":
        raise Conflict("The case is closed.")
    change = CaseChange.of(case, Actor(kind="staff", id=staff.staff_id), now_rfc3339(), settings)
    message, announce = _outbound(case, staff, body, change.at)
    if blocked:
        message.delivery = Delivery(status="held", reason="blocked_sensitive_words", at=change.at)
        announce = []
    if message.kind == "outbound":
        _take_by_staff(change, staff, "by replying")
    change.add_message(message)
    change.write.events.extend(announce)
    if message.kind == "outbound":
        if case.first_response_at is None:
            change.case.first_response_at = change.at
        if change.case.status == "assigned":
            change.move("in_progress", "first reply")
    return change


def staff_message(staff: StaffPrincipal, case_id: str, body: StaffMessageCreate) -> Message:
    """A reply (sent through the member's channel) or an internal note. A reply matching the
    tenant's sensitive words opens a compliance case, and is not sent when the rule says block.
    An agent replying to an unassigned case of their queue takes it."""
    settings = routing_dal.settings(staff.tenant_id)
    flagged = body.kind == "reply" and bool(compliance.matches(body.body, settings.sensitive_words.words))
    if flagged and dal.get_case(staff.tenant_id, case_id) is None:
        raise _missing(case_id)
    blocked = flagged and compliance.screen(staff, case_id, body.body, settings)
    outcome = _change_case(
        staff.tenant_id, case_id, lambda case: _with_staff_message(case, staff, body, settings, blocked)
    )
    return _written(outcome).write.messages[0]


NOT_RETRIABLE = {
    "blocked_sensitive_words": "it was blocked for sensitive words",
    "no_channel": "the case has no channel",
}


def retry_reply(staff: StaffPrincipal, case_id: str, message_id: str) -> Message:
    """Send a held or failed reply again (say, once the member has written and the window is open),
    or one left ``sending`` by an attempt that died with no request left to redeliver it."""
    from services.cases.logic.delivery import attempt_died  # only this route needs the gateway's module

    case = dal.get_case(staff.tenant_id, case_id)
    message = dal.get_message(staff.tenant_id, case_id, message_id) if case else None
    if case is None or message is None or message.kind != "outbound" or message.delivery is None:
        raise NotFound(f"No reply {message_id} on case {case_id}.")
    current = message.delivery
    if current.status not in ("held", "failed") and not attempt_died(current):
        raise Conflict(
            f"The reply is {current.status}; only a held or failed reply, or one whose sending attempt died, "
            "is sent again.",
            reason="not_held",
        )
    if current.reason in NOT_RETRIABLE or case.channel is None:
        why = NOT_RETRIABLE.get(current.reason or "", NOT_RETRIABLE["no_channel"])
        raise Conflict(f"This reply cannot be sent: {why}.", reason=current.reason or "no_channel")
    if case.status == "closed":
        raise Conflict("The case is closed.")
    again = message.model_copy(update={"delivery": Delivery(status="requested", at=now_rfc3339())})
    request = events.CaseReplyRequested(
        case_id=case_id, contact_id=case.contact_id, message_id=message_id, channel=case.channel, body=message.body
    )
    dal.update_message_delivery(staff.tenant_id, case_id, again, current.status, request, forget_attempts=True)
    return again


def _with_member_message(case: Case, member: MemberPrincipal, body: MemberMessageCreate) -> CaseChange:
    if not _is_members_own(member, case):
        raise _missing(case.case_id)
    if case.status == "closed":
        raise Conflict("The case is closed; please open a new one.", reason="case_closed")
    change = CaseChange.of(case, Actor(kind="member", id=member.contact_id), now_rfc3339())
    change.add_message(
        Message(
            message_id=ids.new_id("msg_"),
            kind="inbound",
            author=change.actor,
            body=body.body,
            attachments=body.attachments,
            at=change.at,
        )
    )
    target = on_member_reply(case.status)
    if target is not None:
        change.move(target, "the member replied")
    if case.channel is not None:
        change.write.prepares.append(channel_dal.window_opener(member.tenant_id, case.channel))
    return change


def member_message(member: MemberPrincipal, case_id: str, body: MemberMessageCreate) -> Message:
    member = aliases.as_holder(member)
    outcome = _change_case(member.tenant_id, case_id, lambda case: _with_member_message(case, member, body))
    return _written(outcome).write.messages[0]


def _rated(case: Case, member: MemberPrincipal, body: CsatCreate, settings: CaseSettings) -> CaseChange:
    if not _is_members_own(member, case):
        raise _missing(case.case_id)
    if case.status not in ("resolved", "closed") or case.resolutions == 0:
        raise Conflict("Only a resolved case can be rated.", reason="not_resolved")
    if not case.rated_resolution_pending:
        raise Conflict("This resolution was rated already.", reason="already_rated")
    change = CaseChange.of(case, Actor(kind="member", id=member.contact_id), now_rfc3339(), settings)
    change.case.csat = Csat(rating=body.rating, comment=body.comment, resolution=case.resolutions, at=change.at)
    reopen = body.rating <= settings.reopen_on_rating_at_most and case.status == "resolved"
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


def rate(member: MemberPrincipal, case_id: str, body: CsatCreate) -> Case:
    """Once per resolution; a rating at or below the tenant's threshold reopens a resolved case."""
    member = aliases.as_holder(member)
    settings = routing_dal.settings(member.tenant_id)
    after, _ = _change_case(member.tenant_id, case_id, lambda case: _rated(case, member, body, settings))
    return after
