"""Routing, as pure decisions: which queue a new case belongs to, and which agent takes it.

- Queue: the first queue (by rank, then id) with a rule the case matches; else the default queue.
- Agent: the contact's owner when they serve the queue and can take a case now; otherwise the
  queue's policy over the agents who can:
  - round robin: the agent whose last assignment is oldest (never assigned counts as oldest), so
    turns rotate fairly whoever joins or leaves;
  - least loaded: the fewest open cases, ties broken by the same rotation.
  A case that lost the race for an agent's turn chooses again among the next few in turn, at
  random, so that simultaneous intakes do not all collide on the same next agent.
An agent can take a case when online, serving the queue and below their capacity; the data layer
re-checks capacity when it writes, so a decision made on a stale read cannot overfill anyone.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from services.cases.models import Agent, Queue, RoutingRule


def _matches(rule: RoutingRule, case_type: str, brand: str | None, text: str) -> bool:
    if rule.types and case_type not in rule.types:
        return False
    if rule.brands and brand not in rule.brands:
        return False
    return not rule.keywords or any(word in text for word in rule.keywords)


def choose_queue(queues: Iterable[Queue], case_type: str, brand: str | None, text: str) -> Queue | None:
    ordered = sorted(queues, key=lambda queue: (queue.rank, queue.queue_id))
    for queue in ordered:
        if any(_matches(rule, case_type, brand, text) for rule in queue.rules):
            return queue
    return next((queue for queue in ordered if queue.is_default), None)


def _turn(agent: Agent) -> tuple[str, str]:
    # "" sorts before any timestamp: an agent never assigned goes first.
    return agent.last_assigned_at or "", agent.staff_id


def choose_agent(queue: Queue, agents: Iterable[Agent], owner: str | None = None, spread: int = 1) -> Agent | None:
    """The agent whose turn it is. ``spread`` > 1 picks at random among that many next in turn:
    intakes that lost a race for the same agent then spread out instead of colliding again."""
    able = [agent for agent in agents if agent.can_take(queue.queue_id)]
    preferred = next((agent for agent in able if agent.staff_id == owner), None)
    if preferred is not None:
        return preferred
    if not able:
        return None
    if queue.policy == "least_loaded":
        able.sort(key=lambda agent: (agent.open_cases, *_turn(agent)))
    else:
        able.sort(key=_turn)
    return able[0] if spread <= 1 else random.choice(able[:spread])  # noqa: S311 - load spreading, not security
