"""The only code that touches the cases table's routing partition: queues, agents, settings.

Item layout: T#{t}#ROUTING / QUEUE#{queue_id} | AGENT#{staff_id} | SETTINGS. They share a
partition so that routing a new case reads all it needs in one query.

An agent's ``open_cases`` and ``assigned_total`` move only with the cases they count: a case's
write (``dal.cases.commit``) hands its ``AgentChange``s to ``count_cases``, which adds the
agents' updates to the case's transaction. Saving an agent's profile never touches them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from services.cases.dal.table import routing_pk, table, whole_partition
from services.cases.models import Agent, Availability, CaseSettings, Queue, Routing
from shared import dynamo
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, Conflict, DomainError, NotFound

SETTINGS_SK = "SETTINGS"


def agent_key(tenant_id: str, staff_id: str) -> dict[str, str]:
    return {"pk": routing_pk(tenant_id), "sk": f"AGENT#{staff_id}"}


def routing(tenant_id: str) -> Routing:
    """Queues, agents and settings of a tenant, in one query."""
    found = Routing()
    for item in whole_partition(routing_pk(tenant_id)):
        if item["sk"].startswith("QUEUE#"):
            found.queues.append(Queue.model_validate(item))
        elif item["sk"].startswith("AGENT#"):
            found.agents.append(Agent.model_validate(item))
        elif item["sk"] == SETTINGS_SK:
            found.settings = _settings(item)
    return found


def _settings(item: dict[str, Any]) -> CaseSettings:
    return CaseSettings.model_validate({k: v for k, v in item.items() if k in CaseSettings.model_fields})


def settings(tenant_id: str) -> CaseSettings:
    item = dynamo.get_item(table(), {"pk": routing_pk(tenant_id), "sk": SETTINGS_SK})
    return _settings(item) if item else CaseSettings()


def save_settings(tenant_id: str, new: CaseSettings, expected_version: int) -> None:
    body = {"pk": routing_pk(tenant_id), "sk": SETTINGS_SK, "kind": "settings", **new.model_dump(mode="json")}
    moved = ConcurrentUpdate("The settings changed meanwhile; read them again.")
    tx = Transaction(table())
    if expected_version:
        tx.put(body, condition="version = :v", values={":v": expected_version}, on_fail=moved)
    else:
        tx.put(body, condition="attribute_not_exists(pk)", on_fail=moved)
    tx.commit()


def save_queue(queue: Queue) -> None:
    body = {"pk": routing_pk(queue.tenant_id), "sk": f"QUEUE#{queue.queue_id}", "kind": "queue"}
    Transaction(table()).put({**body, **queue.model_dump(mode="json")}).commit()


def save_agent(agent: Agent) -> Agent:
    """Create or update an agent's profile (queues, availability, capacity, manager), keeping the
    counters that cases move. Answers the stored agent."""
    key = agent_key(agent.tenant_id, agent.staff_id)
    sets = {
        "kind": "agent",
        "tenant_id": agent.tenant_id,
        "staff_id": agent.staff_id,
        "queues": agent.queues,
        "availability": agent.availability,
        "capacity": agent.capacity,
    }
    names = {f"#{k}": k for k in sets} | {f"#{k}": k for k in ("open_cases", "assigned_total", "version", "manager_id")}
    expression = "SET " + ", ".join(f"#{k} = :{k}" for k in sets)
    expression += ", #open_cases = if_not_exists(#open_cases, :zero)"
    expression += ", #assigned_total = if_not_exists(#assigned_total, :zero)"
    expression += ", #version = if_not_exists(#version, :zero) + :one"
    values: dict[str, Any] = {f":{k}": v for k, v in sets.items()} | {":zero": 0, ":one": 1}
    if agent.manager_id:
        expression += ", #manager_id = :manager_id"
        values[":manager_id"] = agent.manager_id
    else:
        expression += " REMOVE #manager_id"
    answer = dynamo.client().update_item(
        TableName=table(),
        Key=dynamo.serialize(key),
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=dynamo.serialize(values),
        ReturnValues="ALL_NEW",
    )
    return Agent.model_validate(dynamo.deserialize(answer["Attributes"]))


def set_availability(tenant_id: str, staff_id: str, availability: Availability) -> Agent:
    """Write an existing agent's availability and nothing else of their profile, so that a
    manager's change of queues or capacity meanwhile stays. Answers the stored agent."""
    missing = NotFound(
        f"{staff_id} has no agent profile here, so has no availability to set; "
        f"a manager or admin adds them with PUT /v1/agents/{staff_id}.",
        reason="not_an_agent",
    )
    Transaction(table()).update(
        agent_key(tenant_id, staff_id),
        "SET #availability = :availability, #version = #version + :one",
        condition="attribute_exists(pk)",
        names={"#availability": "availability", "#version": "version"},
        values={":availability": availability, ":one": 1},
        on_fail=missing,
    ).commit()
    saved = get_agent(tenant_id, staff_id)
    if saved is None:  # removed right after: there is no agent to answer
        raise missing
    return saved


