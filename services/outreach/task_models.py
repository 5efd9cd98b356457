"""Staff tasks (SOP reminders a journey gives a guide): entity and API models."""

from typing import Annotated, Literal

from pydantic import Field

from shared.models import Model, StrictModel, Text

TaskStatus = Literal["open", "done", "skipped"]
MyTasksView = Literal["today", "overdue", "open", "closed"]
"""A staff member's own lists: due today (in the tenant's time zone), past due, every open task
(soonest due first: the overdue, then today's), closed ones (latest first)."""


class StaffTask(Model):
    """A task for a staff member about one contact: created by a journey's task step (with the
    step's marker, in one transaction), done or skipped by the staff member with a note."""

    tenant_id: str
    task_id: str
    staff_id: str
    contact_id: str
    journey_id: str | None = None
    step_id: str | None = None
    title: str
    note: str | None = None
    suggested_message: str | None = None
    due_at: str
    status: TaskStatus = "open"
    outcome_note: str | None = None
    created_at: str
    updated_at: str
    closed_at: str | None = None
    overdue_at: str | None = Field(
        default=None, description="When the tick found it open past its due time (it then counts as overdue)."
    )


class TaskCustomer(Model):
    """The customer a task is about, from outreach's copy of the contact's facts."""

    contact_id: str
    name: str | None = None
    lifecycle_stage: str | None = None
    tags: list[str] = Field(default_factory=list)
    points_balance: int | None = None
    owner: str | None = None


class TaskItem(Model):
    task_id: str
    staff_id: str
    contact_id: str
    journey_id: str | None = None
    step_id: str | None = None
    title: str
    note: str | None = None
    suggested_message: str | None = None
    due_at: str
    status: TaskStatus
    overdue: bool = Field(description="Open and past its due time.")
    outcome_note: str | None = None
    created_at: str
    updated_at: str
    closed_at: str | None = None
    customer: TaskCustomer | None = Field(default=None, description="None when outreach knows no facts of it yet.")


class TaskList(Model):
    items: list[TaskItem]
    next_cursor: str | None = None


class TaskClose(StrictModel):
    """Completing or skipping a task, with an optional note of what happened."""

    note: Annotated[Text, Field(max_length=2000)] | None = None


class OverdueCount(Model):
    staff_id: str
    overdue: int = Field(description="The staff member's open tasks past their due time.")


class OverdueCounts(Model):
    items: list[OverdueCount] = Field(description="Staff members with at least one overdue task, most first.")
