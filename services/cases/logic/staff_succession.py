"""A departed WeCom staff member's open cases go to their successor (``WeComStaffSucceeded``),
as ``POST /v1/agents/{staff_id}/handover`` moves them: the member is set offline and each open
case goes to the successor when the successor is an agent, else back to its queue. The change is
recorded as the successor's (the taker). Idempotent by state: a case no longer held by the member
is not touched."""

from __future__ import annotations

from services.cases.dal import routing as routing_dal
from services.cases.logic import cases
from shared.auth.principal import StaffPrincipal
from shared.events.wecom import WeComStaffSucceeded


def on_succeeded(tenant_id: str, succeeded: WeComStaffSucceeded) -> int:
    """How many open cases moved (none when the departed member was no agent)."""
    leaving = routing_dal.get_agent(tenant_id, succeeded.staff_id)
    if leaving is None:
        return 0
    successor = routing_dal.get_agent(tenant_id, succeeded.successor_id)
    if leaving.availability != "offline":
        routing_dal.save_agent(leaving.model_copy(update={"availability": "offline"}))
    taker = StaffPrincipal(tenant_id=tenant_id, staff_id=succeeded.successor_id, roles=frozenset())
    return cases.hand_over(taker, succeeded.staff_id, successor)
