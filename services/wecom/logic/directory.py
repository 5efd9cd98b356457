"""The staff directory: members and departments as WeCom reports them (a full sync, change_contact
callbacks), the Siyu roles members sign in with, and the listings.

A member's roles: a department leader is a ``manager``, anyone else a ``guide``, unless an admin
set their roles (``role_override``), which every later sync and callback keeps. Their
``managers`` are the leaders of their departments (themselves excepted), as WeCom's department
list names them. Every change of what ``WeComStaffChanged`` carries (name, status, departments,
managers, roles) publishes it in the transaction that writes the member; a sync or callback that
changes nothing of it publishes nothing.

change_contact callbacks are ordered by their CreateTime against the member's last applied
change (a full sync counts as a change at the moment it wrote): an older one is recorded as
handled and changes nothing. A leader change moves the department's leader list at once; the
other members' ``managers`` follow at the next full sync (the nightly one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from services.wecom.dal import directory as dal
from services.wecom.dal.table import mark_handled, table
from services.wecom.directory_models import (
    WECOM_STATUS,
    Department,
    DepartmentList,
    RolesRequest,
    StaffList,
    StaffMember,
    StaffStatus,
    StaffView,
)
from services.wecom.service import CALLBACKS_CONSUMER
from shared.clock import now_epoch
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, NotFound
from shared.events.wecom import WeComCallbackReceived, WeComStaffChanged
from shared.inbox import handled
from shared.observability import logger
from shared.retry import retry_on_race

MAX_LISTED = 100  # the event's bound on departments and managers
MAX_NAME = 128
USER_CHANGES = ("create_user", "update_user", "delete_user")
PARTY_CHANGES = ("create_party", "update_party", "delete_party")
HANDLED_KINDS = frozenset(f"change_contact/{change}" for change in USER_CHANGES + PARTY_CHANGES)
_IGNORED = {"version", "updated_at", "changed_at", "seen_by"}

Decide = Callable[[StaffMember | None], StaffMember | None]


# ---- deciding and writing a member ---------------------------------------------------------------
def announced(member: StaffMember) -> WeComStaffChanged:
    return WeComStaffChanged(
        corp_id=member.corp_id,
        staff_id=member.staff_id,
        name=member.name[:MAX_NAME],
        status=member.status,
        department_ids=member.department_ids[:MAX_LISTED],
        managers=member.managers[:MAX_LISTED],
        roles=list(member.roles),
    )


def _same(before: StaffMember | None, after: StaffMember) -> bool:
    return before is not None and before.model_dump(exclude=_IGNORED) == after.model_dump(exclude=_IGNORED)


def write(
    tenant_id: str,
    staff_id: str,
    decide: Decide,
    *,
    prepares: tuple[Prepare, ...] = (),
    seen_by: str | None = None,
    unchanged: Callable[[StaffMember | None], None] | None = None,
) -> bool:
    """Read the member, ``decide`` what they become (None: nothing to do), and write it when
    something changed, with ``WeComStaffChanged`` when what the event carries changed; True when
    the event was published. ``unchanged`` runs instead of a write when nothing changed (a
    callback's marker); a sync's ``seen_by`` mark is written alone then."""

    def attempt(_: int) -> bool:
        before = dal.get_staff(tenant_id, staff_id)
        after = decide(before)
        if after is None or (before is not None and _same(before, after)):
            if after is not None and before is not None and seen_by and before.seen_by != seen_by:
                dal.mark_seen(tenant_id, before, seen_by)  # a sync listed them, nothing else moved
            if unchanged is not None:
                unchanged(before)
            return False
        event = announced(after)
        changed = before is None or announced(before) != event
        dal.save_staff(tenant_id, before, after, events=(event,) if changed else (), prepares=prepares, seen_by=seen_by)
        return changed

    return retry_on_race(attempt, races=ConcurrentUpdate)


def managers_for(staff_id: str, department_ids: Iterable[int], departments: dict[int, Department]) -> list[str]:
    leaders = {leader for d in department_ids if d in departments for leader in departments[d].leaders}
    return sorted(leaders - {staff_id})[:MAX_LISTED]


def member_from_wecom(
    corp_id: str, user: dict[str, Any], departments: dict[int, Department], before: StaffMember | None
) -> StaffMember:
    """What WeCom's user/list entry says of a member (their role override and marks kept)."""
    staff_id = str(user["userid"])
    department_ids = _ints(user.get("department") or [])
    flags = _ints(user.get("is_leader_in_dept") or [])
    leader_of = [d for d, flag in zip(department_ids, flags, strict=False) if flag == 1]
    try:
        status = WECOM_STATUS.get(int(user.get("status", 1)), "active")
    except (TypeError, ValueError):
        status = "active"
    base = before or StaffMember(corp_id=corp_id, staff_id=staff_id, name=staff_id, status=status)
    return base.model_copy(
        update={
            "corp_id": corp_id,
            "name": str(user.get("name") or staff_id)[:MAX_NAME],
            "status": status,
            "department_ids": department_ids[:MAX_LISTED],
            "leader_of": leader_of[:MAX_LISTED],
            "managers": managers_for(staff_id, department_ids, departments),
            "position": str(user.get("position") or "")[:MAX_NAME] or None,
            "changed_at": int(now_epoch()),
        }
    )


def _ints(values: Iterable[Any]) -> list[int]:
    found: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= number <= 2**32 and number not in found:
            found.append(number)
    return found


def _csv_ints(text: str | None) -> list[int]:
    return _ints((text or "").replace("|", ",").split(",")) if text else []


# ---- change_contact callbacks --------------------------------------------------------------------
def apply(tenant_id: str, event_id: str, callback: WeComCallbackReceived) -> None:
    """A change_contact callback (``HANDLED_KINDS``) applied to the directory, with this consumer's
    processed marker in the same transaction (or alone when nothing changes)."""
    change = callback.kind.split("/", 1)[-1]
    if change in PARTY_CHANGES:
        _apply_party(tenant_id, event_id, change, callback)
        return
    staff_id = callback.fields.get("UserID", "")
    if change not in USER_CHANGES or not staff_id:
        logger.warning("change_contact callback not applied", extra={"kind": callback.kind})
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    if callback.fields.get("NewUserID") and callback.fields["NewUserID"] != staff_id:
        # Siyu ids are userids: a renamed userid is seen by the next full sync (the old id departs).
        logger.warning("wecom userid renamed; left to the next full sync", extra={"staff_id": staff_id})
    at = int(callback.created_at.timestamp())
    departments = {d.department_id: d for d in dal.departments(tenant_id, callback.corp_id)}
    leader_moves: list[tuple[int, bool]] = []

    def decide(before: StaffMember | None) -> StaffMember | None:
        leader_moves.clear()
        if before is not None and before.changed_at > at:
            return None  # an older change than the one applied last
        after = _member_after(change, staff_id, callback, before, departments, at)
        old = set(before.leader_of) if before else set()
        new = set(after.leader_of) if after.status != "departed" else set()
        leader_moves.extend([(d, True) for d in sorted(new - old)] + [(d, False) for d in sorted(old - new)])
        return after

    def unchanged(_: StaffMember | None) -> None:
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)

    # The leaders' prepare reads ``leader_moves`` as the transaction is built, after ``decide``.
    write(
        tenant_id,
        staff_id,
        decide,
        prepares=(
            handled(CALLBACKS_CONSUMER.name, tenant_id, event_id),
            _leaders_moved(tenant_id, staff_id, departments, leader_moves),
        ),
        unchanged=unchanged,
    )


