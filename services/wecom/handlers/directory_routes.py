"""The staff directory: members, departments, Siyu roles, and the sync and reconciliation jobs."""

from __future__ import annotations

from typing import Annotated

from services.wecom.directory_models import DepartmentList, RolesRequest, StaffList, StaffStatus, StaffView
from services.wecom.handlers.resolver import api
from services.wecom.logic import directory, jobs
from services.wecom.models import WeComJobView
from shared.params import Cursor, Limit, Path, Query

StaffId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]


@api.route("GET /v1/wecom/staff")
def list_staff(
    department_id: Annotated[int | None, Query(ge=1, le=2**32)] = None,
    status: Annotated[StaffStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> StaffList:
    """The directory's members by userid: of one department, of one status, or all."""
    tenant_id = api.staff().tenant_id
    return directory.listing(tenant_id, department_id=department_id, status=status, limit=limit, cursor=cursor)


@api.route("GET /v1/wecom/staff/{staff_id}", errors=(404,))
def read_staff(staff_id: StaffId) -> StaffView:
    """One member: status, departments, managers and the Siyu roles they sign in with."""
    return directory.get(api.staff().tenant_id, staff_id)


@api.route("PUT /v1/wecom/staff/{staff_id}/roles", errors=(404,))
def set_roles(staff_id: StaffId, body: RolesRequest) -> StaffView:
    """An admin's choice of the member's Siyu roles, kept by every later sync (null: back to the
    default: a department leader is a manager, anyone else a guide). Their next sign-in has them."""
    return directory.set_roles(api.staff().tenant_id, staff_id, body)


@api.route("GET /v1/wecom/departments")
def list_departments() -> DepartmentList:
    """The corp's departments with their leaders, as the last sync or callback left them."""
    return directory.department_list(api.staff().tenant_id)


@api.route("POST /v1/wecom/directory/syncs", status=202)
def start_directory_sync() -> WeComJobView:
    """A full sync of departments and members from WeCom (members WeCom no longer lists become
    departed); follow it at ``GET /v1/wecom/jobs/{job_id}``."""
    staff = api.staff()
    job = jobs.start(staff.tenant_id, "directory_sync", {}, staff.staff_id)
    return WeComJobView.model_validate(job.model_dump())


@api.route("POST /v1/wecom/reconciliations", status=202)
def start_reconciliation() -> WeComJobView:
    """Each member's customers as WeCom lists them against Siyu's relationships, the drift repaired;
    the job's result counts the repairs (``added``, ``removed``)."""
    staff = api.staff()
    job = jobs.start(staff.tenant_id, "reconcile", {}, staff.staff_id)
    return WeComJobView.model_validate(job.model_dump())
