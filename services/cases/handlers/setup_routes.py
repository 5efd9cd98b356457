"""Set-up routes: agents, queues, the tenant's case settings, WeChat apps; and the local fake
channel's record of deliveries."""

from __future__ import annotations

from typing import Annotated

from services.cases.api_models import (
    AgentList,
    AgentPut,
    AgentView,
    AppRegistration,
    AppView,
    AvailabilityPut,
    DeliveryList,
    Handover,
    HandoverReport,
    QueueList,
    QueuePut,
    QueueView,
    SettingsPut,
)
from services.cases.handlers.resolver import AppId, QueuePathId, api
from services.cases.logic import setup
from services.cases.models import CaseSettings
from shared.params import Id, Query


@api.route("GET /v1/agents")
def list_agents() -> AgentList:
    """Every agent: queues, availability, capacity and open cases."""
    return AgentList(items=[AgentView.of(agent) for agent in setup.routing(api.staff().tenant_id).agents])


@api.route("PUT /v1/agents/{staff_id}")
def put_agent(staff_id: Id, body: AgentPut) -> AgentView:
    """Managers set an agent's queues, capacity and availability; agents set their own availability."""
    return AgentView.of(setup.put_agent(api.staff(), staff_id, body))


@api.route("PUT /v1/agents/{staff_id}/availability")
def put_availability(staff_id: Id, body: AvailabilityPut) -> AgentView:
    """Set an agent's availability only (the rest of the profile is left as it is): agents their
    own, managers and admins anyone's; 404 when the staff member has no agent profile."""
    return AgentView.of(setup.set_availability(api.staff(), staff_id, body))


@api.route("POST /v1/agents/{staff_id}/handover")
def hand_over(staff_id: Id, body: Handover) -> HandoverReport:
    """A staff member leaves: set them offline and move their open cases to a successor (or back
    to their queues)."""
    return setup.hand_over(api.staff(), staff_id, body)


@api.route("GET /v1/queues")
def list_queues() -> QueueList:
    """Every queue with its policy and routing rules."""
    queues = setup.routing(api.staff().tenant_id).queues
    return QueueList(items=[QueueView.model_validate(queue.model_dump()) for queue in queues])


@api.route("PUT /v1/queues/{queue_id}")
def put_queue(queue_id: QueuePathId, body: QueuePut) -> QueueView:
    """Create or replace a queue: name, policy (round_robin | least_loaded), rank, rules, default."""
    queue = setup.put_queue(api.staff().tenant_id, queue_id, body)
    return QueueView.model_validate(queue.model_dump())


@api.route("GET /v1/case-settings")
def get_settings() -> CaseSettings:
    """Keyword rules, sensitive words, SLA targets, business hours, auto-close and CSAT policy."""
    return setup.settings(api.staff().tenant_id)


@api.route("PUT /v1/case-settings")
def put_settings(body: SettingsPut) -> CaseSettings:
    """Replace the settings; ``version`` must be the one read (0 for the first time)."""
    return setup.put_settings(api.staff().tenant_id, body)


@api.route("PUT /v1/channels/wechat/{app_id}")
def register_app(app_id: AppId, body: AppRegistration) -> AppView:
    """Register a WeChat app's message callback: its token, whether it is an official account or a
    mini-program, and for safe mode (encrypted calls only) its ``encoding_aes_key``, which is
    write-only: no route returns it. Registering again replaces all three (without a key the app
    leaves safe mode)."""
    setup.register_app(api.staff().tenant_id, app_id, body)
    return AppView(app_id=app_id, kind=body.kind)


@api.route("GET /v1/local/channel-deliveries")
def fake_deliveries(
    app_id: Annotated[str, Query(min_length=1, max_length=64)],
    openid: Annotated[str, Query(min_length=1, max_length=128)],
) -> DeliveryList:
    """What the local fake channel delivered to one member (local stack only)."""
    return DeliveryList(items=setup.fake_deliveries(api.staff().tenant_id, app_id, openid))
