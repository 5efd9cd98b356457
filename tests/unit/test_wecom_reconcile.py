"""The reconciliation: each staff member's customers as WeCom lists them against Siyu's active
relationships; a lost add and a lost removal repaired, announced as a callback's would be, and
counted in the job's result; a second run finds nothing to repair. And the nightly run starting
the tenant's jobs."""

from __future__ import annotations

import time
from typing import Any

import pytest

from local.fake_wecom import FAKE
from services.wecom.dal import jobs as jobs_dal
from services.wecom.handlers import directory_routes  # noqa: F401 - registers the routes (until api.py lists them)
from services.wecom.logic import nightly, reconcile
from services.wecom.models import WeComJob
from shared import clock, ids
from tests.unit.conftest import Client, eventually
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_directory import apply
from tests.unit.test_wecom_flow import customer, listed, ready, relationship


def reconciled(client: Client, admin: str) -> dict[str, Any]:
    started = client.post("/v1/wecom/reconciliations", token=admin)
    assert started.status == 202, started.body
    path = f"/v1/wecom/jobs/{started.json['job_id']}"
    job = eventually(lambda: (j := client.get(path, token=admin).json)["status"] in ("succeeded", "failed") and j)
    assert job["status"] == "succeeded", job
    return dict(job["result"])


def test_a_drift_both_ways_is_repaired_and_counted(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reconcile, "SETTLING_SECONDS", 0)  # no callback is in flight here
    admin = ready(client, tenant, "rec1")
    corp = corp_of(tenant)
    apply(tenant, "create_user", int(time.time()), UserID="rec1", Name="导购", Department="1", Status="1")
    kept, lost_removal, lost_add = customer(client, tenant), customer(client, tenant), customer(client, tenant, "陈晨")
    relationship(client, tenant, "add", "rec1", kept)
    relationship(client, tenant, "add", "rec1", lost_removal)
    eventually(lambda: len(listed(client, admin, "staff_id=rec1")) == 2)
    # WeCom changes without telling Siyu: one customer gone, one added.
    del FAKE.corp(corp).follows[("rec1", lost_removal)]
    FAKE.customer_adds(corp, "rec1", lost_add, state="code-7", welcome=False)

    assert reconciled(client, admin) == {"staff": 1, "added": 1, "removed": 1}
    pairs = {pair["external_userid"]: pair for pair in listed(client, admin, "staff_id=rec1")}
    assert (pairs[kept]["status"], pairs[kept]["generation"]) == ("active", 1)
    assert (pairs[lost_removal]["status"], pairs[lost_removal]["removed_by"]) == ("removed", "staff")
    assert (pairs[lost_add]["status"], pairs[lost_add]["name"], pairs[lost_add]["state"]) == (
        "active",
        "陈晨",
        "code-7",
    )
    deletions = client.get("/v1/wecom/deletions?staff_id=rec1", token=admin).json["items"]
    assert [(d["external_userid"], d["removed_by"]) for d in deletions] == [(lost_removal, "staff")]
    # Contacts heard of the repaired add as of any add: the pair is linked to its contact.
    eventually(lambda: listed(client, admin, f"external_userid={lost_add}")[0]["contact_id"])
    assert reconciled(client, admin) == {"staff": 1, "added": 0, "removed": 0}


def test_the_nightly_run_starts_each_tenants_jobs_unless_one_is_still_running(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready(client, tenant)
    now = clock.now_rfc3339()
    waiting = WeComJob(
        tenant_id=tenant,
        job_id=ids.new_id("wj_"),
        kind="reconcile",
        params={"corp_id": corp_of(tenant)},
        created_by="x",
        created_at=now,
        updated_at=now,
    )
    jobs_dal.create(waiting, [])  # queued, never stepped: last night's is still to run
    started: list[tuple[str, str, dict[str, str]]] = []
    monkeypatch.setattr("services.wecom.dal.settings.tenants", lambda: [tenant, f"{tenant}-broken"])
    monkeypatch.setattr(
        "services.wecom.logic.jobs.start",
        lambda tenant_id, kind, params, created_by: (
            started.append((tenant_id, kind, params)) if not tenant_id.endswith("-broken") else 1 / 0
        ),
    )
    assert nightly.run() == {"started": 2, "skipped": 1, "failed": 1}
    assert started == [(tenant, "directory_sync", {"corp_id": corp_of(tenant)}), (tenant, "group_sync", {})]
