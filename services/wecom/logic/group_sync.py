"""The ``group_sync`` job: every customer group of the tenant's corps read from WeCom and stored.

Each step reads one page of ``groupchat/list`` (``PAGE`` groups) of one corp and each group of it
with ``groupchat/get``, then reconciles the group's details and members with what is stored
(``logic.groups.reconcile``: joins at WeCom's join_time, leaves at the sync's moment, counted
and announced like a callback's). A step run twice changes nothing the second time. The cursor
is the corp's position among the tenant's corps and WeCom's cursor within it.
"""

from __future__ import annotations

import json
from typing import Any

from services.wecom.dal import settings as settings_dal
from services.wecom.gateways import client as wecom_api
from services.wecom.logic import groups
from services.wecom.logic.jobs import StepOutcome
from services.wecom.models import JobProgress, WeComJob
from shared.clock import now_epoch
from shared.observability import logger

PAGE = 50  # groups per step: one list call and up to 50 get calls, well within a step's minute


def _corps(job: WeComJob) -> list[str]:
    wanted = job.params.get("corp_id")
    corps = sorted(str(corp["corp_id"]) for corp in settings_dal.corps(job.tenant_id))
    return [corp for corp in corps if wanted in (None, corp)]


def step(job: WeComJob) -> StepOutcome:
    state: dict[str, Any] = json.loads(job.cursor) if job.cursor else {"corp": 0, "cursor": None}
    corps = _corps(job)
    progress = job.progress.model_copy()
    synced = int(job.result.get("groups", 0))
    position = int(state["corp"])
    if position >= len(corps):
        return StepOutcome(cursor=None, progress=progress, result={"groups": synced}, finished=True)
    corp_id = corps[position]
    credentials = settings_dal.credentials(job.tenant_id, corp_id)
    if credentials is None:
        return _next_corp(position, progress, synced, corps)
    try:
        chats, next_cursor = wecom_api.client().list_groups(credentials, state.get("cursor"), limit=PAGE)
    except wecom_api.WeComNotConfigured:
        return StepOutcome(None, progress, {"groups": synced}, failed=f"{corp_id}: no 客户联系 secret set up")
    except wecom_api.WeComApiError as error:
        reason = f"{corp_id}: groupchat/list errcode {error.errcode}"
        return StepOutcome(None, progress, {"groups": synced}, failed=reason)
    at = int(now_epoch())
    for chat in chats:
        chat_id = str(chat.get("chat_id") or "")
        try:
            answer = wecom_api.client().get_group(credentials, chat_id)
        except wecom_api.WeComApiError as error:
            logger.info("group sync: group unavailable", extra={"chat_id": chat_id, "errcode": error.errcode})
            progress.failed += 1
            continue
        groups.reconcile(job.tenant_id, corp_id, answer, at=at)
        progress.done += 1
        synced += 1
    if next_cursor:
        cursor = json.dumps({"corp": position, "cursor": next_cursor})
        return StepOutcome(cursor=cursor, progress=progress, result={"groups": synced})
    return _next_corp(position, progress, synced, corps)


def _next_corp(position: int, progress: JobProgress, synced: int, corps: list[str]) -> StepOutcome:
    finished = position + 1 >= len(corps)
    cursor = None if finished else json.dumps({"corp": position + 1, "cursor": None})
    return StepOutcome(cursor=cursor, progress=progress, result={"groups": synced}, finished=finished)
