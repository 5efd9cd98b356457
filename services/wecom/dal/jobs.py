"""Wecom's jobs: one item per job, saved step by step on the condition that it is still at the
step it was read at, with the next step's event (``WeComJobStepped``) in the same transaction.

- job      T#{t}#WJOB#{job_id} / JOB      gsi1 T#{t}#WJOBS / {created_at}#{job_id} (newest first)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.wecom.dal.table import table
from services.wecom.models import WeComJob
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import Conflict
from shared.outbox import publish_with


class JobMoved(Conflict):
    """The job is no longer at the step it was read at (a duplicate or late step event)."""


def _key(tenant_id: str, job_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#WJOB#{job_id}", "sk": "JOB"}


def _item(job: WeComJob) -> dict[str, Any]:
    return {
        **_key(job.tenant_id, job.job_id),
        "kind": "wecom_job",
        "job_step": job.step,
        "job": job.model_dump(mode="json"),
        "gsi1pk": f"T#{job.tenant_id}#WJOBS",
        "gsi1sk": f"{job.created_at}#{job.job_id}",
    }


def get(tenant_id: str, job_id: str) -> WeComJob | None:
    item = dynamo.get_item(table(), _key(tenant_id, job_id))
    return WeComJob.model_validate(item["job"]) if item else None


def create(job: WeComJob, events: list[BaseModel], prepares: tuple[Prepare, ...] = ()) -> None:
    tx = Transaction(table()).create(_item(job), on_fail=Conflict("The job already exists."))
    for prepare in prepares:
        prepare(tx)
    publish_with(tx, job.tenant_id, *events).commit()


def save(before: WeComJob, after: WeComJob, events: list[BaseModel], prepares: tuple[Prepare, ...] = ()) -> None:
    tx = Transaction(table()).put(
        _item(after),
        condition="job_step = :step",
        values={":step": before.step},
        on_fail=JobMoved("The job moved on meanwhile."),
    )
    for prepare in prepares:
        prepare(tx)
    publish_with(tx, after.tenant_id, *events).commit()


def page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[WeComJob], str | None]:
    found = dynamo.query_page(
        table(),
        index="gsi1",
        partition_attr="gsi1pk",
        partition_value=f"T#{tenant_id}#WJOBS",
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [WeComJob.model_validate(item["job"]) for item in found.items], found.next_cursor
