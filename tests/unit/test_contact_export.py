"""PIPL export of one contact: ContactExportRequested reaches every service,
each writes its part under its own prefix and reports it, contacts assembles one JSON bundle
offered by a short-lived URL. The bundle follows merges (the alias's records are in it) and never
holds another tenant's data; bad ids are refused without a 500."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from local import dev_clock
from services.contacts.logic import contact_export, jobs
from shared import clock
from shared.auth.principal import StaffPrincipal
from shared.clock import rfc3339, utc_now
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_import import finished
from tests.unit.test_contacts_timeline import create, moment, publish_at, types_of
from tests.unit.test_segment_export import fetch


def adjust(client: Client, token: str, contact_id: str, points: int) -> None:
    def done() -> bool | None:
        answer = client.post(
            f"/v1/contacts/{contact_id}/points/adjustments",
            json_body={"points": points, "reason": "export test"},
            token=token,
        )
        return answer.status == 201 or None

    assert eventually(done)


def open_case(client: Client, token: str, contact_id: str, subject: str) -> str:
    body = {"type": "inquiry", "subject": subject, "contact_id": contact_id}
    answer = eventually(
        lambda: ((a := client.post("/v1/cases", json_body=body, token=token)).status == 201 and a) or None
    )
    return str(answer.json["case_id"])


def someone_with_history(client: Client, tenant: str, label: str) -> dict[str, Any]:
    """A survivor with points, a case and a scan, and an alias (its own points and case) merged in."""
    admin = client.staff_token(tenant)
    survivor = create(client, admin, name=f"{label} survivor", phone=f"139{uuid.uuid4().int % 10**8:08d}")
    alias = create(client, admin, name=f"{label} alias")
    adjust(client, admin, survivor, 5)
    adjust(client, admin, alias, 7)
    cases = [
        open_case(client, admin, survivor, f"{label} survivor case"),
        open_case(client, admin, alias, f"{label} alias case"),
    ]
    scan = {"scan_id": f"sc-{uuid.uuid4().hex[:10]}", "contact_id": survivor, "campaign_id": "cp-1", "code": "k1"}
    publish_at(
        tenant, "siyu.campaigns", "QrCodeScanned", {**scan, "channel": "poster", "scanned_at": moment(5)}, moment(5)
    )
    eventually(lambda: "QrCodeScanned" in types_of(client, admin, survivor))
    merged = client.post(
        f"/v1/contacts/{survivor}/merge", json_body={"from_contact_id": alias, "reason": "same"}, token=admin
    )
    assert merged.status == 200, merged.body
    return {"survivor": survivor, "alias": alias, "cases": cases, "scan_id": scan["scan_id"]}


def test_the_bundle_holds_the_contacts_data_from_every_service_and_its_aliases(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    mine = someone_with_history(client, tenant, "mine")
    theirs = someone_with_history(client, f"{tenant}-other", "theirs")

    started = client.post(f"/v1/contacts/{mine['alias']}/export", token=admin)  # an alias's id: its survivor
    assert started.status == 202, started.body
    assert started.json["kind"] == "contact_export"
    assert started.json["status"] == "running"
    job = finished(client, admin, started.json["job_id"], timeout=30)
    assert job["status"] == "succeeded", job
    assert job["result"]["missing"] == []
    assert set(job["result"]["received"]) == set(contact_export.SERVICES)

    link = client.get(f"/v1/jobs/{job['job_id']}/download", token=admin)
    assert link.status == 200, link.body
    status, body = fetch(link.json["url"])
    assert status == 200
    bundle = json.loads(body)
    assert bundle["export"]["contact_id"] == mine["survivor"]
    assert bundle["export"]["merged_from"] == [mine["alias"]]
    contacts = bundle["contacts"]
    assert contacts["profile"]["contact_id"] == mine["survivor"]
    assert contacts["profile"]["name"] == "mine survivor"
    assert [alias["contact_id"] for alias in contacts["merged_contacts"]] == [mine["alias"]]
    assert any(
        entry["type"] == "QrCodeScanned" and entry["summary"].get("scan_id") == mine["scan_id"]
        for entry in contacts["timeline"]
    )
    ledger = {(entry["contact_id"], entry["points"]) for entry in bundle["points"]["ledger_entries"]}
    assert {(mine["survivor"], 5), (mine["alias"], 7)} <= ledger  # both contacts' entries
    assert {case["case"]["case_id"] for case in bundle["cases"]["cases"]} == set(mine["cases"])
    assert "conversions" in bundle["campaigns"]
    text = json.dumps(bundle, ensure_ascii=False)
    for foreign in (theirs["survivor"], theirs["alias"], *theirs["cases"], theirs["scan_id"], "theirs"):
        assert foreign not in text  # tenants never mix


def test_bad_ids_are_refused_and_a_missing_part_fails_the_job_at_its_deadline(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="Someone")
    other = client.staff_token(f"{tenant}-other")
    assert client.post(f"/v1/contacts/{contact_id}/export", token=other).status == 404
    assert client.post("/v1/contacts/ct_nope/export", token=admin).status == 404
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.post(f"/v1/contacts/{contact_id}/export", token=guide).status == 403
    gone = create(client, admin, name="Gone")
    assert client.delete(f"/v1/contacts/{gone}", token=admin).status == 204
    erased = client.post(f"/v1/contacts/{gone}/export", token=admin)
    assert erased.status == 409, erased.body
    assert erased.json["reason"] == "contact_erased"
    assert client.get("/v1/jobs?kind=contact_export", token=admin).json["items"] == []

    # A job whose parts have not all come (the consumers are bypassed: the job is made directly).
    staff = StaffPrincipal(tenant_id=tenant, staff_id="s1", roles=frozenset({"admin"}))
    job = jobs.create(staff, contact_export.KIND_NAME, {"contact_id": contact_id, "merged_from": []}, start=False)
    running = job.model_copy(update={"status": "running", "deadline_at": rfc3339(utc_now() + timedelta(hours=24))})
    from services.contacts.dal import jobs as jobs_dal

    jobs_dal.save(job, running, [], statuses=frozenset({"awaiting_upload"}))
    # A part claiming another tenant's key is refused; a genuine one is recorded, the job waits.
    contact_export.on_part(tenant, job.job_id, "points", contact_export.part_key("points", "elsewhere", job.job_id), 1)
    contact_export.on_part(tenant, job.job_id, "cases", contact_export.part_key("cases", tenant, job.job_id), 0)
    waiting = client.get(f"/v1/jobs/{job.job_id}", token=admin).json
    assert waiting["status"] == "running"
    assert waiting["result"] == {"received": {"cases": 0}, "missing": ["contacts", "points", "campaigns"]}
    unfinished = client.get(f"/v1/jobs/{job.job_id}/download", token=admin)
    assert unfinished.status == 409
    assert unfinished.json["reason"] == "job_unfinished"
    # Past its deadline the export reads as failed, naming what never came, and stays so.
    clock.set_offset_seconds(25 * 3600)
    try:
        late = client.get(f"/v1/jobs/{job.job_id}", token=admin).json
        assert late["status"] == "failed"
        assert "contacts, points, campaigns" in late["error"]
        listed = client.get("/v1/jobs?kind=contact_export", token=admin).json["items"]
        assert [item["status"] for item in listed if item["job_id"] == job.job_id] == ["failed"]
        for service in ("contacts", "points", "campaigns"):
            contact_export.on_part(tenant, job.job_id, service, contact_export.part_key(service, tenant, job.job_id), 0)
        assert client.get(f"/v1/jobs/{job.job_id}", token=admin).json["status"] == "failed"
        failed = client.get(f"/v1/jobs/{job.job_id}/download", token=admin)
        assert (failed.status, failed.json["reason"]) == (409, "job_failed")
    finally:
        dev_clock.reset()
