"""A journey's graph checked before it is saved: every problem is a 422 naming the step.

- more than ``MAX_STEPS`` steps (the first step past the limit is named);
- two steps with one id; an entry or a link to a step that does not exist;
- a step the entry cannot reach (it would never run);
- no exit, or a step from which no exit can be reached (a contact would stay forever);
- a cycle that does not pass through a wait (a tick would run it without end).
"""

from __future__ import annotations

from services.outreach.journey_models import MAX_STEPS, JourneyDefinition, WaitStep
from shared.errors import Unprocessable


def _refused(index: int | None, step_id: str, message: str) -> Unprocessable:
    loc: list[str | int] = ["body", "steps", index, "id"] if index is not None else ["body", "entry"]
    return Unprocessable(f"Step {step_id!r}: {message}", [{"loc": loc, "msg": f"{step_id}: {message}"}])


def check(definition: JourneyDefinition) -> None:
    steps = definition.steps
    if len(steps) > MAX_STEPS:
        raise _refused(MAX_STEPS, steps[MAX_STEPS].id, f"a journey has at most {MAX_STEPS} steps")
    index = _indexed(definition)
    links = {step.id: step.targets() for step in steps}
    _check_reachable(definition, index, links)
    _check_exits(definition, index, links)
    # A cycle without a wait: search the graph with the waits' outgoing links cut.
    instant = {step.id: ([] if isinstance(step, WaitStep) else links[step.id]) for step in steps}
    looping = _on_a_cycle(instant)
    if looping is not None:
        raise _refused(index[looping], looping, "is on a cycle without a wait")


def _indexed(definition: JourneyDefinition) -> dict[str, int]:
    """Each step's position; refuses a repeated id, an unknown entry and a link to no step."""
    index: dict[str, int] = {}
    for position, step in enumerate(definition.steps):
        if step.id in index:
            raise _refused(position, step.id, "another step has this id")
        index[step.id] = position
    if definition.entry not in index:
        raise _refused(None, definition.entry, "the entry is not a step of the journey")
    for step in definition.steps:
        for target in step.targets():
            if target not in index:
                raise _refused(index[step.id], step.id, f"leads to {target!r}, which is not a step")
    return index


def _check_reachable(definition: JourneyDefinition, index: dict[str, int], links: dict[str, list[str]]) -> None:
    reachable = _reach(definition.entry, links)
    for step in definition.steps:
        if step.id not in reachable:
            raise _refused(index[step.id], step.id, "cannot be reached from the entry")


def _check_exits(definition: JourneyDefinition, index: dict[str, int], links: dict[str, list[str]]) -> None:
    exits = [step.id for step in definition.steps if step.type == "exit"]
    if not exits:
        raise _refused(index[definition.entry], definition.entry, "the journey has no exit step")
    reversed_links: dict[str, list[str]] = {step.id: [] for step in definition.steps}
    for source, targets in links.items():
        for target in targets:
            reversed_links[target].append(source)
    can_exit: set[str] = set()
    for exit_id in exits:
        can_exit |= _reach(exit_id, reversed_links)
    for step in definition.steps:
        if step.id not in can_exit:
            raise _refused(index[step.id], step.id, "no exit can be reached from it")


def _reach(start: str, links: dict[str, list[str]]) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for target in links[pending.pop()]:
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _on_a_cycle(links: dict[str, list[str]]) -> str | None:
    """A step on a cycle of ``links``, or None (iterative depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for root in links:
        if root in state:
            continue
        path: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while path:
            node, position = path[-1]
            targets = links[node]
            if position == len(targets):
                state[node] = 2
                path.pop()
                continue
            path[-1] = (node, position + 1)
            target = targets[position]
            if state.get(target) == 1:
                return target
            if target not in state:
                state[target] = 1
                path.append((target, 0))
    return None
