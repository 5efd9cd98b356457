"""Wecom's jobs, as staff follow them (syncs, reconciliations, transfers)."""

from __future__ import annotations

from typing import Annotated

from services.wecom.handlers.resolver import api
from services.wecom.logic import jobs
from services.wecom.models import WeComJobView
from shared.params import Path

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^wj_[A-Za-z0-9]+$")]


@api.route("GET /v1/wecom/jobs/{job_id}")
def read_job(job_id: JobId) -> WeComJobView:
    """A wecom job: its kind, status, progress and result (a reconciliation's repairs)."""
    return jobs.view(api.staff().tenant_id, job_id)
