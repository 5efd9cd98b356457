"""The contacts CSV import through the in-process stack: the upload URL, the
job's steps run by the contacts-jobs consumer, dedupe by identity with merges, the per-row error
report, re-uploading changing nothing, and bad input answered without a 500."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

import services.contacts.handlers.job_routes  # noqa: F401 - registers the routes (until api.py lists it)
from local import files as local_files
from local.gateway import LocalContext
from local.stack import LocalStack
from services.contacts.handlers.jobs import handler as jobs_consumer
from services.contacts.logic import imports
from shared import aws, dynamo
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually, stream_records_after_checkpoint

HEADER = "name,phone,email,tags,attr.city\n"
# Rows of the big import that are new people. Each new contact's ContactCreated fans out to several
# consumers in the one emulator (timeline, points, cases…): about 0.1-0.2 s of emulator time each,
# which is what a test of this size pays while it runs (1,000 rows: minutes). The import's own rate
# is measured on 10,000 rows by the bench.
NEW_ROWS = 95
# Rows decided per batch in these tests: the import above spans four batches, so rows meet contacts
# created by an earlier batch of the same step, with a fifth of the events a full batch would cause.
BATCH_ROWS = 25


# Helpers ---------------------------------------------------------------------------------------
def upload(url: str, body: bytes) -> int:
    """PUT the bytes to a signed upload URL, as a browser would (the local stack's file server)."""
    parts = urlsplit(url)
    answer = local_files.handle("PUT", f"{parts.path}?{parts.query}", body)
    return answer.status


def new_import(client: Client, token: str, body: bytes, name: str = "contacts.csv") -> str:
    created = client.post("/v1/contacts/imports", json_body={"file_name": name}, token=token)
    assert created.status == 201, created.body
    assert created.json["job"]["status"] == "awaiting_upload"
    assert upload(created.json["upload_url"], body) == 200
    return str(created.json["job"]["job_id"])


def run_import(
    client: Client, token: str, body: bytes, name: str = "contacts.csv", *, tenant: str | None = None
) -> dict[str, Any]:
    """Create, upload and start an import; wait for its end. With ``tenant``, its steps are also
    delivered here, to the contacts-jobs consumer, as soon as each is saved: the stack's pumps
    deliver them too, but behind the stream's backlog (each of a thousand new contacts' events
    fans out to several consumers in the one emulator), which would make the wait a minute."""
    job_id = new_import(client, token, body, name)
    started = client.post(f"/v1/contacts/imports/{job_id}/start", token=token)
    assert started.status == 202, started.body
    assert started.json["status"] == "queued"
    if tenant is not None:
        drive(client, token, tenant, job_id)
    return finished(client, token, job_id)


def step_record(tenant: str, job_id: str, step: int) -> dict[str, Any]:
    """An SQS record of ContactsJobStepped, as EventBridge delivers it to the contacts-jobs queue."""
    detail = {
        "metadata": {
            "event_id": f"evt-{uuid.uuid4().hex}",
            "event_version": 1,
            "tenant_id": tenant,
            "occurred_at": "2026-11-22T00:00:00Z",
            "correlation_id": "test",
        },
        "data": {"job_id": job_id, "kind": "contacts_import", "step": step},
    }
    body = {"source": "siyu.contacts", "detail-type": "ContactsJobStepped", "detail": detail}
    return {"messageId": uuid.uuid4().hex, "body": json.dumps(body)}


def deliver(*records: dict[str, Any]) -> None:
    answer = jobs_consumer({"Records": list(records)}, LocalContext("contacts-jobs"))
    assert answer == {"batchItemFailures": []}


def drive(client: Client, token: str, tenant: str, job_id: str) -> None:
    while (job := client.get(f"/v1/jobs/{job_id}", token=token).json)["status"] in ("queued", "running"):
        step = job_step(tenant, job_id)
        deliver(step_record(tenant, job_id, step))
        if job_step(tenant, job_id) == step:  # the pump's delivery holds the step: let it run
            time.sleep(0.1)
    assert job["status"] in ("succeeded", "failed"), job


def job_step(tenant: str, job_id: str) -> int:
    item = dynamo.get_item(get_settings().table("contacts"), {"pk": f"T#{tenant}#JOB#{job_id}", "sk": "JOB"})
    assert item is not None
    return int(item["job_step"])


def finished(client: Client, token: str, job_id: str, timeout: float = 60) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        job = client.get(f"/v1/jobs/{job_id}", token=token).json
        return job if job["status"] in ("succeeded", "failed", "cancelled") else None

    return dict(eventually(done, timeout=timeout, interval=0.1))


def create(client: Client, token: str, **fields: Any) -> dict[str, Any]:
    answer = client.post("/v1/contacts", json_body=fields, token=token)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def all_contacts(client: Client, token: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        query = "/v1/contacts?limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, token=token).json
        found.update({item["contact_id"]: item for item in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return found


def settle(stack: LocalStack) -> None:
    """Wait until every event the import caused has been published and handled: the contacts it
    created fan out to several consumers, and the tests after this one must not wait behind them."""

    def idle() -> bool:
        if any(stream_records_after_checkpoint(pump, 1) for pump in stack.stream_pumps.values()):
            return False
        sqs = aws.client("sqs")
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        for pump in stack.queue_pumps.values():
            counts = sqs.get_queue_attributes(QueueUrl=pump.queue_url, AttributeNames=names)["Attributes"]
            if any(int(counts[name]) for name in names):
                return False
        return True

    eventually(idle, timeout=180, interval=0.5)


def contact_events(tenant: str) -> list[str]:
    """Detail-types of every contact event the tenant's contacts wrote to the outbox."""
    table = get_settings().table("contacts")
    pages = (
        dynamo.client()
        .get_paginator("scan")
        .paginate(
            TableName=table,
            FilterExpression="begins_with(pk, :p)",
            ExpressionAttributeValues={":p": {"S": f"T#{tenant}#OUTBOX#"}},
            ProjectionExpression="detail_type",
        )
    )
    types = [str(dynamo.deserialize(item)["detail_type"]) for page in pages for item in page["Items"]]
    return sorted(t for t in types if t != "ContactsJobStepped")


def phone(index: int) -> str:
    return f"139{index:08d}"


# An import of a hundred rows --------------------------------------------------------------------
def test_an_import_dedupes_merges_reports_and_changes_nothing_the_second_time(
    client: Client, tenant: str, stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "ROWS_PER_BATCH", BATCH_ROWS)  # the consumer runs in this process
    token = client.staff_token(tenant, "importer", ("manager",))
    staffed = create(client, token, name="王芳", phone="13800000001", tags=["vip"], attributes={"city": "北京"})
    by_phone = create(client, token, phone="13800000002")
    by_email = create(client, token, email="merge@x.cn")
    unsafe_a = create(client, token, phone="13800000003", email="a@x.cn")
    unsafe_b = create(client, token, phone="13800000004", email="b@x.cn")

    rows = [f"客户{index},{phone(index)},c{index}@x.cn,甲|乙,上海" for index in range(NEW_ROWS)]
    rows.insert(10, f"客户0,{phone(0)},c0@x.cn,甲;乙,上海")  # the first row again: nothing to add
    rows.insert(50, "Import name,+86 138-0000-0001,,新客,广州")  # the staff's contact: fills only what is missing
    rows.insert(60, ",13800000002,MERGE@x.cn,,")  # a phone and an email of two contacts: merged
    rows.insert(70, ",13800000003,b@x.cn,,")  # of two contacts with other values: a candidate
    rows.insert(80, "Bad,not-a-phone,,,")  # malformed: reported and skipped
    rows.insert(90, "")  # a blank line: skipped, not counted
    body = ("\ufeff" + HEADER + "\n".join(rows) + "\n").encode()
    events_before = contact_events(tenant)

    job = run_import(client, token, body, tenant=tenant)

    assert job["status"] == "succeeded", job
    assert job["result"] == {"created": NEW_ROWS, "updated": 1, "merged": 1, "unchanged": 1, "failed": 2}
    assert job["progress"] == {"total": NEW_ROWS + 5, "done": NEW_ROWS + 5, "failed": 2}
    errors = client.get(f"/v1/contacts/imports/{job['job_id']}/errors", token=token).json
    assert [error["row"] for error in errors["items"]] == [72, 82]  # the header is row 1
    assert errors["items"][0]["errors"][0]["loc"] == ["row"]
    assert errors["items"][1]["errors"] == [{"loc": ["phone"], "msg": "not a phone number"}]

    staff_contact = client.get(f"/v1/contacts/{staffed['contact_id']}", token=token).json
    assert staff_contact["name"] == "王芳"  # staff data is never overwritten
    assert staff_contact["attributes"] == {"city": "北京"}
    assert staff_contact["tags"] == ["vip", "新客"]
    assert staff_contact["version"] == staffed["version"] + 1
    merged = client.get(f"/v1/contacts/{by_email['contact_id']}", token=token).json
    assert merged["contact_id"] == by_phone["contact_id"]  # the older survives
    assert merged["identities"]["email"] == "merge@x.cn"
    candidates = client.get("/v1/contacts/merge-candidates", token=token).json["items"]
    assert [sorted(c["contact_ids"]) for c in candidates] == [sorted([unsafe_a["contact_id"], unsafe_b["contact_id"]])]

    contacts = all_contacts(client, token)
    imported = [c for c in contacts.values() if c["identities"].get("phone", "").startswith("+86139")]
    assert len(imported) == NEW_ROWS
    sample = next(c for c in imported if c["identities"]["phone"] == "+8613900000007")
    assert sample["name"] == "客户7"
    assert sample["identities"]["email"] == "c7@x.cn"
    assert sample["tags"] == ["乙", "甲"]
    assert sample["attributes"] == {"city": "上海"}
    assert sample["source"]["channel"] == "import"
    assert sample["source"]["job_id"] == job["job_id"]
    events_after = contact_events(tenant)
    assert events_after.count("ContactCreated") - events_before.count("ContactCreated") == NEW_ROWS

    again = run_import(client, token, body, name="contacts (1).csv", tenant=tenant)

    assert again["result"] == {"created": 0, "updated": 0, "merged": 0, "unchanged": NEW_ROWS + 3, "failed": 2}
    assert {cid: c["version"] for cid, c in all_contacts(client, token).items()} == {
        cid: c["version"] for cid, c in contacts.items()
    }
    assert contact_events(tenant) == events_after
    settle(stack)


# Bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,phone,mobile\nA,13800000009,x\n", "Unknown column 'mobile'"),
        (b"name,tags\nA,b\n", "needs a phone or an email column"),
        (b"name,phone,phone\n", "names 'phone' twice"),
        (b"", "empty"),
        (b"\xff\xfe\x00n\x00a\x00m\x00e\n", "not a UTF-8 CSV"),
        (b'phone\n"13800000009\n', None),  # an unterminated quote: a malformed row, not a failure
    ],
)
def test_a_file_that_is_not_a_contacts_csv_fails_the_job_with_a_clear_message(
    client: Client, tenant: str, content: bytes, message: str | None
) -> None:
    token = client.staff_token(tenant)
    job = run_import(client, token, content)
    if message is None:
        assert job["status"] == "succeeded"
        assert job["result"]["failed"] == 1
        return
    assert job["status"] == "failed"
    assert message in job["error"]
    assert all_contacts(client, token) == {}


def test_more_rows_than_allowed_fail_before_anything_is_imported(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_ROWS", 3)  # the consumer runs in this process (the stack's pump)
    token = client.staff_token(tenant)
    body = (HEADER + "".join(f",{phone(900 + i)},,,\n" for i in range(4))).encode()
    job = run_import(client, token, body)
    assert job["status"] == "failed"
    assert "more than 3 rows" in job["error"]
    assert all_contacts(client, token) == {}


def test_starting_is_refused_before_the_upload_and_the_second_time(client: Client, tenant: str) -> None:
    token = client.staff_token(tenant)
    created = client.post("/v1/contacts/imports", json_body={"file_name": "a.csv"}, token=token).json
    job_id = created["job"]["job_id"]
    early = client.post(f"/v1/contacts/imports/{job_id}/start", token=token)
    assert early.status == 409
    assert early.json["reason"] == "file_missing"
    assert upload(created["upload_url"], (HEADER + f",{phone(990)},,,\n").encode()) == 200
    assert client.post(f"/v1/contacts/imports/{job_id}/start", token=token).status == 202
    twice = client.post(f"/v1/contacts/imports/{job_id}/start", token=token)
    assert twice.status == 409
    assert twice.headers["Content-Type"].startswith("application/problem+json")
    assert finished(client, token, job_id)["result"]["created"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"file_name": "contacts.xlsx"},
        {"file_name": "../x.csv"},
        {"file_name": ".csv"},
        {"file_name": "a\nb.csv"},
        {"file_name": "x" * 300 + ".csv"},
        {},
        {"file_name": "a.csv", "extra": 1},
    ],
)
def test_a_bad_file_name_is_refused(client: Client, tenant: str, body: dict[str, Any]) -> None:
    answer = client.post("/v1/contacts/imports", json_body=body, token=client.staff_token(tenant))
    assert answer.status == 422, answer.body
    assert answer.json["errors"]


def test_another_tenants_job_is_not_found(client: Client, tenant: str) -> None:
    token = client.staff_token(tenant)
    job_id = new_import(client, token, (HEADER + f",{phone(991)},,,\n").encode())
    stranger = client.staff_token(f"{tenant}-other")
    for method, path in (
        ("GET", f"/v1/jobs/{job_id}"),
        ("POST", f"/v1/contacts/imports/{job_id}/start"),
        ("GET", f"/v1/contacts/imports/{job_id}/errors"),
    ):
        answer = client.request(method, path, token=stranger)
        assert answer.status == 404, (method, path, answer.body)
    assert client.get("/v1/jobs", token=stranger).json["items"] == []
    assert client.get(f"/v1/jobs/{job_id}", token=token).json["status"] == "awaiting_upload"


@pytest.mark.parametrize("role", ["agent", "guide"])
def test_only_writers_import(client: Client, tenant: str, role: str) -> None:
    token = client.staff_token(tenant, roles=(role,))
    assert client.post("/v1/contacts/imports", json_body={"file_name": "a.csv"}, token=token).status == 403


def test_jobs_are_listed_newest_first_by_kind(client: Client, tenant: str) -> None:
    token = client.staff_token(tenant)
    first = new_import(client, token, b"phone\n")
    second = new_import(client, token, b"phone\n")
    listed = client.get("/v1/jobs?kind=contacts_import&limit=1", token=token).json
    assert [job["job_id"] for job in listed["items"]] == [second]
    rest = client.get(f"/v1/jobs?kind=contacts_import&cursor={listed['next_cursor']}", token=token).json
    assert [job["job_id"] for job in rest["items"]] == [first]
    assert client.get("/v1/jobs?kind=no_such_kind", token=token).status == 422
    assert client.get("/v1/jobs?kind=Bad-Kind", token=token).status == 422
    assert client.get("/v1/jobs?cursor=garbage", token=token).status == 400


def _by_row(items: list[dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    return lambda row: next(item for item in items if item["row"] == row)


def test_each_malformed_row_says_which_column(client: Client, tenant: str) -> None:
    token = client.staff_token(tenant)
    long_tag = "t" * 65
    rows = [
        f"A,{phone(980)},not-an-email,,",
        f"B,{phone(981)},,{long_tag},",
        "C,,,,",
        f"D,{phone(982)},,,{'x' * 501}",
        f"E,{phone(983)},,,,extra",
        f"F,{phone(984)},,,北京",
    ]
    job = run_import(client, token, (HEADER + "\n".join(rows)).encode())
    assert job["result"]["created"] == 1
    items = client.get(f"/v1/contacts/imports/{job['job_id']}/errors", token=token).json["items"]
    row = _by_row(items)
    assert row(2)["errors"] == [{"loc": ["email"], "msg": "not an email address"}]
    assert row(3)["errors"][0]["loc"] == ["tags"]
    assert row(4)["errors"] == [{"loc": ["row"], "msg": "a row needs a phone or an email"}]
    assert row(5)["errors"][0]["loc"] == ["attr.city"]
    assert row(6)["errors"] == [{"loc": ["row"], "msg": "6 values for 5 columns"}]
    assert json.dumps(items, ensure_ascii=False).count("row") >= 5
