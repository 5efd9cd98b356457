"""Job kind ``reconcile``: each staff member's customers as WeCom lists them
(``externalcontact/list``) against their active relationships in Siyu; the drift repaired.

- A customer WeCom lists and Siyu has not active (a lost add callback) becomes an active
  relationship, with WeCom's details of the customer, announced ``WeComContactAdded`` exactly as a
  callback's add would be (``logic.relationships.transition``); no welcome (its code is gone).
- An active relationship WeCom no longer lists (a lost removal) becomes removed, announced
  ``WeComContactRemoved`` with ``removed_by: "staff"`` and a deletion record: WeCom cannot tell who
  ended it, the contract knows only staff and customer, and "staff" does not raise a churn alert
  (流失) that nobody can confirm.

Changes younger than ``SETTLING_SECONDS`` are left alone: their callback may be in flight, and an
add applied by the reconciliation would make the callback's own add stale (and its welcome
unsent). The staff are the directory's members who have not departed (departed staff's customers
are the transfers' business), ``STAFF_PER_STEP`` per step.

Params: ``corp_id`` (default: the tenant's first corp). Result: ``staff`` (checked), ``added``,
``removed``.
"""

from __future__ import annotations

import json
from typing import Any

from services.wecom.dal import directory as directory_dal
from services.wecom.dal import relationships as rel_dal
from services.wecom.dal import settings as settings_dal
from services.wecom.logic.contact_changes import MAX_STATE, details_of
from services.wecom.logic.jobs import StepOutcome
from services.wecom.logic.relationships import Change, transition
from services.wecom.models import JobProgress, Relationship, WeComCredentials, WeComJob
from shared.clock import now_epoch
from shared.errors import ConcurrentUpdate
from shared.observability import logger
from shared.retry import retry_on_race

STAFF_PER_STEP = 20
SETTLING_SECONDS = 120
PAGE = 200


def step(job: WeComJob) -> StepOutcome:
    from services.wecom.gateways import client as wecom_api

    corp_id = job.params.get("corp_id")
    credentials = settings_dal.credentials(job.tenant_id, str(corp_id) if corp_id else None)
    if credentials is None:
        return StepOutcome(cursor=None, progress=job.progress, failed="WeCom is not set up for this corp.")
    state: dict[str, Any] = json.loads(job.cursor) if job.cursor else {"after": None}
    members, after = directory_dal.staff_page(
        job.tenant_id, status=None, department_id=None, limit=STAFF_PER_STEP, cursor=state["after"]
    )
    checked = added = removed = 0
    try:
        for member in members:
            if member.status == "departed" or member.corp_id != credentials.corp_id:
                continue
            repaired = _staff(job.tenant_id, credentials, member.staff_id)
            checked += 1
            added += repaired[0]
            removed += repaired[1]
    except (wecom_api.WeComApiError, wecom_api.WeComNotConfigured) as error:
        return StepOutcome(cursor=job.cursor, progress=job.progress, failed=f"WeCom refused: {error.detail}")
    done = job.progress.done + checked
    return StepOutcome(
        cursor=json.dumps({"after": after}) if after else None,
        progress=JobProgress(total=None, done=done),
        result={
            "staff": int(job.result.get("staff", 0)) + checked,
            "added": int(job.result.get("added", 0)) + added,
            "removed": int(job.result.get("removed", 0)) + removed,
        },
        finished=after is None,
    )


def _active(tenant_id: str, corp_id: str, staff_id: str) -> dict[str, Relationship]:
    found: dict[str, Relationship] = {}
    cursor: str | None = None
    while True:
        page, cursor = rel_dal.by_staff(tenant_id, staff_id, PAGE, cursor)
        found.update({r.external_userid: r for r in page if r.corp_id == corp_id and r.status == "active"})
        if cursor is None:
            return found


def _staff(tenant_id: str, credentials: WeComCredentials, staff_id: str) -> tuple[int, int]:
    """(added, removed) for one staff member."""
    from services.wecom.gateways import client as wecom_api

    listed_at = int(now_epoch())
    try:
        listed = set(wecom_api.client().list_external_contacts(credentials, staff_id))
    except wecom_api.WeComApiError as error:
        if error.errcode in (60111, 40003):  # not a member WeCom knows (any more): the sync's business
            logger.info("reconcile: staff unknown to wecom", extra={"staff_id": staff_id})
            return 0, 0
        raise
    active = _active(tenant_id, credentials.corp_id, staff_id)
    added = sum(_add(tenant_id, credentials, staff_id, ext, listed_at) for ext in sorted(listed - set(active)))
    removed = sum(
        _remove(tenant_id, credentials.corp_id, staff_id, ext, listed_at) for ext in sorted(set(active) - listed)
    )
    return added, removed


def _add(tenant_id: str, credentials: WeComCredentials, staff_id: str, external_userid: str, listed_at: int) -> bool:
    from services.wecom.gateways import client as wecom_api

    try:
        answer = wecom_api.client().get_external_contact(credentials, external_userid)
    except wecom_api.WeComApiError as error:
        logger.info("reconcile: customer details unavailable", extra={"errcode": error.errcode})
        return False  # gone meanwhile: nothing to repair
    follow: dict[str, Any] = next((f for f in answer.get("follow_user") or [] if f.get("userid") == staff_id), {})
    if not follow:
        return False
    created = follow.get("createtime")
    added_at = int(created) if isinstance(created, int) and 0 < created <= listed_at else None
    if added_at is not None and added_at > listed_at - SETTLING_SECONDS:
        return False  # its callback may be in flight
    state = str(follow.get("state") or "") or None

    def attempt(_: int) -> bool:
        current = rel_dal.get(tenant_id, staff_id, credentials.corp_id, external_userid)
        if current is not None and current.status == "active":
            return False
        if current is not None and current.changed_at > listed_at - SETTLING_SECONDS:
            return False
        # WeCom's add time when it is the newest change of the pair, else now (the pair was removed
        # in Siyu after it: WeCom's list is the newer truth).
        at = added_at if added_at is not None and (current is None or added_at > current.changed_at) else listed_at
        change = Change(
            kind="add",
            corp_id=credentials.corp_id,
            staff_id=staff_id,
            external_userid=external_userid,
            at=at,
            state=state if state and len(state) <= MAX_STATE else None,
            details=details_of(answer, staff_id),
        )
        decided = transition(current, change)
        if decided is None:
            return False
        relationship, announced = decided
        rel_dal.save(
            tenant_id,
            relationship,
            expected_version=current.version if current else None,
            events=(announced,) if announced is not None else (),
        )
        return announced is not None

    return retry_on_race(attempt, races=ConcurrentUpdate)


def _remove(tenant_id: str, corp_id: str, staff_id: str, external_userid: str, listed_at: int) -> bool:
    def attempt(_: int) -> bool:
        current = rel_dal.get(tenant_id, staff_id, corp_id, external_userid)
        if current is None or current.status != "active" or current.changed_at > listed_at - SETTLING_SECONDS:
            return False
        at = max(listed_at, current.changed_at + 1)
        change = Change(
            kind="remove",
            corp_id=corp_id,
            staff_id=staff_id,
            external_userid=external_userid,
            at=at,
            removed_by="staff",
        )
        decided = transition(current, change)
        if decided is None:
            return False
        relationship, announced = decided
        rel_dal.save(
            tenant_id,
            relationship,
            expected_version=current.version,
            events=(announced,) if announced is not None else (),
        )
        return announced is not None

    return retry_on_race(attempt, races=ConcurrentUpdate)