def _member_after(
    change: str,
    staff_id: str,
    callback: WeComCallbackReceived,
    before: StaffMember | None,
    departments: dict[int, Department],
    at: int,
) -> StaffMember:
    fields = callback.fields
    base = before or StaffMember(
        corp_id=callback.corp_id, staff_id=staff_id, name=fields.get("Name") or staff_id, status="active"
    )
    if change == "delete_user":
        return base.model_copy(update={"status": "departed", "changed_at": at})
    update: dict[str, Any] = {"corp_id": callback.corp_id, "changed_at": at}
    if fields.get("Name"):
        update["name"] = fields["Name"][:MAX_NAME]
    if "Position" in fields:
        update["position"] = fields["Position"][:MAX_NAME] or None
    status_text = fields.get("Status", "")
    if status_text.isdigit() and int(status_text) in WECOM_STATUS:
        update["status"] = WECOM_STATUS[int(status_text)]
    elif before is None and change == "create_user":
        update["status"] = "active"
    department_ids = _csv_ints(fields.get("Department")) if "Department" in fields else list(base.department_ids)
    update["department_ids"] = department_ids[:MAX_LISTED]
    if "IsLeaderInDept" in fields:
        text = fields["IsLeaderInDept"].replace("|", ",")
        flags = [int(flag) for flag in text.split(",") if flag.strip().isdigit()]
        update["leader_of"] = [d for d, flag in zip(department_ids, flags, strict=False) if flag == 1]
    else:
        update["leader_of"] = [d for d in base.leader_of if d in department_ids]
    # Their own leadership counts for their departments' leader lists, as the write will store them.
    with_own = {
        d: dept.model_copy(
            update={
                "leaders": [leader for leader in dept.leaders if leader != staff_id]
                + ([staff_id] if d in update["leader_of"] else [])
            }
        )
        for d, dept in departments.items()
    }
    update["managers"] = managers_for(staff_id, department_ids, with_own)
    return base.model_copy(update=update)


