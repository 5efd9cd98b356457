"""Jobs in the contacts table, and the bulk contact reads and writes jobs make.

Item layout (pk / sk):
- job        T#{tenant}#JOB#{job_id} / JOB        gsi1: T#{tenant}#JOBS / {created_at}#{job_id}
  (the tenant's jobs, newest first: one partition query)
- row error  T#{tenant}#JOB#{job_id} / ERR#{row:09d}   a row a job could not process (an import's
  per-row report), in file order; written again with the same key when a step is retried
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal.profile_snapshot import profile_changes
from services.contacts.job_models import Job, RowError
from services.contacts.models import BUSINESS_ZONE, Contact
from shared import daily, dynamo
from shared.dynamo import MAX_TRANSACTION_ITEMS, Filter, Transaction
from shared.errors import Conflict, NotFound
from shared.manifest import TTL_ATTRIBUTE
from shared.outbox import publish_with

GSI = "gsi1"
ROW_ERROR_RETENTION_SECONDS = 30 * 24 * 3600


class JobStateChanged(Conflict):
    """The job is not in the state the change needs (started twice, already finished…)."""


def table() -> str:
    return contacts_dal.table()


def job_pk(tenant_id: str, job_id: str) -> str:
    return f"T#{tenant_id}#JOB#{job_id}"


def jobs_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#JOBS"


def _job_item(job: Job) -> dict[str, Any]:
    return {
        "pk": job_pk(job.tenant_id, job.job_id),
        "sk": "JOB",
        "kind": "job",
        "gsi1pk": jobs_partition(job.tenant_id),
        "gsi1sk": f"{job.created_at}#{job.job_id}",
        "job": job.model_dump(mode="json", exclude_none=True),
        "job_kind": job.kind,
        "job_status": job.status,
        "job_step": job.step,
    }


def _job_of(item: dict[str, Any]) -> Job:
    return Job.model_validate(item["job"])


def get(tenant_id: str, job_id: str) -> Job | None:
    item = dynamo.get_item(table(), {"pk": job_pk(tenant_id, job_id), "sk": "JOB"})
    return _job_of(item) if item else None


def create(job: Job, events: list[BaseModel]) -> None:
    tx = Transaction(table()).create(_job_item(job), on_fail=Conflict("The job already exists."))
    publish_with(tx, job.tenant_id, *events).commit()


def save(before: Job, after: Job, events: list[BaseModel], *, statuses: frozenset[str] | None = None) -> None:
    """Write the job's new state with ``events``, on the condition that it is still at the step
    (and, when given, in one of ``statuses``) it was read at: a duplicate or late step event, or a
    second start, changes nothing (``JobStateChanged``)."""
    condition = "job_step = :step"
    values: dict[str, Any] = {":step": before.step}
    if statuses:
        names = [f":s{index}" for index in range(len(statuses))]
        condition += f" AND job_status IN ({', '.join(names)})"
        values |= dict(zip(names, sorted(statuses), strict=True))
    tx = Transaction(table()).put(
        _job_item(after),
        condition=condition,
        values=values,
        on_fail=JobStateChanged("The job changed meanwhile (started, stepped or finished).", reason="job_state"),
    )
    publish_with(tx, after.tenant_id, *events).commit()


def claim(job: Job, now: float, seconds: int) -> bool:
    """Take the job's current step for ``seconds`` (a lease): False when another delivery of the
    step holds it, or the job has moved on. Saving the step (``save``) ends the lease."""
    try:
        Transaction(table()).update(
            {"pk": job_pk(job.tenant_id, job.job_id), "sk": "JOB"},
            "SET lease_until = :until",
            condition="job_step = :step AND (attribute_not_exists(lease_until) OR lease_until < :now)",
            values={":until": int(now) + seconds, ":step": job.step, ":now": int(now)},
            on_fail=JobStateChanged("The step is being run elsewhere."),
        ).commit()
    except JobStateChanged:
        return False
    return True


def page(tenant_id: str, kind: str | None, limit: int, cursor: str | None) -> tuple[list[Job], str | None]:
    """The tenant's jobs, newest first (of one kind: a filter, so a page may be short)."""
    found = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=jobs_partition(tenant_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        newest_first=True,
        filter=Filter("job_kind = :kind", {}, {":kind": kind}) if kind else None,
    )
    return [_job_of(item) for item in found.items], found.next_cursor


