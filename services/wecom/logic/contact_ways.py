"""Channel codes that are WeCom contact ways (联系我, consumer ``wecom-contact-ways``).

A campaign code created with ``wecom`` options (campaigns' ``ChannelCodeCreated``) gets one
contact way through ``add_contact_way``: ``state`` = the code, the code's staff sharing its adds
(WeCom hands each scan to one of them). One per code, never one per member — WeCom limits contact
ways per corp. An add through it carries the code as its ``state``; contacts and campaigns make it
a scan of the code (attributed to the member the customer added). Here each such add counts
towards the member's adds of the business day (Asia/Shanghai); a member who reaches the code's
``daily_add_limit`` leaves the rotation (``update_contact_way`` with the others) until the next
business day, when the restore sweep (``wecom-contact-way-limits``) puts everyone back. The last
member serving is never taken off: a code always has someone to add, so no customer is turned away.

The way's item is the record of what WeCom was told (``serving``): every change is written on the
version it was computed from, and a change that lost a race is computed again from the newer item
and sent again, so concurrent adds reaching their limits converge on the right rotation.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.wecom.contact_way_models import (
    ContactWay,
    ContactWayChange,
    ContactWayList,
    ContactWaySummary,
    ContactWayView,
    StaffAdds,
)
from services.wecom.dal import contact_ways as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.dal.table import mark_handled
from services.wecom.gateways import client as wecom_api
from services.wecom.kpi_models import BUSINESS_ZONE
from services.wecom.service import CONTACT_WAYS_CONSUMER
from shared.clock import now_rfc3339, utc_now
from shared.errors import ConcurrentUpdate, Conflict, NotFound, UpstreamUnavailable
from shared.events.campaigns import ChannelCodeCreated
from shared.events.wecom import WeComContactAdded
from shared.inbox import handled
from shared.observability import logger
from shared.retry import retry_on_race

ROTATION_ATTEMPTS = 5  # each lost race means another member's change landed: recompute and resend
RESTORES_PER_RUN = 500


def business_day(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(BUSINESS_ZONE)).date().isoformat()


def next_business_day_start(moment: datetime) -> datetime:
    zone = ZoneInfo(BUSINESS_ZONE)
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), zone).astimezone(ZoneInfo("UTC"))


def serving_of(way: ContactWay, today: str, last: str | None = None) -> list[str]:
    """Who takes the adds: the code's staff less those at their limit today; ``last``, the member
    who just reached it, when no one else is left."""
    full = set(way.full) if way.full_day == today else set()
    serving = [staff for staff in way.staff_ids if staff not in full]
    if serving:
        return serving
    return [last] if last in way.staff_ids else way.serving or way.staff_ids[:1]


# --- creation --------------------------------------------------------------------------------


def on_code_created(tenant_id: str, event_id: str, created: ChannelCodeCreated) -> None:
    if created.wecom is None:
        return  # nothing to do, so nothing to remember: a redelivery does nothing again
    now = now_rfc3339()
    way = ContactWay(
        tenant_id=tenant_id,
        code=created.code,
        campaign_id=created.campaign_id,
        channel=created.channel,
        staff_ids=list(created.wecom.staff_ids),
        daily_add_limit=created.wecom.daily_add_limit,
        status="creating",
        created_at=now,
        updated_at=now,
    )
    try:
        dal.create(way)
    except dal.WayExists:
        stored = dal.get(tenant_id, created.code)
        if stored is None or stored.status != "creating":  # made (or refused) by an earlier delivery
            mark_handled(CONTACT_WAYS_CONSUMER.name, tenant_id, event_id)
            return
        # An earlier delivery stopped between WeCom and this table: ask again. WeCom may then keep
        # an unused way of the code's; its adds still carry the code, so they still count.
        way = stored
    _create_at_wecom(tenant_id, event_id, way)


def _create_at_wecom(tenant_id: str, event_id: str, way: ContactWay) -> None:
    marker = handled(CONTACT_WAYS_CONSUMER.name, tenant_id, event_id)
    credentials = settings_dal.credentials(tenant_id)
    now = now_rfc3339()
    if credentials is None:
        dal.save(_failed(way, "WeCom is not set up for this tenant.", now), prepares=(marker,))
        return
    try:
        made = wecom_api.client().add_contact_way(
            credentials, way.code, way.staff_ids, remark=f"{way.channel} {way.code}"
        )
    except wecom_api.WeComApiError as error:  # e.g. 60111: a member is not an active WeCom user
        logger.warning("WeCom refused a contact way", extra={"code": way.code, "errcode": error.errcode})
        dal.save(
            _failed(way, f"WeCom refused it (errcode {error.errcode}).", now, credentials.corp_id), prepares=(marker,)
        )
        return
    except wecom_api.WeComNotConfigured as error:
        dal.save(_failed(way, str(error), now, credentials.corp_id), prepares=(marker,))
        return
    ready = way.model_copy(
        update={
            "status": "ready",
            "failure": None,
            "corp_id": credentials.corp_id,
            "config_id": made["config_id"],
            "qr_code": made["qr_code"] or None,
            "serving": list(way.staff_ids),
            "updated_at": now,
        }
    )
    dal.save(ready, prepares=(marker,))
    logger.info("contact way ready", extra={"code": way.code, "config_id": made["config_id"]})


def _failed(way: ContactWay, reason: str, now: str, corp_id: str | None = None) -> ContactWay:
    return way.model_copy(update={"status": "failed", "failure": reason, "corp_id": corp_id, "updated_at": now})


# --- daily limits ----------------------------------------------------------------------------


def on_contact_added(tenant_id: str, event_id: str, added: WeComContactAdded) -> None:
    """Count an add through a code's contact way; the member who reaches the limit leaves the
    rotation. A half add, a transferred customer and an add by a member the way does not list
    (a colleague shared the card) do not count."""
    way = None if added.state is None else dal.get(tenant_id, added.state)
    if (
        way is None
        or way.status != "ready"
        or added.half
        or added.reason == "transfer"
        or added.staff_id not in way.staff_ids
    ):
        return  # most adds: nothing written, not even the marker (a redelivery does nothing again)
    day = business_day(added.added_at)
    marker = handled(CONTACT_WAYS_CONSUMER.name, tenant_id, event_id)
    friendship = f"{added.corp_id}#{added.staff_id}#{added.external_userid}#{added.generation}"
    try:
        adds = dal.count_add(tenant_id, way.code, day, friendship, added.staff_id, utc_now() + dal.ADDS_KEPT, (marker,))
    except dal.AddCounted:  # the same add published again: counted once
        mark_handled(CONTACT_WAYS_CONSUMER.name, tenant_id, event_id)
        return
    today = business_day(utc_now())
    if way.daily_add_limit is None or adds < way.daily_add_limit or day != today:
        return  # yesterday's add arriving late does not take anyone out of today's rotation
    logger.info("staff member at the code's daily add limit", extra={"code": way.code, "staff_id": added.staff_id})
    _rotate(tenant_id, way.code, today, reached=added.staff_id)


def _rotate(tenant_id: str, code: str, today: str, reached: str | None = None) -> ContactWay:
    """Bring the way's ``serving`` (and WeCom's list) in line: ``reached`` marked at the limit
    today, a stale day's marks forgotten."""

    def attempt(_: int) -> ContactWay:
        way = dal.get(tenant_id, code)
        if way is None:
            raise NotFound("No contact way for this code.")
        full = list(way.full) if way.full_day == today else []
        if reached is not None and reached not in full:
            full.append(reached)
        wanted = way.model_copy(update={"full": full, "full_day": today if full else None})
        serving = serving_of(wanted, today, reached)
        if wanted.full == way.full and wanted.full_day == way.full_day and serving == way.serving:
            return way
        if serving != way.serving and way.config_id is not None:
            credentials = settings_dal.credentials(tenant_id, way.corp_id)
            if credentials is None:
                raise UpstreamUnavailable("WeCom is not set up for this tenant any more.")
            wecom_api.client().update_contact_way(credentials, way.config_id, serving)
        restore_at = next_business_day_start(utc_now()) if full else None
        return dal.save(
            wanted.model_copy(update={"serving": serving, "updated_at": now_rfc3339()}), restore_at=restore_at
        )

    return retry_on_race(
        attempt,
        races=ConcurrentUpdate,
        attempts=ROTATION_ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The contact way kept changing; try again."),
    )


