"""Broadcasts (群发) as staff make them: preview, create, change, cancel, read.

A broadcast copies its template when it is made (a later edit of the template does not change a
broadcast already scheduled), is scheduled for its ``send_at`` moved past quiet hours, and is
planned by the minute tick when its time comes (``logic/planning.py``). It can be changed or
cancelled only while it is still scheduled: once planning began its sends are counted in caps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

from services.outreach.broadcast_models import (
    Broadcast,
    BroadcastAudience,
    BroadcastChange,
    BroadcastCreate,
    BroadcastList,
    BroadcastPreview,
    BroadcastView,
    DispatchList,
    DispatchView,
    StaffShare,
)
from services.outreach.dal import broadcasts as dal
from services.outreach.dal import caps as caps_dal
from services.outreach.dal import facts as facts_dal
from services.outreach.dal.table import table
from services.outreach.logic import delivery, templates
from services.outreach.logic import settings as outreach_settings
from services.outreach.template_models import Template
from shared import idempotency, ids
from shared.auth.principal import StaffPrincipal
from shared.clock import rfc3339, utc_now
from shared.dynamo import Prepare
from shared.errors import Conflict, NotFound, Unprocessable

PREVIEW_PAGE = 500


def _field_error(field: str, message: str) -> Unprocessable:
    return Unprocessable(message, [{"loc": ["body", field], "msg": message}])


def _checked(tenant_id: str, request: BroadcastAudience, now: datetime) -> Template:
    """The broadcast's template, once the request is found sendable; 422 naming the field if not."""
    if request.send_at is not None and request.send_at < now:
        raise _field_error("send_at", "send_at is in the past.")
    template = templates.get(tenant_id, request.template_id)
    if template.channel != request.channel:
        raise _field_error("template_id", f"The template is for {template.channel}, not {request.channel}.")
    if request.channel in ("wecom_customer", "wecom_group"):
        personal = sorted(templates.variables_used(template) & templates.PER_RECIPIENT_VARIABLES)
        if personal:
            raise _field_error(
                "template_id",
                "A WeCom 群发 carries one message for all of a staff member's customers: "
                f"it cannot use per-recipient variables ({', '.join(personal)}).",
            )
    if request.segment_id is not None:
        size = facts_dal.segment_size(tenant_id, request.segment_id)
        if not size:
            raise _field_error("segment_id", "The segment is unknown or has no members.")
    return template


def _scheduled_for(tenant_id: str, send_at: datetime | None, now: datetime) -> str:
    return rfc3339(delivery.next_allowed(send_at or now, outreach_settings.get(tenant_id)))


def create(staff: StaffPrincipal, request: BroadcastCreate, idempotency_key: str | None) -> BroadcastView:
    now = utc_now()
    template = _checked(staff.tenant_id, request, now)
    stamp = rfc3339(now)
    broadcast = Broadcast(
        tenant_id=staff.tenant_id,
        broadcast_id=ids.new_id("bc_"),
        name=request.name,
        channel=request.channel,
        template_id=template.template_id,
        template=template.model_dump(mode="json"),
        segment_id=request.segment_id,
        contact_ids=list(dict.fromkeys(request.contact_ids)) if request.contact_ids else None,
        staff_ids=list(dict.fromkeys(request.staff_ids)) if request.staff_ids else None,
        send_at=rfc3339(request.send_at) if request.send_at else None,
        scheduled_for=_scheduled_for(staff.tenant_id, request.send_at, now),
        tracked_code=request.tracked_code,
        status="scheduled",
        created_by=staff.staff_id,
        created_at=stamp,
        updated_at=stamp,
    )

    def write(claim: Callable[[BroadcastView], Prepare]) -> BroadcastView:
        view = BroadcastView.of(broadcast)
        dal.create(broadcast, claim(view))
        return view

    return idempotency.once_per_key(
        table=table(),
        tenant_id=staff.tenant_id,
        scope="outreach.broadcasts.create",
        key=idempotency_key,
        request=request,
        answer_type=BroadcastView,
        write=write,
    )


def get(tenant_id: str, broadcast_id: str) -> Broadcast:
    broadcast = dal.get(tenant_id, broadcast_id)
    if broadcast is None:
        raise NotFound("No such broadcast.")
    return broadcast


def view(tenant_id: str, broadcast_id: str) -> BroadcastView:
    return BroadcastView.of(get(tenant_id, broadcast_id))


def listing(tenant_id: str, limit: int, cursor: str | None) -> BroadcastList:
    found, next_cursor = dal.page(tenant_id, limit, cursor)
    return BroadcastList(items=[BroadcastView.of(broadcast) for broadcast in found], next_cursor=next_cursor)


def _still_scheduled(broadcast: Broadcast, doing: str) -> None:
    if broadcast.status != "scheduled":
        raise Conflict(f"The broadcast is {broadcast.status}: it can no longer be {doing}.", reason="not_scheduled")