def get_agent(tenant_id: str, staff_id: str) -> Agent | None:
    item = dynamo.get_item(table(), agent_key(tenant_id, staff_id))
    return Agent.model_validate(item) if item else None


def require_agent(tenant_id: str, staff_id: str) -> Agent:
    agent = get_agent(tenant_id, staff_id)
    if agent is None:
        raise Conflict(
            f"{staff_id} is not an agent here; add them with PUT /v1/agents/{staff_id}.", reason="not_an_agent"
        )
    return agent


# ---- the agents' case counters -------------------------------------------------------------


class AgentTake(NamedTuple):
    """One more open case for an agent, only if they still have room and nobody took their turn."""

    staff_id: str
    at: str
    on_fail: DomainError
    routed_seen_total: int | None = None  # routing: the turn it decided on; manual: None


class AgentRelease(NamedTuple):
    """One open case fewer: resolved, closed, or taken from the agent."""

    staff_id: str


class AgentTakeRegardless(NamedTuple):
    """One more open case whatever the agent's load: reopened, taken by their own reply, or
    directed to them (a compliance case to the staff member's manager)."""

    staff_id: str


AgentChange = AgentTake | AgentRelease | AgentTakeRegardless

AGENT_NAMES = {
    "#open": "open_cases",
    "#capacity": "capacity",
    "#total": "assigned_total",
    "#last": "last_assigned_at",
    "#availability": "availability",
    "#version": "version",
}


def count_cases(tx: Transaction, tenant_id: str, changes: list[AgentChange]) -> None:
    """Add the agents' counter updates for one case's write to its transaction."""
    by_agent: dict[str, list[AgentChange]] = {}
    for change in changes:
        by_agent.setdefault(change.staff_id, []).append(change)
    for staff_id, agent_changes in by_agent.items():
        _count_for(tx, tenant_id, staff_id, agent_changes)


def _count_for(tx: Transaction, tenant_id: str, staff_id: str, changes: list[AgentChange]) -> None:
    """One update per agent (a transaction may touch an item once): the net change in open cases,
    under the conditions of an assignment when there is one (a case given to the agent who
    resolves it in the same request is counted in and out at once)."""
    step = sum(-1 if isinstance(change, AgentRelease) else 1 for change in changes)
    take = next((change for change in changes if isinstance(change, AgentTake)), None)
    key = agent_key(tenant_id, staff_id)
    if take is None:
        if step:
            tx.update(
                key,
                "SET #open = #open + :step, #version = #version + :one",
                condition="attribute_exists(pk)",
                names={"#open": "open_cases", "#version": "version"},
                values={":step": step, ":one": 1},
            )
        return
    condition = "#open < #capacity"
    names = {k: v for k, v in AGENT_NAMES.items() if k != "#availability"}
    values: dict[str, Any] = {":one": 1, ":step": step, ":at": take.at}
    if take.routed_seen_total is not None:
        condition += " AND #total = :seen AND #availability = :online"
        names = AGENT_NAMES
        values |= {":seen": take.routed_seen_total, ":online": "online"}
    tx.update(
        key,
        "SET #open = #open + :step, #total = #total + :one, #last = :at, #version = #version + :one",
        condition=condition,
        names=names,
        values=values,
        on_fail=take.on_fail,
    )
