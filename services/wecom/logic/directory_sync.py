"""Job kind ``directory_sync``: the corp's departments and members, as WeCom lists them.

The first step lists the departments (with their leaders) and stores them; each step lists the
members of up to ``DEPARTMENTS_PER_STEP`` departments and writes those who changed (a member of
several departments is listed by each: the first listing writes them, the others find nothing
new); once every department is done, the same step marks departed every member of the corp the
sync did not list (a small corp syncs in one step). Each member
written or found unchanged carries the job's id (``seen_by``), which is how the last step knows.

A sync that would mark more than half of the corp's known members departed (and more than
``MAX_SILENT_DEPARTURES``) stops failed instead: WeCom listed less than it should (an app secret
that sees part of the directory), and departures move customers to successors.

Params: ``corp_id`` (default: the tenant's first corp). Result: ``departments``, ``listed``,
``changed`` (members whose announced fields changed: one ``WeComStaffChanged`` each) and
``departed``.
"""

from __future__ import annotations

import json
from typing import Any

from services.wecom.dal import directory as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.directory_models import Department, StaffMember
from services.wecom.logic import directory
from services.wecom.logic.jobs import StepOutcome
from services.wecom.models import JobProgress, WeComCredentials, WeComJob
from shared.clock import now_epoch

DEPARTMENTS_PER_STEP = 10
MAX_SILENT_DEPARTURES = 5
NAME_LIMIT = 128


def step(job: WeComJob) -> StepOutcome:
    from services.wecom.gateways import client as wecom_api

    corp_id = job.params.get("corp_id")
    credentials = settings_dal.credentials(job.tenant_id, str(corp_id) if corp_id else None)
    if credentials is None:
        return StepOutcome(cursor=None, progress=job.progress, failed="WeCom is not set up for this corp.")
    cursor: dict[str, Any] | None = json.loads(job.cursor) if job.cursor else None
    try:
        if cursor is None:  # the departments, then on at once with the first of their members
            job, cursor = _departments(job, credentials)
        if cursor["next"] < len(cursor["departments"]):
            job, cursor = _members(job, credentials, cursor)
        if cursor["next"] < len(cursor["departments"]):
            return StepOutcome(cursor=json.dumps(cursor), progress=job.progress, result=job.result)
        return _departures(job, credentials)
    except (wecom_api.WeComApiError, wecom_api.WeComNotConfigured) as error:
        return StepOutcome(cursor=job.cursor, progress=job.progress, failed=f"WeCom refused: {error.detail}")


def _departments(job: WeComJob, credentials: WeComCredentials) -> tuple[WeComJob, dict[str, Any]]:
    from services.wecom.gateways import client as wecom_api

    listed = wecom_api.client().list_departments(credentials)
    found: list[Department] = []
    for raw in listed:
        try:
            department_id = int(raw["id"])
        except (KeyError, TypeError, ValueError):
            continue
        parent = raw.get("parentid")
        found.append(
            Department(
                corp_id=credentials.corp_id,
                department_id=department_id,
                name=str(raw.get("name") or department_id)[:NAME_LIMIT],
                parent_id=int(parent) if isinstance(parent, int) else None,
                order=int(raw["order"]) if isinstance(raw.get("order"), int) else None,
                leaders=[str(leader) for leader in raw.get("department_leader") or []][:100],
            )
        )
    stored = {d.department_id: d for d in dal.departments(job.tenant_id, credentials.corp_id)}
    changed = [d for d in found if stored.get(d.department_id) != d]
    listed_ids = {d.department_id for d in found}
    removed = [d for d in stored if d not in listed_ids]
    dal.save_departments(job.tenant_id, changed, removed)
    ids = sorted(listed_ids)
    progressed = job.model_copy(
        update={
            "progress": JobProgress(total=len(ids) + 2, done=1),
            "result": {"departments": len(ids), "listed": 0, "changed": 0, "departed": 0},
        }
    )
    return progressed, {"departments": ids, "next": 0}


def _members(job: WeComJob, credentials: WeComCredentials, cursor: dict[str, Any]) -> tuple[WeComJob, dict[str, Any]]:
    from services.wecom.gateways import client as wecom_api

    departments = {d.department_id: d for d in dal.departments(job.tenant_id, credentials.corp_id)}
    chosen = cursor["departments"][cursor["next"] : cursor["next"] + DEPARTMENTS_PER_STEP]
    users: dict[str, dict[str, Any]] = {}
    for department_id in chosen:
        try:
            for user in wecom_api.client().list_department_users(credentials, department_id):
                if user.get("userid"):
                    users.setdefault(str(user["userid"]), user)
        except wecom_api.WeComApiError as error:
            if error.errcode != 60123:  # the department went away since step 0
                raise
    changed = 0
    for staff_id, user in sorted(users.items()):

        def decide(before: StaffMember | None, user: dict[str, Any] = user) -> StaffMember | None:
            if before is not None and before.seen_by == job.job_id and before.corp_id == credentials.corp_id:
                return None  # listed by an earlier department of this sync
            return directory.member_from_wecom(credentials.corp_id, user, departments, before)

        changed += directory.write(job.tenant_id, staff_id, decide, seen_by=job.job_id)
    after = cursor["next"] + len(chosen)
    progressed = job.model_copy(
        update={
            "progress": JobProgress(total=job.progress.total, done=1 + after),
            "result": {
                **job.result,
                "changed": int(job.result.get("changed", 0)) + changed,
            },
        }
    )
    return progressed, {**cursor, "next": after}


def _departures(job: WeComJob, credentials: WeComCredentials) -> StepOutcome:
    from services.wecom.gateways import client as wecom_api

    marks = dal.corp_staff_marks(job.tenant_id, credentials.corp_id)
    unlisted = [str(m["staff_id"]) for m in marks if m.get("status") != "departed" and m.get("seen_by") != job.job_id]
    # Not listed is not proof of leaving (a partial visible range, a member moved between two
    # departments' listings, another sync re-marking them): WeCom must say the member is gone.
    missing = [staff_id for staff_id in unlisted if wecom_api.client().get_user(credentials, staff_id) is None]
    known = sum(1 for m in marks if m.get("status") != "departed")
    listed = sum(1 for m in marks if m.get("seen_by") == job.job_id)
    if len(missing) > MAX_SILENT_DEPARTURES and 2 * len(missing) > known:
        return StepOutcome(
            cursor=job.cursor,
            progress=job.progress,
            failed=f"WeCom listed too few members: {len(missing)} of {known} would depart; none was marked departed.",
        )
    at = int(now_epoch())

    def depart(before: StaffMember | None) -> StaffMember | None:
        if before is None or before.status == "departed" or before.seen_by == job.job_id:
            return None
        return before.model_copy(update={"status": "departed", "changed_at": at})

    departed = sum(directory.write(job.tenant_id, staff_id, depart) for staff_id in missing)
    total = job.progress.total or 1
    return StepOutcome(
        cursor=None,
        progress=JobProgress(total=total, done=total),
        result={
            **job.result,
            "listed": listed,
            "departed": departed,
            "changed": int(job.result.get("changed", 0)) + departed,
        },
        finished=True,
    )
