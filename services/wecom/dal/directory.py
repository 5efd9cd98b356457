"""The staff directory: departments and staff synced from WeCom, and WeCom sign-in's states.

- staff        T#{t}#DIRECTORY / STAFF#{userid}    the member (``StaffMember``) and ``managers``
               (their departments' leaders, read by churn alerts); gsi3 T#{t}#STAFFSTATUS#{status} /
               STAFF#{userid} (the staff of one status)
- department   T#{t}#DIRECTORY / DEPT#{id:010d}    name, parent, order, leaders
- membership   T#{t}#DEPTSTAFF#{department_id} / STAFF#{userid}   staff_id and status: the staff
               of one department (their items are then read by key)
- sign-in      T#{t}#SIGNIN#{state} / STATE        a login URL's state: corp and redirect URI,
               single use (deleted when used), TTL 10 minutes

Every write of a staff member is conditional on the version read and carries its
``WeComStaffChanged`` (when the announced fields changed) and the caller's items.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel

from services.wecom.dal.table import table
from services.wecom.directory_models import Department, StaffMember
from shared import dynamo
from shared.clock import now_rfc3339
from shared.dynamo import Filter, Prepare, Transaction
from shared.errors import ConcurrentUpdate
from shared.manifest import TTL_ATTRIBUTE
from shared.outbox import publish_with

STAFF_PREFIX = "STAFF#"
DEPT_PREFIX = "DEPT#"


def directory_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#DIRECTORY"


def _staff_key(tenant_id: str, staff_id: str) -> dict[str, str]:
    return {"pk": directory_pk(tenant_id), "sk": f"{STAFF_PREFIX}{staff_id}"}


def _membership_key(tenant_id: str, department_id: int, staff_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#DEPTSTAFF#{department_id}", "sk": f"{STAFF_PREFIX}{staff_id}"}


def _department_key(tenant_id: str, department_id: int) -> dict[str, str]:
    return {"pk": directory_pk(tenant_id), "sk": f"{DEPT_PREFIX}{department_id:010d}"}


def status_pk(tenant_id: str, status: str) -> str:
    return f"T#{tenant_id}#STAFFSTATUS#{status}"


# ---- staff ----------------------------------------------------------------------------------------
def managers_of(tenant_id: str, staff_id: str) -> list[str]:
    item = dynamo.get_item(table(), _staff_key(tenant_id, staff_id), consistent=False)
    return [str(manager) for manager in (item or {}).get("managers", [])]


def _entity(item: dict[str, Any]) -> StaffMember:
    return StaffMember.model_validate({key: item[key] for key in StaffMember.model_fields if key in item})


def get_staff(tenant_id: str, staff_id: str) -> StaffMember | None:
    item = dynamo.get_item(table(), _staff_key(tenant_id, staff_id))
    return _entity(item) if item else None


def save_staff(
    tenant_id: str,
    before: StaffMember | None,
    after: StaffMember,
    *,
    events: tuple[BaseModel, ...] = (),
    prepares: tuple[Prepare, ...] = (),
    seen_by: str | None = None,
) -> StaffMember:
    """Write the member as decided from ``before`` (None: not stored yet), their department
    memberships, the events and the caller's items in one transaction; ConcurrentUpdate when the
    member moved meanwhile. ``seen_by``: the full sync that listed them (kept when None)."""
    update: dict[str, Any] = {"version": (before.version if before else 0) + 1, "updated_at": now_rfc3339()}
    if seen_by:
        update["seen_by"] = seen_by
    saved = after.model_copy(update=update)
    item: dict[str, Any] = {
        **_staff_key(tenant_id, saved.staff_id),
        "kind": "staff",
        **saved.model_dump(exclude_none=True),
        "gsi3pk": status_pk(tenant_id, saved.status),
        "gsi3sk": f"{STAFF_PREFIX}{saved.staff_id}",
    }
    tx = Transaction(table())
    if before is None:
        tx.put(item, condition="attribute_not_exists(pk)", on_fail=ConcurrentUpdate("moved"))
    else:
        tx.put(item, condition="version = :v", values={":v": before.version}, on_fail=ConcurrentUpdate("moved"))
    old_departments = set(before.department_ids) if before else set()
    for department_id in old_departments - set(saved.department_ids):
        tx.delete(_membership_key(tenant_id, department_id, saved.staff_id))
    status_changed = before is None or before.status != saved.status
    for department_id in saved.department_ids:
        if department_id not in old_departments or status_changed:
            tx.put(
                {
                    **_membership_key(tenant_id, department_id, saved.staff_id),
                    "kind": "department_member",
                    "staff_id": saved.staff_id,
                    "status": saved.status,
                }
            )
    for prepare in prepares:
        prepare(tx)
    publish_with(tx, tenant_id, *events)
    tx.commit()
    return saved


def mark_seen(tenant_id: str, member: StaffMember, job_id: str) -> None:
    """A full sync listed the member and found nothing else to change: its mark, as a new version
    (a writer that read the member before it must not put the old mark back)."""
    tx = Transaction(table())
    tx.update(
        _staff_key(tenant_id, member.staff_id),
        "SET seen_by = :j, version = :next",
        condition="version = :v",
        values={":j": job_id, ":v": member.version, ":next": member.version + 1},
        on_fail=ConcurrentUpdate("moved"),
    )
    tx.commit()


def staff_page(
    tenant_id: str, *, status: str | None, department_id: int | None, limit: int, cursor: str | None
) -> tuple[list[StaffMember], str | None]:
    """One page of staff, by userid: of one department (its membership partition), of one status
    (gsi3), or all (the directory partition)."""
    if department_id is not None:
        page = dynamo.query_page(
            table(),
            partition_attr="pk",
            partition_value=_membership_key(tenant_id, department_id, "")["pk"],
            sort_prefix=("sk", STAFF_PREFIX),
            limit=limit,
            cursor=cursor,
            filter=Filter("#st = :st", {"#st": "status"}, {":st": status}) if status else None,
        )
        wanted = [str(item["staff_id"]) for item in page.items]
        found = {
            str(item["staff_id"]): _entity(item)
            for item in dynamo.batch_get(table(), [_staff_key(tenant_id, s) for s in wanted], consistent=False)
        }
        return [found[s] for s in wanted if s in found], page.next_cursor
    if status is not None:
        page = dynamo.query_page(
            table(),
            index="gsi3",
            partition_attr="gsi3pk",
            partition_value=status_pk(tenant_id, status),
            limit=limit,
            cursor=cursor,
        )
    else:
        page = dynamo.query_page(
            table(),
            partition_attr="pk",
            partition_value=directory_pk(tenant_id),
            sort_prefix=("sk", STAFF_PREFIX),
            limit=limit,
            cursor=cursor,
        )
    return [_entity(item) for item in page.items], page.next_cursor


def corp_staff_marks(tenant_id: str, corp_id: str) -> list[dict[str, Any]]:
    """Every member of the corp (id, status, sync mark): what a full sync's last step compares,
    read strongly consistent (the marks the same step just wrote must be seen)."""
    request = {
        "TableName": table(),
        "ConsistentRead": True,
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "FilterExpression": "corp_id = :c",
        "ProjectionExpression": "staff_id, #st, seen_by",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": dynamo.serialize(
            {":p": directory_pk(tenant_id), ":s": STAFF_PREFIX, ":c": corp_id}
        ),
    }
    return list(dynamo.query_pages(request))


# ---- departments ----------------------------------------------------------------------------------
def departments(tenant_id: str, corp_id: str | None = None) -> list[Department]:
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": directory_pk(tenant_id), ":s": DEPT_PREFIX}),
    }
    found = [
        Department.model_validate({key: item[key] for key in Department.model_fields if key in item})
        for item in dynamo.query_pages(request)
    ]
    return [d for d in found if corp_id is None or d.corp_id == corp_id]


def get_department(tenant_id: str, department_id: int) -> Department | None:
    item = dynamo.get_item(table(), _department_key(tenant_id, department_id))
    if item is None:
        return None
    return Department.model_validate({key: item[key] for key in Department.model_fields if key in item})


def put_department(tx: Transaction, tenant_id: str, department: Department) -> None:
    tx.put(
        {
            **_department_key(tenant_id, department.department_id),
            "kind": "department",
            **department.model_dump(exclude_none=True),
        }
    )


def delete_department(tx: Transaction, tenant_id: str, department_id: int) -> None:
    tx.delete(_department_key(tenant_id, department_id))


def save_departments(tenant_id: str, changed: list[Department], removed: list[int]) -> None:
    """A full sync's departments (a few transactions of up to 100)."""
    writes: list[Any] = [("put", d) for d in changed] + [("delete", d) for d in removed]
    for start in range(0, len(writes), 100):
        tx = Transaction(table())
        for kind, value in writes[start : start + 100]:
            if kind == "put":
                put_department(tx, tenant_id, value)
            else:
                delete_department(tx, tenant_id, value)
        tx.commit()


# ---- sign-in states -------------------------------------------------------------------------------
SIGNIN_STATE_SECONDS = 600


def put_signin_state(tenant_id: str, state: str, corp_id: str, redirect_uri: str) -> None:
    item = {
        "pk": f"T#{tenant_id}#SIGNIN#{state}",
        "sk": "STATE",
        "kind": "signin_state",
        "corp_id": corp_id,
        "redirect_uri": redirect_uri,
        "expires_at": int(time.time()) + SIGNIN_STATE_SECONDS,
        TTL_ATTRIBUTE: int(time.time()) + SIGNIN_STATE_SECONDS,
    }
    dynamo.client().put_item(TableName=table(), Item=dynamo.serialize(item))


def take_signin_state(tenant_id: str, state: str) -> dict[str, Any] | None:
    """The state's record, deleted as it is read (single use); None when unknown or already used."""
    from botocore.exceptions import ClientError

    try:
        answer = dynamo.client().delete_item(
            TableName=table(),
            Key=dynamo.serialize({"pk": f"T#{tenant_id}#SIGNIN#{state}", "sk": "STATE"}),
            ConditionExpression="attribute_exists(pk)",
            ReturnValues="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return dynamo.deserialize(answer["Attributes"]) if "Attributes" in answer else None
