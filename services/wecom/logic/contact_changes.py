"""A queued change_external_contact callback, applied to its relationship (``wecom-callbacks``).

An add asks WeCom who the customer is (``externalcontact/get``: name, unionid, the follow user's
remark, add way and state) only when the add will be applied, then writes the pair with its event
and this consumer's marker in one transaction; a welcome follows when the callback carried a
WelcomeCode. A change that is stale or a duplicate only records the marker.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.wecom.dal import relationships as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.dal.table import mark_handled
from services.wecom.logic import welcome
from services.wecom.logic.relationships import Change, ChangeKind, transition
from services.wecom.models import WeComCredentials
from services.wecom.service import CALLBACKS_CONSUMER
from shared.errors import ConcurrentUpdate
from shared.events.wecom import WeComCallbackReceived, WeComContactAdded
from shared.inbox import handled
from shared.observability import logger
from shared.retry import retry_on_race

CHANGE_KINDS: dict[str, tuple[ChangeKind, str | None]] = {
    "add_external_contact": ("add", None),
    "add_half_external_contact": ("half_add", None),
    "del_external_contact": ("remove", "staff"),
    "del_follow_user": ("remove", "customer"),
}
MAX_STATE = 30  # a contact way's state: WeCom allows 30 characters
MAX_NAME = 128


def apply(tenant_id: str, event_id: str, callback: WeComCallbackReceived) -> None:
    change_type = callback.kind.split("/", 1)[-1]
    fields = callback.fields
    if change_type == "transfer_fail":
        from services.wecom.logic import transfers  # a transfer's failure settles its customer

        transfers.apply(tenant_id, event_id, callback)
        return
    if change_type == "edit_external_contact":
        _refresh(tenant_id, event_id, callback, change_type)
        return
    kind, removed_by = CHANGE_KINDS[change_type]
    state = fields.get("State") or None
    change = Change(
        kind=kind,
        corp_id=callback.corp_id,
        staff_id=fields["UserID"],
        external_userid=fields["ExternalUserID"],
        at=int(callback.created_at.timestamp()),
        removed_by=removed_by,  # type: ignore[arg-type]
        state=state if state and len(state) <= MAX_STATE else None,
        # WeCom's own removal of the handover after a transfer (Source=DELETE_BY_TRANSFER).
        reason="transfer" if fields.get("Source") == "DELETE_BY_TRANSFER" else None,
    )
    credentials: WeComCredentials | None = None
    added: list[WeComContactAdded] = []

    def attempt(_: int) -> None:
        nonlocal credentials, change
        current = dal.get(tenant_id, change.staff_id, change.corp_id, change.external_userid)
        decided = transition(current, change)
        if decided is None:
            mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
            return
        if change.kind != "remove" and not change.details:
            credentials = credentials or settings_dal.credentials(tenant_id, change.corp_id)
            change = _with_details(change, credentials)
            decided = transition(current, change)
            assert decided is not None
        relationship, announced = decided
        dal.save(
            tenant_id,
            relationship,
            expected_version=current.version if current else None,
            events=(announced,) if announced is not None else (),
            prepares=(handled(CALLBACKS_CONSUMER.name, tenant_id, event_id),),
        )
        if isinstance(announced, WeComContactAdded) and not announced.half:
            added.append(announced)

    retry_on_race(attempt, races=ConcurrentUpdate)
    code = fields.get("WelcomeCode")
    if added and code:
        welcome.send(tenant_id, added[0], code, credentials or settings_dal.credentials(tenant_id, change.corp_id))


def _with_details(change: Change, credentials: WeComCredentials | None) -> Change:
    """The change with what WeCom says of the customer and of this staff member's side."""
    from services.wecom.gateways import client as wecom_api  # only adds call WeCom

    if credentials is None:
        return change
    try:
        answer = wecom_api.client().get_external_contact(credentials, change.external_userid)
    except wecom_api.WeComApiError as error:  # 84061: no longer friends; the add is still recorded
        logger.info("external contact details unavailable", extra={"errcode": error.errcode})
        return change
    except wecom_api.WeComNotConfigured:  # no 客户联系 secret yet: the add is recorded without them
        logger.info("external contact details unavailable: no contact secret")
        return change
    return replace(change, details=details_of(answer, change.staff_id))


def details_of(answer: dict[str, Any], staff_id: str) -> dict[str, object]:
    """Name, unionid, remark and add way from externalcontact/get's answer."""
    customer = answer.get("external_contact") or {}
    follow: dict[str, Any] = next((f for f in answer.get("follow_user") or [] if f.get("userid") == staff_id), {})
    name = str(customer.get("name") or "")[:MAX_NAME] or None
    unionid = str(customer.get("unionid") or "")[:128] or None
    add_way = follow.get("add_way")
    return {
        "name": name,
        "unionid": unionid,
        "remark": str(follow.get("remark") or "")[:MAX_NAME] or None,
        "add_way": add_way if isinstance(add_way, int) and 0 <= add_way <= 10_000 else None,
    }


def _refresh(tenant_id: str, event_id: str, callback: WeComCallbackReceived, change_type: str) -> None:
    """edit_external_contact: the staff member's remark changed; transfer_fail: recorded on the
    pair. Neither moves the friendship."""
    fields = callback.fields
    staff_id, external_userid = fields["UserID"], fields["ExternalUserID"]

    def attempt(_: int) -> None:
        current = dal.get(tenant_id, staff_id, callback.corp_id, external_userid)
        if current is None or current.status == "removed":
            mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
            return
        update: dict[str, Any] = {}
        if change_type == "edit_external_contact":
            credentials = settings_dal.credentials(tenant_id, callback.corp_id)
            change = _with_details(
                Change("add", callback.corp_id, staff_id, external_userid, int(callback.created_at.timestamp())),
                credentials,
            )
            update = {key: value for key, value in change.details.items() if value is not None}
        dal.save(
            tenant_id,
            current.model_copy(update=update),
            expected_version=current.version,
            prepares=(handled(CALLBACKS_CONSUMER.name, tenant_id, event_id),),
        )

    retry_on_race(attempt, races=ConcurrentUpdate)
