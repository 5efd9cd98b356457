"""The campaigns table's KOC task items.

Item layout (pk / sk), every key prefixed by the tenant:
- task       T#{t}#KOCTASK#{task} / TASK      listed by the tenant via gsi1
  T#{t}#KOCTASKS / {created_at}#{task}, newest first
- progress   T#{t}#CONTACT#{koc} / KOCTASK#{task}   the KOC's progress and status; while a review
  waits for a manager it is listed via gsi1 T#{t}#KOCTASK#{task}#SUBMITTED / {submitted_at}#{koc}
- unit       T#{t}#CONTACT#{koc} / KOCUNIT#{task}#{unit}   a group share or a visitor counted once

Progress moves only over the count that was read (``progress = :before``), in the transaction
that records the unit; the one that reaches the target also completes the task, creates its
reward (once per KOC and task) and spends the program's budget. So duplicates count once and a
task pays once, whatever the concurrency.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.campaigns.dal import campaigns
from services.campaigns.dal.campaigns import GSI, contact_pk, table
from services.campaigns.dal.referrals import NotPending, reward_item
from services.campaigns.models import Campaign, KocTask, KocTaskProgress, ReferralReward
from shared import dynamo
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.outbox import publish_with


class TaskEnded(Conflict):
    """The task was ended already."""


class ProgressMoved(ConcurrentUpdate):
    """Another unit of the KOC counted first: read again."""


def _task_key(tenant_id: str, task_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#KOCTASK#{task_id}", "sk": "TASK"}


def _progress_key(tenant_id: str, contact_id: str, task_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"KOCTASK#{task_id}"}


def _submitted_partition(tenant_id: str, task_id: str) -> str:
    return f"T#{tenant_id}#KOCTASK#{task_id}#SUBMITTED"


def create_task(task: KocTask) -> None:
    item = {
        **_task_key(task.tenant_id, task.task_id),
        **task.model_dump(mode="json"),
        "gsi1pk": f"T#{task.tenant_id}#KOCTASKS",
        "gsi1sk": f"{task.created_at}#{task.task_id}",
    }
    Transaction(table()).create(item).commit()


def _task(item: dict[str, Any]) -> KocTask:
    return KocTask.model_validate({name: item[name] for name in KocTask.model_fields if name in item})


def get_task(tenant_id: str, task_id: str) -> KocTask | None:
    item = dynamo.get_item(table(), _task_key(tenant_id, task_id))
    return _task(item) if item else None


def tasks_page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[KocTask], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=f"T#{tenant_id}#KOCTASKS",
        limit=limit,
        cursor=cursor,
        index=GSI,
        newest_first=True,
    )
    return [_task(item) for item in page.items], page.next_cursor


def end_task(tenant_id: str, task_id: str) -> None:
    tx = Transaction(table())
    tx.update(
        _task_key(tenant_id, task_id),
        "SET #status = :ended",
        condition="#status = :active",
        names={"#status": "status"},
        values={":ended": "ended", ":active": "active"},
        on_fail=TaskEnded("The task has ended already."),
    )
    tx.commit()


def progress_of(tenant_id: str, contact_id: str, task_id: str) -> KocTaskProgress | None:
    item = dynamo.get_item(table(), _progress_key(tenant_id, contact_id, task_id))
    return KocTaskProgress.model_validate(item) if item else None


def progress_many(tenant_id: str, contact_id: str, task_ids: list[str]) -> dict[str, KocTaskProgress]:
    found = dynamo.batch_get(table(), [_progress_key(tenant_id, contact_id, task_id) for task_id in task_ids])
    return {str(item["task_id"]): KocTaskProgress.model_validate(item) for item in found}


def _paid(tx: Transaction, campaign: Campaign, reward: ReferralReward, events: list[BaseModel]) -> None:
    tx.create(reward_item(campaign.tenant_id, reward), on_fail=NotPending(f"{reward.reward_id} was paid already"))
    campaigns.spend_budget(tx, campaign, reward.points)
    campaigns.count_stats(tx, campaign.tenant_id, campaign.campaign_id, "total", {"points_awarded": reward.points})
    publish_with(tx, campaign.tenant_id, *events)


def count_unit(
    task: KocTask,
    contact_id: str,
    unit: str,
    before: int,
    completed_at: str | None,
    payment: tuple[Campaign, ReferralReward, list[BaseModel]] | None,
) -> None:
    """Count one unit (a group share, a visitor) of the KOC's task over ``before``: once per unit
    (``AlreadyProcessed``), only over the count read (``ProgressMoved``). ``completed_at``: the
    unit reaches the target; ``payment``: and the reward is paid (None when the budget cannot)."""
    tenant_id = task.tenant_id
    tx = Transaction(table())
    tx.create(
        {"pk": contact_pk(tenant_id, contact_id), "sk": f"KOCUNIT#{task.task_id}#{unit}"},
        on_fail=AlreadyProcessed(f"{unit} counted already"),
    )
    values: dict[str, Any] = {
        ":after": before + 1,
        ":task": task.task_id,
        ":contact": contact_id,
        ":status": "completed" if completed_at else "in_progress",
    }
    expression = "SET progress = :after, task_id = :task, contact_id = :contact, #status = :status"
    if completed_at:
        expression += ", completed_at = :at"
        values[":at"] = completed_at
    # No progress item before the first unit (or one a review submission made at 0).
    condition = "attribute_not_exists(pk) OR progress = :before" if before == 0 else "progress = :before"
    values[":before"] = before
    tx.update(
        _progress_key(tenant_id, contact_id, task.task_id),
        expression,
        condition=condition,
        names={"#status": "status"},
        values=values,
        on_fail=ProgressMoved("another unit counted first"),
    )
    if payment is not None:
        _paid(tx, *payment)
    tx.commit()


def submit(tenant_id: str, contact_id: str, task_id: str, url: str, note: str, at: str) -> None:
    """A KOC's review for a manager to decide: a new one replaces a rejected one, never a completed one."""
    tx = Transaction(table())
    tx.update(
        _progress_key(tenant_id, contact_id, task_id),
        "SET task_id = :task, contact_id = :contact, #status = :submitted, progress = if_not_exists(progress, :zero), "
        "submission_url = :url, submission_note = :note, submitted_at = :at, gsi1pk = :queue, gsi1sk = :listed",
        condition="attribute_not_exists(pk) OR #status IN (:in_progress, :rejected, :submitted)",
        names={"#status": "status"},
        values={
            ":task": task_id,
            ":contact": contact_id,
            ":submitted": "submitted",
            ":zero": 0,
            ":url": url,
            ":note": note,
            ":at": at,
            ":queue": _submitted_partition(tenant_id, task_id),
            ":listed": f"{at}#{contact_id}",
            ":in_progress": "in_progress",
            ":rejected": "rejected",
        },
        on_fail=Conflict("The task is completed already."),
    )
    tx.commit()


