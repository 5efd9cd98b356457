"""Staff tasks: a staff member's own (list, complete, skip) and the manager's overview."""

from __future__ import annotations

from typing import Annotated

from services.outreach.handlers.resolver import api
from services.outreach.logic import tasks
from services.outreach.task_models import MyTasksView, OverdueCounts, TaskClose, TaskItem, TaskList, TaskStatus
from shared.params import Cursor, Limit, Path, Query

TaskId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
View = Annotated[
    MyTasksView,
    Query(description="today (due today), overdue (open past due), open (soonest due first) or closed."),
]
StaffFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$", description="Only this staff member's."),
]
Status = Annotated[TaskStatus, Query(description="open (soonest due first), done or skipped (latest first).")]
NO_NOTE = TaskClose()


@api.route("GET /v1/me/tasks")
def my_tasks(view: View = "open", limit: Limit = 50, cursor: Cursor = None) -> TaskList:
    """The signed-in staff member's tasks, each with the customer's context and a suggested message."""
    return tasks.my_tasks(api.staff(), view, limit, cursor)


@api.route("POST /v1/me/tasks/{task_id}/complete", errors=(404, 409))
def complete_task(task_id: TaskId, body: TaskClose = NO_NOTE) -> TaskItem:
    """Mark one of the caller's open tasks done, with an optional note (a task closed already: 409)."""
    return tasks.close(api.staff(), task_id, "done", body)


@api.route("POST /v1/me/tasks/{task_id}/skip", errors=(404, 409))
def skip_task(task_id: TaskId, body: TaskClose = NO_NOTE) -> TaskItem:
    """Skip one of the caller's open tasks, with an optional note (a task closed already: 409)."""
    return tasks.close(api.staff(), task_id, "skipped", body)


@api.route("GET /v1/tasks")
def list_tasks(
    staff_id: StaffFilter = None, status: Status = "open", limit: Limit = 50, cursor: Cursor = None
) -> TaskList:
    """The tenant's tasks of a status, of every staff member or of one."""
    return tasks.all_tasks(api.staff().tenant_id, staff_id, status, limit, cursor)


@api.route("GET /v1/tasks/overdue-counts")
def overdue_counts() -> OverdueCounts:
    """Per staff member, how many open tasks are past their due time (the KPIs' figure)."""
    return tasks.overdue_counts(api.staff().tenant_id)