def change(tenant_id: str, broadcast_id: str, request: BroadcastChange) -> BroadcastView:
    before = get(tenant_id, broadcast_id)
    _still_scheduled(before, "changed")
    if request.version != before.version:
        raise Conflict("The broadcast changed meanwhile; read it again.", reason="stale_version")
    now = utc_now()
    template = _checked(tenant_id, request, now)
    after = before.model_copy(
        update={
            "name": request.name,
            "channel": request.channel,
            "template_id": template.template_id,
            "template": template.model_dump(mode="json"),
            "segment_id": request.segment_id,
            "contact_ids": list(dict.fromkeys(request.contact_ids)) if request.contact_ids else None,
            "staff_ids": list(dict.fromkeys(request.staff_ids)) if request.staff_ids else None,
            "send_at": rfc3339(request.send_at) if request.send_at else None,
            "scheduled_for": _scheduled_for(tenant_id, request.send_at, now),
            "tracked_code": request.tracked_code,
            "updated_at": rfc3339(now),
            "version": before.version + 1,
        }
    )
    dal.replace(before, after)
    return BroadcastView.of(after)


def cancel(tenant_id: str, broadcast_id: str) -> BroadcastView:
    before = get(tenant_id, broadcast_id)
    _still_scheduled(before, "cancelled")
    after = before.model_copy(
        update={"status": "cancelled", "updated_at": rfc3339(utc_now()), "version": before.version + 1}
    )
    dal.replace(before, after)
    return BroadcastView.of(after)


def dispatches(tenant_id: str, broadcast_id: str, limit: int, cursor: str | None) -> DispatchList:
    get(tenant_id, broadcast_id)
    found, next_cursor = dal.dispatches_page(tenant_id, broadcast_id, limit, cursor)
    names = facts_dal.staff_names(tenant_id, [dispatch.staff_id for dispatch in found])
    return DispatchList(
        items=[DispatchView.of(dispatch, names.get(dispatch.staff_id)) for dispatch in found],
        next_cursor=next_cursor,
    )


def _shares(tenant_id: str, recipients: list[tuple[str, int]]) -> list[StaffShare]:
    """Recipients per staff member, in the order given, with the names outreach knows."""
    names = facts_dal.staff_names(tenant_id, [staff_id for staff_id, _ in recipients])
    return [
        StaffShare(staff_id=staff_id, staff_name=names.get(staff_id), recipients=count)
        for staff_id, count in recipients
    ]


def preview(tenant_id: str, request: BroadcastAudience) -> BroadcastPreview:
    """The audience as it stands now: who would be reached, who skipped and why, by staff member.
    Reads the audience's facts and cap counters (no table scan); writes nothing."""
    now = utc_now()
    template = _checked(tenant_id, request, now)
    scheduled_for = _scheduled_for(tenant_id, request.send_at, now)
    if request.channel == "wecom_group":
        staff = request.staff_ids or []
        return BroadcastPreview(
            targeted=len(staff),
            reachable=len(staff),
            skipped={},
            by_staff=_shares(tenant_id, [(staff_id, 0) for staff_id in staff]),
            scheduled_for=scheduled_for,
        )
    settings = outreach_settings.get(tenant_id)
    windows = delivery.cap_windows(settings, request.channel, datetime.fromisoformat(scheduled_for))
    skipped: Counter[str] = Counter()
    by_staff: Counter[str] = Counter()
    targeted = 0
    for page in audience_pages(tenant_id, request.segment_id, request.contact_ids, PREVIEW_PAGE):
        targeted += len(page)
        found = facts_dal.get_many(tenant_id, page)
        addresses: dict[str, delivery.Address] = {}
        for contact_id in page:
            facts = found.get(contact_id)
            address = (
                delivery.address_of(facts, request.channel, template_app_id(template)) if facts else "contact_gone"
            )
            if isinstance(address, str):
                skipped[address] += 1
            else:
                addresses[contact_id] = address
        full = caps_dal.at_cap(tenant_id, dict.fromkeys(addresses, windows)) if windows else set()
        skipped["cap_reached"] += len(full)
        for contact_id, address in addresses.items():
            if contact_id not in full and address.staff_id:
                by_staff[address.staff_id] += 1
    skipped_counts = {reason: count for reason, count in skipped.items() if count}
    return BroadcastPreview(
        targeted=targeted,
        reachable=targeted - sum(skipped_counts.values()),
        skipped=skipped_counts,
        by_staff=_shares(tenant_id, sorted(by_staff.items())),
        scheduled_for=scheduled_for,
    )


def template_app_id(template: Template) -> str | None:
    """The WeChat app a template's messages go through (None for WeCom)."""
    return getattr(template.content, "app_id", None)


def audience_pages(
    tenant_id: str, segment_id: str | None, contact_ids: list[str] | None, size: int
) -> Iterator[list[str]]:
    """The audience's contact ids, a page at a time (a segment from outreach's copy of its members)."""
    if contact_ids is not None:
        unique = list(dict.fromkeys(contact_ids))
        for start in range(0, len(unique), size):
            yield unique[start : start + size]
        return
    assert segment_id is not None
    cursor: str | None = None
    while True:
        page, cursor = facts_dal.segment_members_page(tenant_id, segment_id, size, cursor)
        if page:
            yield page
        if cursor is None:
            return
