"""Opening a case, whichever way it comes in: routed to a queue and, when someone can take it,
assigned in the same transaction that creates it (one write per intake)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from services.cases.dal import cases as dal
from services.cases.dal import contact_directory
from services.cases.dal import routing as routing_dal
from services.cases.logic import aliases, sla
from services.cases.logic.assignment import ATTEMPTS, SYSTEM, AgentPicker, dispatch, queue_of
from services.cases.logic.changes import AgentTurnTaken, CaseChange
from services.cases.logic.routing import choose_queue
from services.cases.models import Actor, Attachment, Case, DirectoryEntry, Message, Routing
from shared import ids
from shared.clock import now_rfc3339
from shared.dynamo import Prepare
from shared.errors import NotFound
from shared.events.cases import CaseType, ChannelAddress, Intake, Priority
from shared.retry import retry_on_race

View = TypeVar("View", bound=BaseModel)


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
    case_id: str = field(default_factory=lambda: ids.new_id("case_"))  # known up front: source claims name it


def _opening(
    tenant_id: str, draft: Draft, routing: Routing, picker: AgentPicker | None, attempt: int = 0
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
        case_id=draft.case_id,
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


class AnswerClaim(NamedTuple, Generic[View]):
    """An Idempotency-Key's claim on the answer a new case gives (``shared.idempotency``): the
    answer is the case's view, known only once the case is built."""

    claim: Callable[[View], Prepare]
    view: Callable[[Case], View]


def _commit(change: CaseChange, prepares: Sequence[Prepare], answer: AnswerClaim[Any] | None) -> Case:
    change.write.prepares = [*prepares]
    if answer is not None:
        change.write.prepares.insert(0, answer.claim(answer.view(change.case)))
    dal.commit(change.write)
    return change.case


def open_case(
    tenant_id: str, draft: Draft, prepares: Sequence[Prepare] = (), answer: AnswerClaim[Any] | None = None
) -> Case:
    """Create the case, assigned when an agent can take it now, waiting in its queue otherwise.
    ``prepares`` are the caller's conditional items (source marker, processed marker, window);
    ``answer`` claims an Idempotency-Key with the case's view.

    A case for a contact merged into another (an alias) is opened for the contact holding its
    cases, on the condition that this one is not merged meanwhile (else it is resolved again): a
    case never lands on a contact whose cases a merge has already moved."""
    contact_id = draft.contact_id
    if contact_id is None:
        return _open(tenant_id, draft, prepares, answer, None)

    def for_holder(_: int) -> Case:
        entry = aliases.holder(tenant_id, contact_id)
        held = replace(draft, contact_id=entry.contact_id)
        checked = [*prepares, contact_directory.still_holder(tenant_id, entry.contact_id)]
        return _open(tenant_id, held, checked, answer, entry)

    return retry_on_race(for_holder, races=contact_directory.HolderMerged)


def _open(
    tenant_id: str,
    draft: Draft,
    prepares: Sequence[Prepare],
    answer: AnswerClaim[Any] | None,
    contact: DirectoryEntry | None,
) -> Case:
    picker = AgentPicker(tenant_id, draft.contact_id, draft.brand, contact)
    try:
        return retry_on_race(
            lambda attempt: _commit(
                _opening(tenant_id, draft, routing_dal.routing(tenant_id), picker, attempt), prepares, answer
            ),
            races=AgentTurnTaken,
            attempts=ATTEMPTS,
        )
    except AgentTurnTaken:
        pass
    # Lost every race for an agent: open it waiting, then let dispatch place it like any other.
    case = _commit(_opening(tenant_id, draft, routing_dal.routing(tenant_id), None), prepares, answer)
    if case.queue_id:
        dispatch(tenant_id, [case.queue_id])
    return dal.get_case(tenant_id, draft.case_id) or case
