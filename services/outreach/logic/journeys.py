"""Journeys as staff build them: drafts, versions, going live, pausing, stats, templates.

Saving a graph checks it (``journey_graph``) and its send and task steps' templates; editing a
journey makes a new version (the old ones are kept: contacts enrolled in them finish on them) and,
when the journey is live, new contacts enter the new version.
"""

from __future__ import annotations

from collections.abc import Callable

from services.outreach.dal import journeys as dal
from services.outreach.dal.table import table
from services.outreach.journey_models import (
    Journey,
    JourneyChange,
    JourneyDefinition,
    JourneyList,
    JourneyStats,
    JourneyVersion,
    JourneyVersionList,
    JourneyView,
    SendStep,
    StepStats,
    TaskStep,
)
from services.outreach.logic import channels, journey_graph, templates
from shared import idempotency, ids
from shared.auth.principal import StaffPrincipal
from shared.clock import now_rfc3339
from shared.dynamo import Prepare
from shared.errors import Conflict, NotFound, Unprocessable


def _checked(tenant_id: str, definition: JourneyDefinition) -> None:
    journey_graph.check(definition)
    for position, step in enumerate(definition.steps):
        template_id = step.template_id if isinstance(step, SendStep | TaskStep) else None
        if template_id is None:
            continue
        try:
            template = templates.get(tenant_id, template_id)
        except NotFound:
            raise Unprocessable(
                f"Step {step.id!r}: no template {template_id!r}.",
                [{"loc": ["body", "steps", position, "template_id"], "msg": f"{step.id}: no such template"}],
            ) from None
        if channels.adapter(template.channel).delivery == "group_chats":
            raise Unprocessable(
                f"Step {step.id!r}: a journey reaches one contact; a customer group template cannot be used.",
                [{"loc": ["body", "steps", position, "template_id"], "msg": f"{step.id}: a group template"}],
            )


def create(staff: StaffPrincipal, definition: JourneyDefinition, idempotency_key: str | None) -> JourneyView:
    """A new journey, as a draft with its first version (resume makes it live)."""
    _checked(staff.tenant_id, definition)
    now = now_rfc3339()
    journey = Journey(
        tenant_id=staff.tenant_id,
        journey_id=ids.new_id("jr_"),
        name=definition.name,
        status="draft",
        latest_version=1,
        created_by=staff.staff_id,
        created_at=now,
        updated_at=now,
    )
    version = JourneyVersion(
        journey_id=journey.journey_id, version=1, definition=definition, created_by=staff.staff_id, created_at=now
    )

    def write(claim: Callable[[JourneyView], Prepare]) -> JourneyView:
        view = JourneyView.of(journey, definition)
        dal.save_journey(None, journey, version, definition, prepare=claim(view))
        return view

    return idempotency.once_per_key(
        table=table(),
        tenant_id=staff.tenant_id,
        scope="outreach.journeys.create",
        key=idempotency_key,
        request=definition,
        answer_type=JourneyView,
        write=write,
    )


def get(tenant_id: str, journey_id: str) -> Journey:
    journey = dal.get_journey(tenant_id, journey_id)
    if journey is None:
        raise NotFound("No such journey.")
    return journey


def definition_of(tenant_id: str, journey: Journey, version: int | None = None) -> JourneyDefinition:
    found = dal.get_version(tenant_id, journey.journey_id, version or journey.latest_version)
    if found is None:
        raise NotFound("No such version of the journey.")
    return found.definition


def view(tenant_id: str, journey_id: str) -> JourneyView:
    journey = get(tenant_id, journey_id)
    return JourneyView.of(journey, definition_of(tenant_id, journey))


def listing(tenant_id: str, limit: int, cursor: str | None) -> JourneyList:
    found, next_cursor = dal.journeys_page(tenant_id, limit, cursor)
    return JourneyList(items=[JourneyView.of(j, definition_of(tenant_id, j)) for j in found], next_cursor=next_cursor)


def versions(tenant_id: str, journey_id: str, limit: int, cursor: str | None) -> JourneyVersionList:
    get(tenant_id, journey_id)
    found, next_cursor = dal.versions_page(tenant_id, journey_id, limit, cursor)
    return JourneyVersionList(items=found, next_cursor=next_cursor)


def change(staff: StaffPrincipal, journey_id: str, request: JourneyChange) -> JourneyView:
    """A new version of the graph; contacts already in the journey stay on theirs."""
    before = get(staff.tenant_id, journey_id)
    if request.version != before.version:
        raise Conflict("The journey changed meanwhile; read it again.", reason="stale_version")
    definition = JourneyDefinition.model_validate(request.model_dump(exclude={"version"}))
    _checked(staff.tenant_id, definition)
    previous = definition_of(staff.tenant_id, before)
    now = now_rfc3339()
    after = before.model_copy(
        update={
            "name": definition.name,
            "latest_version": before.latest_version + 1,
            "updated_at": now,
            "version": before.version + 1,
        }
    )
    version = JourneyVersion(
        journey_id=journey_id,
        version=after.latest_version,
        definition=definition,
        created_by=staff.staff_id,
        created_at=now,
    )
    dal.save_journey(before, after, version, definition, previous=previous)
    return JourneyView.of(after, definition)


def _set_status(tenant_id: str, journey_id: str, status: str, allowed_from: tuple[str, ...]) -> JourneyView:
    before = get(tenant_id, journey_id)
    if before.status == status:
        return JourneyView.of(before, definition_of(tenant_id, before))
    if before.status not in allowed_from:
        raise Conflict(f"A {before.status} journey cannot be made {status}.", reason="bad_status")
    definition = definition_of(tenant_id, before)
    after = before.model_copy(update={"status": status, "updated_at": now_rfc3339(), "version": before.version + 1})
    dal.save_journey(before, after, None, definition)
    return JourneyView.of(after, definition)


def pause(tenant_id: str, journey_id: str) -> JourneyView:
    """No one enters and no one moves on until it is resumed (waits that end meanwhile are taken up then)."""
    return _set_status(tenant_id, journey_id, "paused", ("live",))


def resume(tenant_id: str, journey_id: str) -> JourneyView:
    """Make a draft or paused journey live."""
    return _set_status(tenant_id, journey_id, "live", ("draft", "paused"))


def stats(tenant_id: str, journey_id: str, version: int | None) -> JourneyStats:
    journey = get(tenant_id, journey_id)
    chosen = version or journey.latest_version
    definition = definition_of(tenant_id, journey, chosen)
    total, steps = dal.stats(tenant_id, journey_id, chosen)
    by_id = {step.step_id: step for step in steps}
    return JourneyStats(
        journey_id=journey_id,
        journey_version=chosen,
        enrolled=total.get("enrolled", 0),
        active=total.get("active", 0),
        exited=total.get("exited", 0),
        converted=total.get("converted", 0),
        steps=[by_id.get(step.id, StepStats(step_id=step.id)) for step in definition.steps],
    )
