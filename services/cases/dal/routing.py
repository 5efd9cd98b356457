"""The only code that touches the cases table's routing partition: queues, agents, settings.

Item layout: T#{t}#ROUTING / QUEUE#{queue_id} | AGENT#{staff_id} | SETTINGS. They share a
partition so that routing a new case reads all it needs in one query.

An agent's ``open_cases`` and ``assigned_total`` move only with the cases they count (in
``dal.cases.commit``); saving an agent's profile never touches them.
"""

from __future__ import annotations

from typing import Any

from services.cases.dal.cases import agent_key, routing_pk, table, whole_partition
from services.cases.models import Agent, CaseSettings, Queue, Routing
from shared import dynamo
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, Conflict

SETTINGS_SK = "SETTINGS"


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
