"""A case's status workflow: which moves are legal, and the history line each one leaves.

new → assigned → in_progress ⇄ waiting_on_customer → resolved → closed, with:
- assigned → new when a case goes back to its queue (its agent went away or was unassigned);
- resolved → in_progress when it is reopened (a member's reply, a staff member, a low CSAT);
- resolving straight from assigned (answered at first touch) or from waiting_on_customer;
- resolving a new case in one step (a trivial one a staff member settles without working it; an
  agent of its queue takes it first, so the move is new → assigned → resolved in one write).
Closed is final: a member writing about a closed case opens a new one.
"""

from __future__ import annotations

from services.cases.models import ActorKind, HistoryLine, Status
from shared.errors import Conflict

__all__ = ["CLOCK_RUNS", "MOVES", "OPEN", "HistoryLine", "IllegalTransition", "Status", "move", "on_member_reply"]

MOVES: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned", "resolved"}),
    "assigned": frozenset({"new", "in_progress", "resolved"}),
    "in_progress": frozenset({"waiting_on_customer", "resolved"}),
    "waiting_on_customer": frozenset({"in_progress", "resolved"}),
    "resolved": frozenset({"in_progress", "closed"}),
    "closed": frozenset(),
}
OPEN: frozenset[str] = frozenset({"new", "assigned", "in_progress", "waiting_on_customer"})
# The SLA clock stops while the case waits on the customer and once it is resolved.
CLOCK_RUNS: frozenset[str] = frozenset({"new", "assigned", "in_progress"})


class IllegalTransition(Conflict):
    pass


def move(
    current: Status, target: Status, *, actor_kind: ActorKind, actor_id: str, at: str, reason: str | None = None
) -> HistoryLine:
    """The history line for a legal move; a 409 naming the legal targets otherwise."""
    if target not in MOVES[current]:
        allowed = ", ".join(sorted(MOVES[current])) or "none: the case is closed"
        raise IllegalTransition(f"A {current} case cannot become {target} (it can become: {allowed}).")
    return HistoryLine(
        at=at, actor_kind=actor_kind, actor_id=actor_id, from_status=current, to_status=target, reason=reason
    )


def on_member_reply(current: Status) -> Status | None:
    """Where a member's message takes the case: back to work if it waited on them or was
    resolved; nowhere (None) if it is still open otherwise. A closed case is not reopened."""
    if current in ("waiting_on_customer", "resolved"):
        return "in_progress"
    return None
