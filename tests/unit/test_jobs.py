"""The jobs framework (services/contacts/logic/jobs.py) and the file store (shared/files.py): a
duplicate or late step event does no work twice, a failing step ends its job with the error, and
the local stack's signed file URLs refuse tampering and expiry as S3's presigned URLs do."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from local import files as local_files
from local.stack import LocalStack
from services.contacts.dal import jobs as jobs_dal
from services.contacts.job_models import Job, Progress
from services.contacts.logic import jobs
from shared import aws, files
from shared.auth.principal import StaffPrincipal
from shared.errors import NotFound
from shared.events.contacts import ContactsJobStepped

# A kind for these tests: three steps, each counted per (job, step) it ran.
RUNS: dict[tuple[str, int], int] = {}
_lock = threading.Lock()


def _step(job: Job) -> jobs.StepOutcome:
    with _lock:
        RUNS[(job.job_id, job.step)] = RUNS.get((job.job_id, job.step), 0) + 1
    if job.params.get("fail_at") == job.step:
        raise jobs.JobFailed("the input is unusable")
    done = job.progress.done + 1
    return jobs.StepOutcome(Progress(total=3, done=done), str(done), {"steps": done}, finished=done == 3)


KIND = jobs.JobKind("test_steps", frozenset({"admin", "manager"}), _step)


@pytest.fixture(autouse=True)
def test_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(jobs.KINDS, "test_steps", __name__)


def staff(tenant: str, roles: frozenset[str] = frozenset({"admin"})) -> StaffPrincipal:
    return StaffPrincipal(tenant_id=tenant, staff_id="s1", roles=roles)


def wait_finished(tenant: str, job_id: str, timeout: float = 20) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        job = jobs_dal.get(tenant, job_id)
        assert job is not None
        if job.status in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_a_job_runs_its_steps_and_duplicate_or_late_step_events_do_nothing(stack: LocalStack, tenant: str) -> None:
    job = jobs.create(staff(tenant), "test_steps", {}, start=True)
    # The stack's pump delivers step 0; this delivery races it (at most one of the two runs it).
    jobs.run_step(tenant, ContactsJobStepped(job_id=job.job_id, kind="test_steps", step=0))
    done = wait_finished(tenant, job.job_id)
    assert done.status == "succeeded"
    assert done.result == {"steps": 3}
    assert done.progress == Progress(total=3, done=3, failed=0)
    assert done.step == 3
    # Every step again, twice: the job moved past them, so none runs.
    for step in (0, 1, 2, 3, 0):
        jobs.run_step(tenant, ContactsJobStepped(job_id=job.job_id, kind="test_steps", step=step))
    assert jobs_dal.get(tenant, job.job_id) == done
    assert {step: RUNS[(job.job_id, step)] for step in range(3)} == {0: 1, 1: 1, 2: 1}


def test_a_step_held_by_another_delivery_is_not_run_twice(stack: LocalStack, tenant: str) -> None:
    job = jobs.create(staff(tenant), "test_steps", {}, start=False)  # no event: nothing else runs it
    queued = job.model_copy(update={"status": "queued"})
    jobs_dal.save(job, queued, [], statuses=frozenset({"awaiting_upload"}))
    assert jobs_dal.claim(queued, time.time(), jobs.STEP_LEASE_SECONDS)  # another delivery holds step 0
    jobs.run_step(tenant, ContactsJobStepped(job_id=job.job_id, kind="test_steps", step=0))
    assert (job.job_id, 0) not in RUNS
    assert jobs_dal.get(tenant, job.job_id).step == 0  # type: ignore[union-attr]
    # A lease past its time (the delivery holding it died) no longer holds the step.
    later = time.time() + jobs.STEP_LEASE_SECONDS + 1
    assert jobs_dal.claim(queued, later, jobs.STEP_LEASE_SECONDS)


def test_a_step_that_fails_ends_the_job_with_its_error(stack: LocalStack, tenant: str) -> None:
    job = jobs.create(staff(tenant), "test_steps", {"fail_at": 1}, start=True)
    failed = wait_finished(tenant, job.job_id)
    assert failed.status == "failed"
    assert failed.error == "the input is unusable"
    assert failed.progress.done == 1


def test_a_job_is_read_by_its_tenant_and_the_roles_of_its_kind_only(stack: LocalStack, tenant: str) -> None:
    job = jobs.create(staff(tenant), "test_steps", {}, start=False)
    assert jobs.visible(staff(tenant, frozenset({"manager"})), job.job_id).job_id == job.job_id
    for reader in (staff(f"{tenant}-b"), staff(tenant, frozenset({"agent"}))):
        with pytest.raises(NotFound):
            jobs.visible(reader, job.job_id)
    assert jobs.page(staff(tenant, frozenset({"agent"})), None, 10, None)[0] == []
    cancelled = jobs.cancel(job)
    assert cancelled.status == "cancelled"
    with pytest.raises(jobs_dal.JobStateChanged):
        jobs.start(cancelled)


# Signed local URLs -------------------------------------------------------------------------------
def _target(url: str, **changes: Any) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({key: str(value) for key, value in changes.items() if key != "path"})
    return f"{changes.get('path', parts.path)}?{urlencode(query)}"


def test_signed_local_urls_work_once_signed_and_refuse_tampering_and_expiry(stack: LocalStack, tenant: str) -> None:
    key = files.key("contacts", "exports", tenant, "a.csv")
    upload = files.upload_url(key, 60)
    assert upload.startswith("http://127.0.0.1:8000/_local/files/contacts/exports/")
    assert local_files.handle("PUT", _target(upload), b"name\n\xe7\x8e\x8b\n").status == 200
    download = files.download_url(key, 60, file_name="客户.csv")
    answer = local_files.handle("GET", _target(download), b"")
    assert (answer.status, answer.body) == (200, b"name\n\xe7\x8e\x8b\n")
    assert "filename*=UTF-8''%E5%AE%A2%E6%88%B7.csv" in answer.headers["Content-Disposition"]
    assert files.get(key) == b"name\n\xe7\x8e\x8b\n"
    other = files.key("contacts", "exports", tenant, "b.csv")
    refused = [
        _target(download, signature="0" * 64),
        _target(download, expires=int(time.time()) + 3600),  # a later expiry than signed
        _target(download, name="other.csv"),
        _target(download, path=f"{local_files.PREFIX}{other}"),  # another key
        _target(download, method="PUT"),
        _target(files.download_url(key, -1)),  # expired
    ]
    for target in refused:
        assert local_files.handle("GET", target, b"").status == 403, target
    assert local_files.handle("PUT", _target(download, method="PUT"), b"x").status == 403  # a GET URL
    assert local_files.handle("GET", _target(files.download_url(other, 60)), b"").status == 404
    assert local_files.handle("DELETE", _target(download), b"").status == 405
    assert files.get(key) == b"name\n\xe7\x8e\x8b\n"  # nothing a refused request did changed it


@pytest.mark.parametrize("bad", ["contacts", "contacts/../x", "contacts//x", "contacts/a b", "/contacts/x"])
def test_a_key_that_could_leave_its_prefix_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a file key"):
        files.key(*bad.split("/", 1))


def test_the_s3_store_puts_reads_from_an_offset_and_presigns(stack: LocalStack, tenant: str) -> None:
    """The AWS backend, against the emulator's S3."""
    bucket = f"files-{tenant}"
    aws.client("s3").create_bucket(Bucket=bucket)
    store = files.S3Store(bucket)
    key = files.key("contacts", "imports", tenant, "x.csv")
    assert store.size(key) is None
    with pytest.raises(files.FileMissing):
        store.open(key, 0)
    store.put(key, b"0123456789", "text/csv")
    assert store.size(key) == 10
    assert store.open(key, 4).read() == b"456789"
    assert store.open(key, 10).read() == b""
    url = store.url(files.GET, key, 300, "客户.csv", None)
    assert "X-Amz-Signature=" in url or "Signature=" in url
    assert "response-content-disposition" in url
    assert key in url
    with pytest.raises(RuntimeError, match="SIYU_FILES_BUCKET"):
        files.S3Store("")


@pytest.mark.parametrize(
    ("region", "suffix"),
    [("us-east-1", "amazonaws.com"), ("eu-west-1", "amazonaws.com"), ("cn-north-1", "amazonaws.com.cn")],
)
def test_a_presigned_url_is_on_the_origin_the_consoles_csp_names(
    region: str, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """infra/files.py names https://<bucket>.s3.<region>.<suffix> in the console's connect-src: the
    S3 client signs URLs on exactly that host, in every partition (us-east-1's global host too)."""
    import boto3

    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):  # in AWS: no emulator
        monkeypatch.delenv(variable, raising=False)
    session = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=region)
    s3 = session.client("s3", config=aws.client_config("s3"))
    bucket = f"siyu-dev-files-123456789012-{region}"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "contacts/x.csv"}, ExpiresIn=60)
    assert url.startswith(f"https://{bucket}.s3.{region}.{suffix}/contacts/x.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256")
