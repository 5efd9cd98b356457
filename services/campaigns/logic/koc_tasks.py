"""KOC tasks: work for the tenant's KOCs in a referral program, paid from the program's budget.

- Staff set a task on a referral program (``POST /v1/koc/tasks``): share the program's link to N
  groups, bring N new contacts through it, or post a review. Only contacts flagged KOC (the
  influence network's rule) take part; their progress is kept per task.
- Verified by events: a share to a group (``POST /v1/me/shares``, channel ``group``) counts for
  ``share_groups`` once someone else opens its link in a group (``shares.opened``), each share
  once; a new contact arriving through the KOC's link (the pending invitation that share rewards
  pay for too) counts for ``bring_visitors``, each visitor once.
- Approved by a manager: a review is submitted with its link (``POST /v1/me/koc-tasks/{id}/
  submissions``) and waits in the task's queue; approved, the task is done; rejected, the KOC may
  submit again.
- Done once per KOC and task: the reward (``ReferralRewardEarned``, kind ``task``, reward id
  ``<task>:task:<koc>``) is created in the transaction that completes the task, within the
  program's budget (a completion the budget cannot cover is recorded, not paid); points credits it
  once. Units count only while the task is active and the program runs.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.campaigns.dal import campaigns as campaigns_dal
from services.campaigns.dal import influence as influence_dal
from services.campaigns.dal import koc_tasks as dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import campaigns, qualification
from services.campaigns.models import (
    Campaign,
    KocSubmission,
    KocSubmissionList,
    KocTask,
    KocTaskCreate,
    KocTaskKind,
    KocTaskList,
    KocTaskView,
    MyKocTask,
    MyKocTaskList,
    ReferralReward,
)
from shared import ids
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.clock import rfc3339, utc_now
from shared.consumer import AlreadyProcessed
from shared.errors import Conflict, NotFound, Unprocessable
from shared.observability import logger
from shared.retry import retry_on_race

MY_TASKS = 50  # the tenant's latest tasks a KOC is shown (a tenant runs a handful at a time)


def view(task: KocTask) -> KocTaskView:
    return KocTaskView.model_validate(task.model_dump(include=set(KocTaskView.model_fields)))


def create(staff: StaffPrincipal, request: KocTaskCreate) -> KocTaskView:
    campaign = campaigns.get(staff.tenant_id, request.campaign_id)
    if campaign.kind != "referral" or campaign.referral is None:
        raise Unprocessable(
            "KOC tasks belong to a referral program.", [{"loc": ["body", "campaign_id"], "msg": "not referral"}]
        )
    if request.points > campaign.points_budget:
        raise Unprocessable(
            "The reward is above the program's budget.", [{"loc": ["body", "points"], "msg": "over budget"}]
        )
    task = KocTask(
        **request.model_dump(),
        tenant_id=staff.tenant_id,
        task_id=ids.new_id("kt_"),
        status="active",
        verification="manager" if request.kind == "post_review" else "events",
        created_at=rfc3339(utc_now()),
    )
    dal.create_task(task)
    return view(task)


def listed(tenant_id: str, limit: int, cursor: str | None) -> KocTaskList:
    tasks, next_cursor = dal.tasks_page(tenant_id, limit, cursor)
    return KocTaskList(items=[view(task) for task in tasks], next_cursor=next_cursor)


def end(staff: StaffPrincipal, task_id: str) -> KocTaskView:
    task = _task(staff.tenant_id, task_id)
    dal.end_task(staff.tenant_id, task_id)
    return view(task.model_copy(update={"status": "ended"}))


def _task(tenant_id: str, task_id: str) -> KocTask:
    task = dal.get_task(tenant_id, task_id)
    if task is None:
        raise NotFound("No such task.")
    return task


def is_koc(tenant_id: str, contact_id: str) -> bool:
    row = influence_dal.influence_rows(tenant_id, [contact_id]).get(contact_id)
    return bool(row and row.get("koc_at"))


def mine(member: MemberPrincipal) -> MyKocTaskList:
    if not is_koc(member.tenant_id, member.contact_id):
        return MyKocTaskList(koc=False, items=[])
    tasks, _ = dal.tasks_page(member.tenant_id, MY_TASKS, None)
    active = [task for task in tasks if task.status == "active"]
    progress = dal.progress_many(member.tenant_id, member.contact_id, [task.task_id for task in active])
    items = []
    for task in active:
        own = progress.get(task.task_id)
        items.append(
            MyKocTask(
                **view(task).model_dump(),
                progress=own.progress if own else 0,
                my_status=own.status if own else "in_progress",
                submission_url=own.submission_url if own else None,
            )
        )
    return MyKocTaskList(koc=True, items=items)


def _reward(task: KocTask, contact_id: str, at: str) -> ReferralReward:
    return ReferralReward(
        reward_id=f"{task.task_id}:task:{contact_id}",
        campaign_id=task.campaign_id,
        contact_id=contact_id,
        kind="task",
        invitee_id=contact_id,
        points=task.points,
        rewarded=True,
        earned_at=at,
    )


def _payment(task: KocTask, contact_id: str, at: str) -> tuple[Campaign, ReferralReward, list[BaseModel]] | None:
    """The program as it is now and the reward, if what is left of the budget covers it."""
    campaign = campaigns_dal.get_campaign(task.tenant_id, task.campaign_id)
    if campaign is None or campaign.points_awarded + task.points > campaign.points_budget:
        logger.info("KOC task completed over the budget: not paid", extra={"task_id": task.task_id})
        return None
    reward = _reward(task, contact_id, at)
    return campaign, reward, [qualification.earned(reward)]


def on_unit(tenant_id: str, campaign_id: str, contact_id: str, kind: KocTaskKind, unit: str, at: datetime) -> None:
    """A group share or a visitor of the contact in the program: one more for each of its active
    tasks of that kind, if the contact is a KOC."""
    if not is_koc(tenant_id, contact_id):
        return
    tasks, _ = dal.tasks_page(tenant_id, MY_TASKS, None)
    for task in tasks:
        if task.status == "active" and task.kind == kind and task.campaign_id == campaign_id:
            _count(task, contact_id, unit, rfc3339(at))


def _count(task: KocTask, contact_id: str, unit: str, at: str) -> None:
    def attempt(_: int) -> None:
        own = dal.progress_of(task.tenant_id, contact_id, task.task_id)
        before = own.progress if own else 0
        if (own is not None and own.status == "completed") or before >= task.target:
            return
        completes = before + 1 == task.target
        payment = _payment(task, contact_id, at) if completes else None
        dal.count_unit(task, contact_id, unit, before, at if completes else None, payment)
        if payment is not None:
            campaigns_dal.remember_spent(payment[0], task.points)

    try:
        retry_on_race(attempt, races=(dal.ProgressMoved, campaigns_dal.CampaignMoved), attempts=qualification.ATTEMPTS)
    except AlreadyProcessed:
        logger.info("KOC task unit counted already", extra={"task_id": task.task_id, "unit": unit})


def submit(member: MemberPrincipal, task_id: str, submission: KocSubmission) -> MyKocTask:
    task = _task(member.tenant_id, task_id)
    if task.status != "active" or not is_koc(member.tenant_id, member.contact_id):
        raise NotFound("No such task for you.")
    if task.verification != "manager":
        raise Unprocessable(
            "This task is verified by what you do, not by a submission.",
            [{"loc": ["path", "task_id"], "msg": "events"}],
        )
    dal.submit(member.tenant_id, member.contact_id, task_id, submission.url, submission.note, rfc3339(utc_now()))
    return MyKocTask(**view(task).model_dump(), progress=0, my_status="submitted", submission_url=submission.url)


def submissions(staff: StaffPrincipal, task_id: str, limit: int, cursor: str | None) -> KocSubmissionList:
    _task(staff.tenant_id, task_id)
    found, next_cursor = dal.submissions_page(staff.tenant_id, task_id, limit, cursor)
    return KocSubmissionList(items=found, next_cursor=next_cursor)


def decide(staff: StaffPrincipal, task_id: str, contact_id: str, approved: bool) -> None:
    task = _task(staff.tenant_id, task_id)
    at = rfc3339(utc_now())

    def attempt(_: int) -> None:
        payment = _payment(task, contact_id, at) if approved else None
        dal.decide(task, contact_id, at, payment, approved)
        if payment is not None:
            campaigns_dal.remember_spent(payment[0], task.points)

    try:
        retry_on_race(attempt, races=campaigns_dal.CampaignMoved, attempts=qualification.ATTEMPTS)
    except referral_dal.NotPending as error:
        raise Conflict("The review was decided already, or never submitted.") from error
