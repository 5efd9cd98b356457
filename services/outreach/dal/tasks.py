"""Staff tasks in the outreach table.

Partitions (pk / sk):
- T#{t}#TASK#{task_id} / TASK     the task (StaffTask's fields). Indexes:
    gsi1 T#{t}#TASKS#STAFF#{staff} / OPEN#{due_at}#{task_id} while open, CLOSED#{closed_at}#{task_id}
         once closed: a staff member's own lists (soonest due first; latest closed first);
    gsi2 T#{t}#TASKS / {status}#{due_at | closed_at}#{task_id}: the tenant's, for managers;
    gsi3 TASKDUE#{shard} / {due_at}#{t}#{task_id} while open and not yet found overdue: the sparse
         due index the outreach tick sweeps (``due``), nothing else.
- T#{t}#TASK#COUNTS / OVERDUE#{staff}   ``overdue``: how many of the staff member's open tasks are
    past due. +1 in the transaction that finds a task overdue (with its ``overdue_at``, its leaving
    the due index and its StaffTaskChanged), -1 in the one that closes an overdue task: exact,
    whatever the interleaving, as each write is conditional on the task's status and overdue mark
    as read.

Every change of a task publishes its StaffTaskChanged (open, done, skipped, overdue) in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from services.outreach.dal.table import table
from services.outreach.task_models import StaffTask
from shared.clock import parse_rfc3339
from shared.dynamo import Filter, Transaction, due_by, get_item, query_page, query_pages, serialize, shard_of
from shared.errors import ConcurrentUpdate, DomainError
from shared.events.outreach import StaffTaskChanged
from shared.outbox import publish_with

SK = "TASK"
COUNTS = "COUNTS"  # not a task id: those are "tk_…"
OVERDUE = "OVERDUE#"
OPEN = "OPEN#"
CLOSED = "CLOSED#"
DUE_INDEX = "gsi3"
DUE_SHARDS = 4


class NotDue(DomainError):
    """The task was closed, or already found overdue, since the due index was read."""


def _key(tenant_id: str, task_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#TASK#{task_id}", "sk": SK}


def _counter_key(tenant_id: str, staff_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#TASK#{COUNTS}", "sk": f"{OVERDUE}{staff_id}"}


def staff_partition(tenant_id: str, staff_id: str) -> str:
    return f"T#{tenant_id}#TASKS#STAFF#{staff_id}"


def tenant_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#TASKS"


def _due_partition(shard: int) -> str:
    return f"TASKDUE#{shard}"


def _item(task: StaffTask) -> dict[str, Any]:
    t = task.tenant_id
    item: dict[str, Any] = {
        **_key(t, task.task_id),
        "kind": "task",
        **task.model_dump(mode="json", exclude_none=True),
        "gsi1pk": staff_partition(t, task.staff_id),
        "gsi2pk": tenant_partition(t),
    }
    if task.status == "open":
        item["gsi1sk"] = f"{OPEN}{task.due_at}#{task.task_id}"
        item["gsi2sk"] = f"open#{task.due_at}#{task.task_id}"
        if task.overdue_at is None:
            item["gsi3pk"] = _due_partition(shard_of(task.task_id, DUE_SHARDS))
            item["gsi3sk"] = f"{task.due_at}#{t}#{task.task_id}"
    else:
        item["gsi1sk"] = f"{CLOSED}{task.closed_at}#{task.task_id}"
        item["gsi2sk"] = f"{task.status}#{task.closed_at}#{task.task_id}"
    return item


def _task(item: dict[str, Any]) -> StaffTask:
    return StaffTask.model_validate({name: item[name] for name in StaffTask.model_fields if name in item})


def _changed(task: StaffTask, status: str, at: str) -> StaffTaskChanged:
    return StaffTaskChanged(
        task_id=task.task_id,
        staff_id=task.staff_id,
        contact_id=task.contact_id,
        status=status,
        due_at=parse_rfc3339(task.due_at),
        changed_at=parse_rfc3339(at),
    )


def create(tx: Transaction, task: StaffTask) -> Transaction:
    """Add a new open task and its StaffTaskChanged(open) to ``tx`` (a journey step's transaction):
    written once, the same id again fails the transaction."""
    tx.create(_item(task), on_fail=ConcurrentUpdate(f"Task {task.task_id} exists already."))
    return publish_with(tx, task.tenant_id, _changed(task, "open", task.created_at))


def get(tenant_id: str, task_id: str) -> StaffTask | None:
    item = get_item(table(), _key(tenant_id, task_id))
    return None if item is None or item.get("kind") != "task" else _task(item)


def close(before: StaffTask, after: StaffTask) -> None:
    """Write the closed task over ``before`` if it is still open and as read (found overdue or
    not); an overdue task leaves its staff member's overdue count. ``ConcurrentUpdate`` otherwise."""
    overdue = "attribute_exists(overdue_at)" if before.overdue_at else "attribute_not_exists(overdue_at)"
    tx = Transaction(table())
    tx.put(
        _item(after),
        condition=f"#s = :open AND {overdue}",
        names={"#s": "status"},
        values={":open": "open"},
        on_fail=ConcurrentUpdate("The task changed meanwhile; read it again."),
    )
    if before.overdue_at:
        tx.update(_counter_key(after.tenant_id, after.staff_id), "ADD overdue :n", values={":n": -1})
    publish_with(tx, after.tenant_id, _changed(after, after.status, str(after.closed_at)))
    tx.commit()


def mark_overdue(task: StaffTask, at: str) -> None:
    """The task, open past its due time, found overdue: out of the due index, its overdue mark set
    and its staff member's count +1 (``NotDue`` when it was closed or marked meanwhile)."""
    tx = Transaction(table())
    tx.update(
        _key(task.tenant_id, task.task_id),
        "SET overdue_at = :at REMOVE gsi3pk, gsi3sk",
        condition="#s = :open AND attribute_not_exists(overdue_at)",
        names={"#s": "status"},
        values={":at": at, ":open": "open"},
        on_fail=NotDue(f"Task {task.task_id} is closed or overdue already."),
    )
    tx.update(_counter_key(task.tenant_id, task.staff_id), "ADD overdue :n", values={":n": 1})
    publish_with(tx, task.tenant_id, _changed(task, "overdue", at))
    tx.commit()


def due(until: str, most: int | None = None) -> Iterator[StaffTask]:
    """Open tasks not yet found overdue whose due time is ``until`` or earlier, every tenant's."""
    for shard in range(DUE_SHARDS):
        for item in due_by(table(), DUE_INDEX, _due_partition(shard), until, None, most):
            yield _task(item)


def page(
    partition: str,
    *,
    index: str,
    limit: int,
    cursor: str | None,
    prefix: str | None = None,
    between: tuple[str, str] | None = None,
    newest_first: bool = False,
    status: str | None = None,
) -> tuple[list[StaffTask], str | None]:
    """One page of a task listing: ``index`` gsi1 (a staff member's, ``staff_partition``) or gsi2
    (the tenant's, ``tenant_partition``), its sort keys starting with ``prefix`` or ``between`` two
    keys (both included); only the tasks of ``status`` when given (a filter: a page may then hold
    fewer than ``limit`` while ``next_cursor`` says more may follow)."""
    sort = f"{index}sk"
    found = query_page(
        table(),
        index=index,
        partition_attr=f"{index}pk",
        partition_value=partition,
        limit=limit,
        cursor=cursor,
        sort_prefix=None if prefix is None else (sort, prefix),
        sort_range=None if between is None else (sort, *between),
        newest_first=newest_first,
        filter=None if status is None else Filter("#st = :st", {"#st": "status"}, {":st": status}),
    )
    return [_task(item) for item in found.items], found.next_cursor


def overdue_counts(tenant_id: str) -> dict[str, int]:
    """Each staff member's overdue count (those at 0 left out), read strongly consistent."""
    key = _counter_key(tenant_id, "")
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": serialize({":p": key["pk"], ":s": OVERDUE}),
        "ConsistentRead": True,
    }
    counts = {item["sk"].removeprefix(OVERDUE): int(item.get("overdue", 0)) for item in query_pages(request)}
    return {staff: count for staff, count in counts.items() if count > 0}
