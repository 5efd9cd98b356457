"""The nightly run (``wecom-nightly``): for each tenant with a corp, a directory sync and a
reconciliation of relationships per corp (``params.corp_id``), and a group sync (no params: its
module decides), each as a job of ``logic.jobs``.

A job whose newest namesake (same kind and corp) is still queued or running, started less than
``STILL_RUNNING_HOURS`` ago, is not started again: runs do not pile up behind a slow one. One
tenant's failure is logged and does not stop the others.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.wecom.dal import jobs as jobs_dal
from services.wecom.dal import settings as settings_dal
from services.wecom.logic import jobs
from shared.clock import parse_rfc3339, utc_now
from shared.observability import logger

PER_CORP = ("directory_sync", "reconcile")
PER_TENANT = ("group_sync",)
STILL_RUNNING_HOURS = 6
RECENT_JOBS = 30
CREATED_BY = "wecom-nightly"


def _busy(tenant_id: str) -> set[tuple[str, str | None]]:
    """(kind, corp id) of the jobs whose newest run is still under way."""
    recent, _ = jobs_dal.page(tenant_id, RECENT_JOBS, None)
    since = utc_now() - timedelta(hours=STILL_RUNNING_HOURS)
    newest: dict[tuple[str, str | None], Any] = {}
    for job in recent:  # newest first
        newest.setdefault((job.kind, job.params.get("corp_id")), job)
    return {
        key
        for key, job in newest.items()
        if job.status in ("queued", "running") and parse_rfc3339(job.created_at) > since
    }


def run() -> dict[str, Any]:
    started = skipped = failed = 0
    for tenant_id in settings_dal.tenants():
        try:
            busy = _busy(tenant_id)
            wanted = [(kind, str(corp["corp_id"])) for corp in settings_dal.corps(tenant_id) for kind in PER_CORP]
            for kind, corp_id in [*wanted, *((kind, None) for kind in PER_TENANT)]:
                if (kind, corp_id) in busy:
                    skipped += 1
                    continue
                jobs.start(tenant_id, kind, {"corp_id": corp_id} if corp_id else {}, CREATED_BY)
                started += 1
        except Exception:  # one tenant's failure must not stop the others' nightly jobs
            logger.exception("wecom nightly: a tenant's jobs were not started", extra={"tenant_id": tenant_id})
            failed += 1
    return {"started": started, "skipped": skipped, "failed": failed}