def restore_due(now: datetime | None = None) -> dict[str, int]:
    """The new business day: everyone at their limit yesterday is back in the rotation. Reads
    only the ways with someone at their limit whose day is over (the sparse restore index)."""
    moment = now or utc_now()
    today = business_day(moment)
    restored = failed = 0
    for tenant_id, code in dal.due_restores(moment, RESTORES_PER_RUN):
        try:
            _rotate(tenant_id, code, today)
            restored += 1
        except Exception:  # one way's failure must not keep the others out of the rotation
            logger.exception("contact way not restored", extra={"tenant_id": tenant_id, "code": code})
            failed += 1
    return {"restored": restored, "failed": failed}


# --- API -------------------------------------------------------------------------------------


def _require(tenant_id: str, code: str) -> ContactWay:
    way = dal.get(tenant_id, code)
    if way is None:
        raise NotFound("No contact way for this code.")
    return way


def view(tenant_id: str, code: str) -> ContactWayView:
    way = _require(tenant_id, code)
    today = business_day(utc_now())
    adds = dal.adds_on(tenant_id, code, today)
    full = set(way.full) if way.full_day == today else set()
    return ContactWayView(
        **way.model_dump(exclude={"tenant_id", "full", "full_day", "version"}),
        day=today,
        today=[StaffAdds(staff_id=staff, adds=adds.get(staff, 0), full=staff in full) for staff in way.staff_ids],
    )