def put_row_errors(tenant_id: str, job_id: str, errors: list[RowError]) -> None:
    """Record rows a job could not process (the same row again writes the same item)."""
    expires = int(time.time()) + ROW_ERROR_RETENTION_SECONDS
    for start in range(0, len(errors), MAX_TRANSACTION_ITEMS):
        tx = Transaction(table())
        for error in errors[start : start + MAX_TRANSACTION_ITEMS]:
            tx.put(
                {
                    "pk": job_pk(tenant_id, job_id),
                    "sk": f"ERR#{error.row:09d}",
                    "kind": "job_row_error",
                    "error": error.model_dump(mode="json"),
                    TTL_ATTRIBUTE: expires,
                }
            )
        tx.commit()


def row_errors(tenant_id: str, job_id: str, limit: int, cursor: str | None) -> tuple[list[RowError], str | None]:
    found = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=job_pk(tenant_id, job_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", "ERR#"),
    )
    return [RowError.model_validate(item["error"]) for item in found.items], found.next_cursor


def require(tenant_id: str, job_id: str) -> Job:
    job = get(tenant_id, job_id)
    if job is None:
        raise NotFound("No such job.")
    return job


# Bulk contact reads and writes (imports, later bulk tagging) ---------------------------------
IdentityKey = tuple[str, str]  # (kind, value)


def identity_holders(tenant_id: str, identities: list[IdentityKey]) -> dict[IdentityKey, str]:
    """The contact holding each identity, for those held: batch reads of 100 keys."""
    found: dict[IdentityKey, str] = {}
    keys = [contacts_dal.identity_key(tenant_id, kind, value) for kind, value in dict.fromkeys(identities)]
    for item in dynamo.batch_get(table(), keys):
        kind = str(item["identity_kind"])
        value = str(item["pk"]).split(f"#ID#{kind}#", 1)[1]
        found[(kind, value)] = str(item["contact_id"])
    return found


def write_count(before: Contact | None, after: Contact) -> int:
    """How many items saving this change writes (the profile, its changed index items and one
    event, and the profile snapshot outreach keeps), so that several changes can share a transaction."""
    old, new = contacts_dal._side_items(before), contacts_dal._side_items(after)
    changed = sum(1 for key, item in new.items() if old.get(key) != item) + len(old.keys() - new.keys())
    return 3 + changed


def create_contacts(contacts: list[Contact], announce: Callable[[Contact], BaseModel]) -> None:
    """Create several new contacts in one transaction, each with its index items and the event
    ``announce`` gives, counted once per business day in the daily figures. An identity another
    contact claimed meanwhile cancels it all (``IdentityTaken``): the caller applies them one by
    one instead."""
    if not contacts:
        return
    tx = Transaction(table())
    per_day: dict[Any, int] = {}
    for contact in contacts:
        tx.create(contacts_dal._contact_item(contact), on_fail=contacts_dal.ContactExists("The contact exists."))
        contacts_dal._write_side_items(tx, {}, contacts_dal._side_items(contact))
        day = daily.business_day(contact.created_at, BUSINESS_ZONE)
        per_day[day] = per_day.get(day, 0) + 1
    for day, created in per_day.items():
        daily.count(tx, contacts[0].tenant_id, daily.DayCount(day, {"new_contacts": created}))
    snapshots = profile_changes([(None, contact) for contact in contacts])
    publish_with(tx, contacts[0].tenant_id, *(announce(contact) for contact in contacts), *snapshots)
    if len(tx) > MAX_TRANSACTION_ITEMS:
        raise ValueError(f"{len(tx)} writes do not fit one transaction")  # the caller sizes groups
    tx.commit()
