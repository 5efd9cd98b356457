"""Segment CSV export as a job: the members paged into part files and
assembled into one CSV with the documented columns; the file offered by a short-lived URL made
when asked; writers only; bad input refused without a 500."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local import files as local_files
from services.contacts.export_models import SEGMENT_EXPORT_COLUMNS
from services.contacts.logic import segment_export
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_import import finished
from tests.unit.test_contacts_timeline import create


def fetch(url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    answer = local_files.handle("GET", f"{parts.path}?{parts.query}", b"")
    return answer.status, answer.body


def static_segment(client: Client, token: str, contact_ids: list[str]) -> str:
    answer = client.post(
        "/v1/segments", json_body={"name": "导出", "kind": "static", "contact_ids": contact_ids}, token=token
    )
    assert answer.status == 201, answer.body
    segment_id = str(answer.json["segment_id"])
    wanted = len(contact_ids)
    eventually(lambda: client.get(f"/v1/segments/{segment_id}", token=token).json["count"] == wanted or None)
    return segment_id


def test_a_segment_is_exported_in_parts_to_one_csv_offered_by_a_fresh_url(
    client: Client, tenant: str, monkeypatch: Any
) -> None:
    # Two members a page and a step: three contacts take two steps, two part files, one assembly.
    monkeypatch.setattr(segment_export, "PAGE", 2)
    monkeypatch.setattr(segment_export, "STEP_ROWS", 2)
    admin = client.staff_token(tenant)
    wang = create(client, admin, name="王小明", phone="13800138000", email="Wang@Example.com", tags=["vip", "母婴"])
    formula = create(client, admin, name="=HYPERLINK(1)", tags=["+x"])
    plain = create(client, admin, name="Plain")
    outsider = create(client, admin, name="Not a member")
    segment_id = static_segment(client, admin, [wang, formula, plain])

    started = client.post(f"/v1/segments/{segment_id}/exports", token=admin)
    assert started.status == 202, started.body
    job = finished(client, admin, started.json["job_id"])
    assert job["status"] == "succeeded", job
    assert job["result"]["rows"] == 3
    assert job["result"]["parts"] == 2
    assert "url" not in job["result"]  # URLs are made when asked, never stored

    first = client.get(f"/v1/jobs/{job['job_id']}/download", token=admin)
    assert first.status == 200, first.body
    assert first.json["file_name"] == f"segment-{segment_id}.csv"
    status, body = fetch(first.json["url"])
    assert status == 200
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(table[0]) == SEGMENT_EXPORT_COLUMNS
    rows = {row[0]: dict(zip(SEGMENT_EXPORT_COLUMNS, row, strict=True)) for row in table[1:]}
    assert set(rows) == {wang, formula, plain}  # the outsider is not exported
    assert outsider not in rows
    assert rows[wang]["name"] == "王小明"
    assert rows[wang]["phone"] == "+8613800138000"
    assert rows[wang]["email"] == "wang@example.com"
    assert rows[wang]["tags"] == "vip|母婴"
    assert rows[wang]["lifecycle"] == "new"
    assert rows[formula]["name"] == "'=HYPERLINK(1)"
    assert rows[formula]["tags"] == "'+x"

    again = client.get(f"/v1/jobs/{job['job_id']}/download", token=admin).json
    expiry = parse_qs(urlsplit(again["url"]).query)["expires"][0]
    assert int(expiry) >= int(parse_qs(urlsplit(first.json["url"]).query)["expires"][0])  # made afresh


def test_exports_are_for_writers_of_the_tenant_and_bad_ids_are_refused(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    segment_id = static_segment(client, admin, [create(client, admin, name="A")])
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.post(f"/v1/segments/{segment_id}/exports", token=guide).status == 403
    other = client.staff_token(f"{tenant}-other")
    assert client.post(f"/v1/segments/{segment_id}/exports", token=other).status == 404
    assert client.post("/v1/segments/sg_nope/exports", token=admin).status == 404
    assert client.get("/v1/jobs/job_nope/download", token=admin).status == 404

    # A job that makes no file: 404; another tenant's export job: 404.
    bulk = client.post(
        "/v1/contacts/bulk-tags", json_body={"tag": "x", "action": "add", "segment_id": segment_id}, token=admin
    )
    assert client.get(f"/v1/jobs/{bulk.json['job_id']}/download", token=admin).status == 404
    export = client.post(f"/v1/segments/{segment_id}/exports", token=admin).json["job_id"]
    assert client.get(f"/v1/jobs/{export}/download", token=other).status == 404
    assert client.get("/v1/jobs?kind=segment_export", token=other).json["items"] == []
