"""Setting up case handling: agents, queues, the tenant's settings and WeChat apps."""

from __future__ import annotations

from services.cases.api_models import (
    AgentPut,
    AppRegistration,
    AvailabilityPut,
    DeliveryRecord,
    Handover,
    HandoverReport,
    QueuePut,
    SettingsPut,
)
from services.cases.dal import channel as channel_dal
from services.cases.dal import routing as routing_dal
from services.cases.logic import assignment, cases
from services.cases.models import Agent, CaseSettings, Queue, Routing
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import WRITERS
from shared.errors import ConcurrentUpdate, Forbidden, Unprocessable


def routing(tenant_id: str) -> Routing:
    """Queues, agents and settings, as routing reads them."""
    return routing_dal.routing(tenant_id)


def settings(tenant_id: str) -> CaseSettings:
    return routing_dal.settings(tenant_id)


def put_agent(staff: StaffPrincipal, staff_id: str, body: AgentPut) -> Agent:
    """Managers and admins set anything; an agent may only change their own availability."""
    if not staff.has_any(WRITERS):
        current = routing_dal.get_agent(staff.tenant_id, staff_id) if staff_id == staff.staff_id else None
        profile = (body.queues, body.capacity, body.manager_id)
        if current is None or profile != (current.queues, current.capacity, current.manager_id):
            raise Forbidden("Agents may change only their own availability.")
    saved = routing_dal.save_agent(Agent(tenant_id=staff.tenant_id, staff_id=staff_id, **body.model_dump()))
    return _hand_out_if_room(saved)


def set_availability(staff: StaffPrincipal, staff_id: str, body: AvailabilityPut) -> Agent:
    """An agent sets their own availability, managers and admins anyone's. Only that attribute is
    written: a manager's change of the rest of the profile meanwhile is kept. No profile: 404."""
    if staff_id != staff.staff_id and not staff.has_any(WRITERS):
        raise Forbidden("Agents may set only their own availability.")
    return _hand_out_if_room(routing_dal.set_availability(staff.tenant_id, staff_id, body.availability))


def _hand_out_if_room(saved: Agent) -> Agent:
    """An agent online with room gets waiting cases of their queues now."""
    if saved.availability == "online" and saved.open_cases < saved.capacity:
        assignment.dispatch(saved.tenant_id, agent_ids=[saved.staff_id])
        saved = routing_dal.get_agent(saved.tenant_id, saved.staff_id) or saved
    return saved


def hand_over(staff: StaffPrincipal, staff_id: str, body: Handover) -> HandoverReport:
    """A staff member leaves (or goes on leave): they stop receiving cases, and their open cases
    go to the successor (whatever the successor's load: they are expected to take them) or back to
    their queues to be handed out."""
    leaving = routing_dal.require_agent(staff.tenant_id, staff_id)
    if body.successor_id == staff_id:
        raise Unprocessable(
            "The successor is the one leaving.", [{"loc": ["body", "successor_id"], "msg": "same agent"}]
        )
    successor = routing_dal.require_agent(staff.tenant_id, body.successor_id) if body.successor_id else None
    routing_dal.save_agent(leaving.model_copy(update={"availability": "offline"}))
    moved = cases.hand_over(staff, staff_id, successor)
    return HandoverReport(staff_id=staff_id, successor_id=body.successor_id, moved=moved)


def put_queue(tenant_id: str, queue_id: str, body: QueuePut) -> Queue:
    queue = Queue(tenant_id=tenant_id, queue_id=queue_id, **body.model_dump())
    routing_dal.save_queue(queue)
    assignment.dispatch(tenant_id, queue_ids=[queue_id])
    return queue


def put_settings(tenant_id: str, body: SettingsPut) -> CaseSettings:
    current = routing_dal.settings(tenant_id)
    if body.version != current.version:
        raise ConcurrentUpdate(f"The settings are at version {current.version}; read them again.")
    new = CaseSettings.model_validate(body.model_dump() | {"version": current.version + 1})
    routing_dal.save_settings(tenant_id, new, current.version)
    return new


def register_app(tenant_id: str, app_id: str, body: AppRegistration) -> None:
    channel_dal.register_app(tenant_id, app_id, body.token, body.kind, body.encoding_aes_key)


def fake_deliveries(tenant_id: str, app_id: str, openid: str) -> list[DeliveryRecord]:
    """What the local fake channel delivered to one member."""
    return [DeliveryRecord.model_validate(item) for item in channel_dal.fake_deliveries(tenant_id, app_id, openid)]
