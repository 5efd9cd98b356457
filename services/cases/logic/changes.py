"""One change to a case, built up step by step and written at once.

A ``CaseChange`` starts from the case as read and collects what the change means: the new state,
history lines, thread messages, the agents' open-case counters it moves and the events it
publishes. ``dal.commit`` writes all of it in one transaction over the version read, so a case
never shows a status without its history, an assignment without the agent's count, or a change
without its event.
"""

from __future__ import annotations

from datetime import timedelta

from services.cases.dal import routing as routing_dal
from services.cases.dal.cases import CaseWrite
from services.cases.dal.routing import AgentRelease, AgentTake, AgentTakeRegardless
from services.cases.logic import sla, workflow
from services.cases.models import Actor, Agent, Case, CaseSettings, HistoryLine, Message, Status
from shared.clock import parse_rfc3339, rfc3339
from shared.errors import ConcurrentUpdate, Conflict
from shared.events import cases as events
from shared.events.cases import Priority


class AgentTurnTaken(ConcurrentUpdate):
    """The chosen agent took another case (or filled up) meanwhile: choose again."""


class CaseChange:
    def __init__(
        self, before: Case | None, case: Case, actor: Actor, at: str, settings: CaseSettings | None = None
    ) -> None:
        self.before = before
        self.actor = actor
        self.at = at
        self._settings = settings
        if before is not None:
            case.version = before.version + 1
            case.updated_at = at
        self.write = CaseWrite(
            case=case,
            contact_before=before.contact_id if before else None,
            channel_before=before.channel if before else None,
            status_before=before.status if before else None,
        )

    @classmethod
    def of(cls, before: Case, actor: Actor, at: str, settings: CaseSettings | None = None) -> CaseChange:
        return cls(before, before.model_copy(deep=True), actor, at, settings)

    @property
    def case(self) -> Case:
        return self.write.case

    @property
    def settings(self) -> CaseSettings:
        """The tenant's settings, read only when a change needs them (SLA clocks)."""
        if self._settings is None:
            self._settings = routing_dal.settings(self.case.tenant_id)
        return self._settings

    def reprioritise(self, priority: Priority) -> None:
        if priority != self.case.priority:
            self.case.priority = priority
            sla.follow(self.case, self.settings, self.at, priority_changed=True)

    # ---- status ---------------------------------------------------------------------------
    def note(self, reason: str) -> None:
        """A history line without a status move (an SLA miss, a reassignment)."""
        self._line(self.case.status, self.case.status, reason)

    def _line(self, from_status: Status, to_status: Status, reason: str | None) -> None:
        self.write.history.append(
            HistoryLine(
                at=self.at,
                actor_kind=self.actor.kind,
                actor_id=self.actor.id,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
            )
        )
        if from_status != to_status:
            self.write.events.append(
                events.CaseStatusChanged(
                    case_id=self.case.case_id,
                    contact_id=self.case.contact_id,
                    from_status=from_status,
                    to_status=to_status,
                    actor_kind=self.actor.kind,
                    actor_id=self.actor.id,
                    reason=reason,
                )
            )

    def opened(self) -> None:
        case = self.case
        self._line("new", "new", f"opened ({case.intake})")
        self.write.events.append(
            events.CaseOpened(
                case_id=case.case_id,
                contact_id=case.contact_id,
                type=case.type,
                priority=case.priority,
                intake=case.intake,
                queue_id=case.queue_id,
                brand=case.brand,
            )
        )

    def move(self, target: Status, reason: str | None = None) -> None:
        """A legal status move with its side effects on the agent's load and the case's times."""
        case = self.case
        current = case.status
        workflow.move(current, target, actor_kind=self.actor.kind, actor_id=self.actor.id, at=self.at, reason=reason)
        was_open = current in workflow.OPEN
        case.status = target
        case.close_due_at = None
        if target == "resolved":
            case.resolved_at = self.at
            case.resolutions += 1
            closing = parse_rfc3339(self.at) + timedelta(days=self.settings.auto_close_days)
            case.close_due_at = rfc3339(closing)
        elif target == "closed":
            case.closed_at = self.at
        sla.follow(case, self.settings, self.at)
        if case.assignee:
            if was_open and not case.is_open:
                self.write.agents.append(AgentRelease(case.assignee))
            elif not was_open and case.is_open:
                self.write.agents.append(AgentTakeRegardless(case.assignee))
        self._line(current, target, reason)

    # ---- assignment -----------------------------------------------------------------------
    def _assignment_event(self, previous: str | None) -> None:
        self.write.events.append(
            events.CaseAssignmentChanged(
                case_id=self.case.case_id,
                contact_id=self.case.contact_id,
                queue_id=self.case.queue_id,
                assignee=self.case.assignee,
                previous_assignee=previous,
                actor=self.actor.id if self.actor.kind == "staff" else "system",
            )
        )

    def _let_go(self) -> str | None:
        previous = self.case.assignee
        if previous and self.case.is_open:
            self.write.agents.append(AgentRelease(previous))
        self.case.assignee = None
        return previous

    def assign(self, agent: Agent, *, automatic: bool, directed: bool = False, reason: str | None = None) -> None:
        """Give the case to an agent, who must have room (and, when routed, be online); a
        directed case is theirs whatever their load."""
        case = self.case
        if case.assignee == agent.staff_id:
            return
        if not case.is_open:
            raise Conflict(f"A {case.status} case cannot be assigned.")
        previous = self._let_go()
        full = f"{agent.staff_id} has no room for another case (capacity {agent.capacity})."
        self.write.agents.append(
            AgentTakeRegardless(agent.staff_id)
            if directed
            else AgentTake(
                agent.staff_id,
                self.at,
                on_fail=AgentTurnTaken(full) if automatic else Conflict(full, reason="agent_at_capacity"),
                routed_seen_total=agent.assigned_total if automatic else None,
            )
        )
        case.assignee = agent.staff_id
        reason = reason or f"assigned to {agent.staff_id}" + (" by routing" if automatic else "")
        if case.status == "new":
            self.move("assigned", reason)
        else:
            self.note(reason)
        self._assignment_event(previous)

    def unassign(self, reason: str, *, queue_id: str | None = None) -> None:
        """Back to a queue (its own, or ``queue_id``), to be handed out again."""
        case = self.case
        if case.assignee is None and queue_id in (None, case.queue_id):
            return
        previous = self._let_go()
        case.queue_id = queue_id or case.queue_id
        if case.status == "assigned":
            self.move("new", reason)
        else:
            self.note(reason)
        self._assignment_event(previous)

    def transfer(self, queue_id: str) -> None:
        self.unassign(f"transferred to queue {queue_id}", queue_id=queue_id)

    # ---- thread ---------------------------------------------------------------------------
    def add_message(self, message: Message) -> None:
        self.write.messages.append(message)
        self.write.events.append(
            events.CaseMessageAdded(
                case_id=self.case.case_id,
                contact_id=self.case.contact_id,
                message_id=message.message_id,
                kind=message.kind,
                author_kind=message.author.kind,
            )
        )
