"""Opening a case, whichever way it comes in: routed to a queue and, when someone can take it,
assigned in the same transaction that creates it (one write per intake)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.cases.dal import cases as dal
from services.cases.dal import routing as routing_dal
from services.cases.logic import sla
from services.cases.logic.assignment import ATTEMPTS, SYSTEM, AgentPicker, dispatch, pause, queue_of
from services.cases.logic.changes import AgentTurnTaken, CaseChange
from services.cases.logic.routing import choose_queue
from services.cases.models import Actor, Attachment, Case, Message, Routing
from shared import ids
from shared.clock import now_rfc3339
from shared.dynamo import Transaction
from shared.errors import NotFound
from shared.events.cases import CaseType, ChannelAddress, Intake, Priority

Prepare = Callable[[Transaction], None]


@dataclass
class Draft:
    type: CaseType
    subject: str
    intake: Intake
    opened_by: Actor
    description: str = ""
    priority: Priority = "normal"
    contact_id: str | None = None
    brand: str | None = None
    channel: ChannelAddress | None = None
    order_id: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    subject_staff_id: str | None = None
    queue_id: str | None = None  # staff may name the queue; otherwise routing rules decide
    assignee: str | None = None  # directed to this agent whatever their load (compliance → manager)
    first_message: str | None = None  # a channel message the case starts from


def _build(
    tenant_id: str, case_id: str, draft: Draft, routing: Routing, picker: AgentPicker | None, attempt: int = 0
) -> CaseChange:
    at = now_rfc3339()
    if draft.queue_id is not None:
        queue = queue_of(routing, draft.queue_id)
        if queue is None:
            raise NotFound(f"No queue {draft.queue_id}.")
    else:
        queue = choose_queue(routing.queues, draft.type, draft.brand, f"{draft.subject}\n{draft.description}")
    case = Case(
        tenant_id=tenant_id,
        case_id=case_id,
        type=draft.type,
        priority=draft.priority,
        subject=draft.subject,
        description=draft.description,
        contact_id=draft.contact_id,
        brand=draft.brand,
        channel=draft.channel,
        intake=draft.intake,
        opened_by=draft.opened_by,
        queue_id=queue.queue_id if queue else None,
        tags=draft.tags,
        order_id=draft.order_id,
        attachments=draft.attachments,
        subject_staff_id=draft.subject_staff_id,
        created_at=at,
        updated_at=at,
    )
    sla.start(case, routing.settings, at)
    change = CaseChange(None, case, draft.opened_by, at, routing.settings)
    change.opened()
    if draft.first_message:
        change.add_message(
            Message(
                message_id=ids.new_id("msg_"),
                kind="inbound",
                author=draft.opened_by,
                body=draft.first_message,
                at=at,
            )
        )
    directed = next((agent for agent in routing.agents if agent.staff_id == draft.assignee), None)
    if directed is not None:
        change.actor = SYSTEM
        change.assign(directed, automatic=False, directed=True)
    elif picker is not None:
        agent = picker.pick(queue, routing.agents, attempt)
        if agent is not None:
            change.actor = SYSTEM
            change.assign(agent, automatic=True)
    return change


def open_case(tenant_id: str, draft: Draft, prepares: Callable[[Case], list[Prepare]] = lambda case: []) -> Case:
    """Create the case, assigned when an agent can take it now, waiting in its queue otherwise.
    ``prepares`` adds the caller's conditional items (idempotency key, source marker)."""
    case_id = ids.new_id("case_")
    picker = AgentPicker(tenant_id, draft.contact_id, draft.brand)
    for attempt in range(ATTEMPTS):
        change = _build(tenant_id, case_id, draft, routing_dal.routing(tenant_id), picker, attempt)
        change.write.prepares = prepares(change.case)
        try:
            dal.commit(change.write)
            return change.case
        except AgentTurnTaken:
            pause(attempt)
    # Lost every race for an agent: open it waiting, then let dispatch place it like any other.
    change = _build(tenant_id, case_id, draft, routing_dal.routing(tenant_id), None)
    change.write.prepares = prepares(change.case)
    dal.commit(change.write)
    if change.case.queue_id:
        dispatch(tenant_id, [change.case.queue_id])
    return dal.get_case(tenant_id, case_id) or change.case