def _leaders_moved(
    tenant_id: str, staff_id: str, departments: dict[int, Department], moves: list[tuple[int, bool]]
) -> Prepare:
    def prepare(tx: Transaction) -> None:
        for department_id, leads in moves:
            department = departments.get(department_id)
            if department is None:
                continue
            leaders = [leader for leader in department.leaders if leader != staff_id] + ([staff_id] if leads else [])
            dal.put_department(tx, tenant_id, department.model_copy(update={"leaders": leaders}))

    return prepare


def _apply_party(tenant_id: str, event_id: str, change: str, callback: WeComCallbackReceived) -> None:
    fields = callback.fields
    ids = _csv_ints(fields.get("Id"))
    if not ids:
        logger.warning("change_contact party callback without an Id", extra={"kind": callback.kind})
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    department_id = ids[0]
    tx = Transaction(table())
    if change == "delete_party":
        dal.delete_department(tx, tenant_id, department_id)
    else:
        current = dal.get_department(tenant_id, department_id) or Department(
            corp_id=callback.corp_id, department_id=department_id, name=str(department_id)
        )
        update: dict[str, Any] = {"corp_id": callback.corp_id}
        if fields.get("Name"):
            update["name"] = fields["Name"][:MAX_NAME]
        parents = _csv_ints(fields.get("ParentId"))
        if parents:
            update["parent_id"] = parents[0]
        if fields.get("Order", "").isdigit():
            update["order"] = int(fields["Order"])
        dal.put_department(tx, tenant_id, current.model_copy(update=update))
    handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)(tx)
    tx.commit()


# ---- roles and listings --------------------------------------------------------------------------
def set_roles(tenant_id: str, staff_id: str, request: RolesRequest) -> StaffView:
    """An admin's roles for the member (None: back to the default); kept by every later sync."""
    override = sorted(set(request.roles)) if request.roles is not None else None

    def decide(before: StaffMember | None) -> StaffMember | None:
        if before is None:
            raise NotFound("No such staff member in the directory.")
        return before.model_copy(update={"role_override": override})

    write(tenant_id, staff_id, decide)
    return get(tenant_id, staff_id)


def get(tenant_id: str, staff_id: str) -> StaffView:
    member = dal.get_staff(tenant_id, staff_id)
    if member is None:
        raise NotFound("No such staff member in the directory.")
    return member.view()


def listing(
    tenant_id: str, *, department_id: int | None, status: StaffStatus | None, limit: int, cursor: str | None
) -> StaffList:
    found, next_cursor = dal.staff_page(
        tenant_id, status=status, department_id=department_id, limit=limit, cursor=cursor
    )
    return StaffList(items=[member.view() for member in found], next_cursor=next_cursor)


def department_list(tenant_id: str) -> DepartmentList:
    return DepartmentList(items=dal.departments(tenant_id))
