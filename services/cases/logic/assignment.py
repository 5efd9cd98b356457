"""Handing cases to agents: at intake, and whenever room frees up in a queue.

Routing decides on a read of the queue's agents; the write re-checks that the agent is still
online, below capacity and that nobody took their turn (``assigned_total`` unchanged). A lost race
reads again and decides again; a case that cannot be placed waits in its queue and is handed out
by ``dispatch`` when an agent comes online or frees up a place.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.cases.dal import cases as dal
from services.cases.dal import contact_directory
from services.cases.dal import routing as routing_dal
from services.cases.logic.changes import AgentTurnTaken, CaseChange
from services.cases.logic.routing import choose_agent
from services.cases.models import Actor, Agent, Case, DirectoryEntry, Queue, Routing
from shared.clock import now_rfc3339
from shared.errors import ConcurrentUpdate
from shared.retry import retry_on_race

ATTEMPTS = 12  # more than a plain write's: a burst of intakes races for the same few agents
DISPATCH_BATCH = 25
SYSTEM = Actor(kind="system", id="routing")


def owner_of(tenant_id: str, contact_id: str | None, brand: str | None) -> str | None:
    """The contact's owner for the brand (or tenant-wide), from the service's directory."""
    if not contact_id:
        return None
    entry, _ = contact_directory.get(tenant_id, contact_id)
    return _owner_in(entry, brand)


def _owner_in(entry: DirectoryEntry, brand: str | None) -> str | None:
    return entry.owners.get(brand or "*") or entry.owners.get("*")


class AgentPicker:
    """Chooses an agent for a case, looking the contact's owner up only when someone could take it."""

    def __init__(
        self, tenant_id: str, contact_id: str | None, brand: str | None, known: DirectoryEntry | None = None
    ) -> None:
        """``known``: the contact's directory entry, when the caller has just read it."""
        self.whose = (tenant_id, contact_id, brand)
        self._owner: str | None = None
        self._looked_up = False
        if known is not None:
            self._owner, self._looked_up = _owner_in(known, brand), True

    def pick(self, queue: Queue | None, agents: Iterable[Agent], attempt: int = 0) -> Agent | None:
        if queue is None:
            return None
        able = [agent for agent in agents if agent.can_take(queue.queue_id)]
        if not able:
            return None
        if not self._looked_up:
            self._owner, self._looked_up = owner_of(*self.whose), True
        return choose_agent(queue, able, self._owner, spread=attempt + 1)


def _hand_out(case: Case, queue: Queue, routing: Routing, picker: AgentPicker, attempt: int) -> bool:
    """Try to give one waiting case to an agent; True if it was placed."""
    agent = picker.pick(queue, routing.agents, attempt)
    if agent is None:
        return False
    change = CaseChange.of(case, SYSTEM, now_rfc3339(), routing.settings)
    change.assign(agent, automatic=True)
    dal.commit(change.write)
    agent.open_cases += 1
    agent.assigned_total += 1
    agent.last_assigned_at = change.at
    return True


def _place(tenant_id: str, case: Case, queue_id: str, routing: Routing) -> tuple[bool, Routing]:
    """Give one waiting case to an agent; a lost turn reads the agents again and chooses again.
    Whether it was placed, and the routing it decided on (the next case starts from it)."""
    picker = AgentPicker(tenant_id, case.contact_id, case.brand)

    def attempt(number: int) -> tuple[bool, Routing]:
        current = routing_dal.routing(tenant_id) if number else routing
        queue = queue_of(current, queue_id)
        return queue is not None and _hand_out(case, queue, current, picker, number), current

    try:
        return retry_on_race(attempt, races=AgentTurnTaken, attempts=ATTEMPTS)
    except ConcurrentUpdate:
        # Every turn lost (it waits for the next dispatch), or the case itself moved. The routing
        # read may be stale: safe, since every assignment re-checks the agent when it writes.
        return False, routing


def dispatch(tenant_id: str, queue_ids: Iterable[str] = (), agent_ids: Iterable[str] = ()) -> int:
    """Hand out waiting cases, oldest first, while agents have room: in the given queues and in
    every queue the given agents serve (they just came online or freed a place). Returns how many."""
    wanted, agents = set(queue_ids), set(agent_ids)
    if not wanted and not agents:
        return 0
    placed = 0
    routing = routing_dal.routing(tenant_id)
    for agent in routing.agents:
        if agent.staff_id in agents:
            wanted.update(agent.queues)
    for queue_id in [q.queue_id for q in routing.queues if q.queue_id in wanted]:
        for case in dal.waiting_cases(tenant_id, queue_id, DISPATCH_BATCH):
            done, routing = _place(tenant_id, case, queue_id, routing)
            placed += done
            if not any(agent.can_take(queue_id) for agent in routing.agents):
                break
    return placed


def queue_of(routing: Routing, queue_id: str | None) -> Queue | None:
    return next((queue for queue in routing.queues if queue.queue_id == queue_id), None)