def listing(tenant_id: str, limit: int, cursor: str | None) -> ContactWayList:
    ways, next_cursor = dal.page(tenant_id, limit, cursor)
    return ContactWayList(
        items=[ContactWaySummary(**way.model_dump(include=set(ContactWaySummary.model_fields))) for way in ways],
        next_cursor=next_cursor,
    )


def change(tenant_id: str, code: str, request: ContactWayChange) -> ContactWayView:
    """A new rotation: WeCom's list becomes the new staff less those at their limit today."""
    today = business_day(utc_now())

    def attempt(_: int) -> None:
        way = _require(tenant_id, code)
        if way.status != "ready" or way.config_id is None:
            raise Conflict(f"The contact way is {way.status}; it can change once WeCom has made it.")
        wanted = way.model_copy(
            update={"staff_ids": list(request.staff_ids), "daily_add_limit": request.daily_add_limit}
        )
        full = [staff for staff in way.full if staff in request.staff_ids] if way.full_day == today else []
        wanted = wanted.model_copy(update={"full": full, "full_day": today if full else None})
        serving = serving_of(wanted, today)
        credentials = settings_dal.credentials(tenant_id, way.corp_id)
        if credentials is None:
            raise UpstreamUnavailable("WeCom is not set up for this tenant any more.")
        wecom_api.client().update_contact_way(credentials, way.config_id, serving)
        restore_at = next_business_day_start(utc_now()) if full else None
        dal.save(wanted.model_copy(update={"serving": serving, "updated_at": now_rfc3339()}), restore_at=restore_at)

    retry_on_race(
        attempt,
        races=ConcurrentUpdate,
        attempts=ROTATION_ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The contact way kept changing; try again."),
    )
    return view(tenant_id, code)
