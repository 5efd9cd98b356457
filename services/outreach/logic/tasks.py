"""Staff tasks: what a journey's task step gives a guide to do, and the manager's overview.

A journey's task step creates the task for the contact's owner in the step's own transaction
(``dal.tasks.create``, called by the journey engine). The staff member it is for sees it under
``GET /v1/me/tasks`` (``view``: ``open``, the default, soonest due first, so the overdue and
today's come first; ``today``: due today in the tenant's time zone, whether past due yet or not;
``overdue``: open past its due time; ``closed``: done or skipped, latest first), each with the
customer's context from outreach's copy of the contact's facts and the suggested message made
when the task was. Only that staff member completes or skips it (with a note): another's task is
404, a task closed already 409.

**Overdue.** The outreach tick (every minute) reads the open tasks whose due time has passed from
their sparse due index (``sweep_overdue``) and marks each overdue: one StaffTaskChanged(overdue)
and +1 on its staff member's overdue count, in one transaction; closing an overdue task takes it
off again in the closing transaction, so the counts (``GET /v1/tasks/overdue-counts``, the KPIs'
figure) are exact. A task's ``overdue`` flag in a listing is computed at read time (open and past
due), so it holds even in the minute before the tick.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.outreach.dal import facts as facts_dal
from services.outreach.dal import tasks as dal
from services.outreach.logic import settings as outreach_settings
from services.outreach.task_models import (
    MyTasksView,
    OverdueCount,
    OverdueCounts,
    StaffTask,
    TaskClose,
    TaskCustomer,
    TaskItem,
    TaskList,
    TaskStatus,
)
from shared.auth.principal import StaffPrincipal
from shared.clock import rfc3339, utc_now
from shared.errors import ConcurrentUpdate, Conflict, NotFound
from shared.retry import retry_on_race

SWEEP_MOST = 1_000  # tasks marked overdue per tick at most; the rest are found by the next tick


def _items(tenant_id: str, tasks: list[StaffTask], now: str) -> list[TaskItem]:
    facts = facts_dal.get_many(tenant_id, sorted({task.contact_id for task in tasks})) if tasks else {}
    items = []
    for task in tasks:
        known = facts.get(task.contact_id)
        customer = (
            None
            if known is None
            else TaskCustomer(
                contact_id=known.contact_id,
                name=known.name,
                lifecycle_stage=known.lifecycle_stage,
                tags=known.tags,
                points_balance=known.points_balance,
                owner=known.owner,
            )
        )
        fields = task.model_dump(exclude={"tenant_id", "overdue_at"})
        items.append(TaskItem(**fields, overdue=task.status == "open" and task.due_at < now, customer=customer))
    return items


def _today(tenant_id: str, now: datetime) -> tuple[str, str]:
    """Today's start and tomorrow's in the tenant's time zone, as UTC RFC 3339 times."""
    zone = ZoneInfo(outreach_settings.get(tenant_id).time_zone)
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return rfc3339(start), rfc3339(tomorrow)


def my_tasks(staff: StaffPrincipal, view: MyTasksView, limit: int, cursor: str | None) -> TaskList:
    """The signed-in staff member's own tasks, as ``view`` lists them."""
    tenant_id, now = staff.tenant_id, utc_now()
    stamp = rfc3339(now)
    partition = dal.staff_partition(tenant_id, staff.staff_id)
    if view == "closed":
        tasks, next_cursor = dal.page(
            partition, index="gsi1", limit=limit, cursor=cursor, prefix=dal.CLOSED, newest_first=True
        )
    elif view == "open":
        tasks, next_cursor = dal.page(partition, index="gsi1", limit=limit, cursor=cursor, prefix=dal.OPEN)
    else:
        if view == "overdue":
            between = (dal.OPEN, f"{dal.OPEN}{stamp}")
        else:
            start, end = _today(tenant_id, now)
            between = (f"{dal.OPEN}{start}", f"{dal.OPEN}{end}")
        tasks, next_cursor = dal.page(partition, index="gsi1", limit=limit, cursor=cursor, between=between)
    return TaskList(items=_items(tenant_id, tasks, stamp), next_cursor=next_cursor)


def all_tasks(tenant_id: str, staff_id: str | None, status: TaskStatus, limit: int, cursor: str | None) -> TaskList:
    """The tenant's tasks of ``status`` (of one staff member when given): open ones soonest due
    first, closed ones latest first."""
    closed = status != "open"
    if staff_id is None:
        tasks, next_cursor = dal.page(
            dal.tenant_partition(tenant_id),
            index="gsi2",
            limit=limit,
            cursor=cursor,
            prefix=f"{status}#",
            newest_first=closed,
        )
    else:
        tasks, next_cursor = dal.page(
            dal.staff_partition(tenant_id, staff_id),
            index="gsi1",
            limit=limit,
            cursor=cursor,
            prefix=dal.CLOSED if closed else dal.OPEN,
            newest_first=closed,
            status=status if closed else None,
        )
    return TaskList(items=_items(tenant_id, tasks, rfc3339(utc_now())), next_cursor=next_cursor)


def close(staff: StaffPrincipal, task_id: str, outcome: TaskStatus, request: TaskClose) -> TaskItem:
    """Complete or skip one of the staff member's own open tasks, with an optional note."""

    def attempt(_: int) -> StaffTask:
        task = dal.get(staff.tenant_id, task_id)
        if task is None or task.staff_id != staff.staff_id:
            raise NotFound("No such task.")
        if task.status != "open":
            raise Conflict(f"The task is {task.status} already.", reason="task_closed")
        stamp = rfc3339(utc_now())
        closed = task.model_copy(
            update={"status": outcome, "outcome_note": request.note, "closed_at": stamp, "updated_at": stamp}
        )
        dal.close(task, closed)
        return closed

    closed = retry_on_race(attempt, races=ConcurrentUpdate)
    return _items(staff.tenant_id, [closed], rfc3339(utc_now()))[0]


def overdue_counts(tenant_id: str) -> OverdueCounts:
    counts = dal.overdue_counts(tenant_id)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return OverdueCounts(items=[OverdueCount(staff_id=staff, overdue=count) for staff, count in ranked])


def sweep_overdue(now: datetime | None = None, most: int = SWEEP_MOST) -> int:
    """Mark overdue every open task past its due time (read from the due index only); how many.
    Called by the outreach tick; a task closed meanwhile, or marked by a concurrent tick, is left."""
    stamp = rfc3339(now or utc_now())
    marked = 0
    for task in list(dal.due(stamp, most)):
        if task.due_at >= stamp:
            continue  # due exactly now: past due from the next tick on
        try:
            dal.mark_overdue(task, stamp)
        except dal.NotDue:
            continue
        marked += 1
    return marked