def submissions_page(
    tenant_id: str, task_id: str, limit: int, cursor: str | None
) -> tuple[list[KocTaskProgress], str | None]:
    """The task's reviews waiting for a manager, oldest first."""
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=_submitted_partition(tenant_id, task_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
    )
    return [KocTaskProgress.model_validate(item) for item in page.items], page.next_cursor


def decide(
    task: KocTask,
    contact_id: str,
    decided_at: str,
    payment: tuple[Campaign, ReferralReward, list[BaseModel]] | None,
    approved: bool,
) -> None:
    """A manager's decision on a submitted review, once (``NotPending`` otherwise): approved, it
    completes the task and pays (``payment``, None when the budget cannot); rejected, the KOC may
    submit again."""
    tx = Transaction(table())
    status = "completed" if approved else "rejected"
    expression = "SET #status = :status, decided_at = :at REMOVE gsi1pk, gsi1sk"
    values: dict[str, Any] = {":status": status, ":at": decided_at, ":submitted": "submitted"}
    if approved:
        expression = (
            "SET #status = :status, decided_at = :at, completed_at = :at, progress = :one REMOVE gsi1pk, gsi1sk"
        )
        values[":one"] = 1
    tx.update(
        _progress_key(task.tenant_id, contact_id, task.task_id),
        expression,
        condition="#status = :submitted",
        names={"#status": "status"},
        values=values,
        on_fail=NotPending("The review was decided already, or never submitted."),
    )
    if approved and payment is not None:
        _paid(tx, *payment)
    tx.commit()
