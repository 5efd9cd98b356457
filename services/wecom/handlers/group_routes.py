"""Customer groups (客户群): listings, members, daily joins and leaves, and the sync job."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from services.wecom.group_models import ChatId, GroupActivity, GroupList, GroupMemberList, GroupView
from services.wecom.handlers.resolver import api
from services.wecom.logic import groups, jobs
from services.wecom.models import WeComJobView
from shared.params import Cursor, Limit, Path, Query

ChatPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_@.-]+$")]
StaffFilter = Annotated[str | None, Query(min_length=1, max_length=64)]


@api.route("GET /v1/wecom/groups", errors=(403,))
def list_groups(owner: StaffFilter = None, limit: Limit = 50, cursor: Cursor = None) -> GroupList:
    """Customer groups, newest first: a guide's own (403 for another owner's); the other roles
    every group, or one owner's."""
    return groups.list_groups(api.staff(), owner, limit, cursor)


@api.route("GET /v1/wecom/groups/{chat_id}", errors=(404,))
def read_group(chat_id: ChatPath) -> GroupView:
    """A customer group: name, owner, notice, admins, member count, status (404 for a guide
    when another staff member owns it)."""
    return groups.read_group(api.staff(), chat_id)


@api.route("GET /v1/wecom/groups/{chat_id}/members", errors=(404,))
def list_group_members(chat_id: ChatPath, limit: Limit = 100, cursor: Cursor = None) -> GroupMemberList:
    """The members in the group now (staff and customers), by userid."""
    return groups.list_members(api.staff(), chat_id, limit, cursor)


@api.route("GET /v1/wecom/group-activity", errors=(403, 404))
def read_group_activity(
    first: Annotated[date | None, Query(alias="from", description="YYYY-MM-DD (default: 29 days before to).")] = None,
    last: Annotated[date | None, Query(alias="to", description="YYYY-MM-DD (default: today).")] = None,
    owner: StaffFilter = None,
    chat_id: Annotated[ChatId | None, Query()] = None,
) -> GroupActivity:
    """Members who joined and left customer groups per business day (Asia/Shanghai), from
    ``from`` to ``to`` (at most 366 days): of one group (``chat_id``), of one owner's groups, or
    of the tenant's. A guide sees their own groups' only."""
    return groups.activity(api.staff(), first=first, last=last, owner=owner, chat_id=chat_id)


@api.route("POST /v1/wecom/groups/syncs", status=202)
def start_group_sync() -> WeComJobView:
    """A full sync of the customer groups and their members from WeCom (groupchat/list and get),
    member changes counted; follow it at ``GET /v1/wecom/jobs/{job_id}``."""
    staff = api.staff()
    job = jobs.start(staff.tenant_id, "group_sync", {}, staff.staff_id)
    return jobs.view(staff.tenant_id, job.job_id)
