"""``python -m bench.contacts`` (part of ``make bench``): the contacts intelligence figures.

- a tag change reflected in a segment's count: p50 / p95 on the local stack (goal p50 <= 1 s),
  the DynamoDB requests one count read makes, and the DynamoDB writes one tag change causes
  through every consumer (goal: <= 2 + the segments whose membership changed);
- the lifecycle sweep over 10,000 contacts of which 100 are due: the items it reads per due
  contact (goal: about 1);
- a segment backfill's and a CSV import's rows per second;
- a merge followed by every service (the alias's points and cases found under the survivor):
  p50 (goal <= 2 s).

Writes ``bench/results/contacts.json``. The emulator is moto in-process: latencies are the code
path's plus the emulator's, request counts are exact.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from bench.__main__ import RequestCounter, call, percentile, settle, write
from services.registry import SERVICES
from shared import aws, clock

SAMPLES = int(os.environ.get("SIYU_BENCH_CONTACT_SAMPLES", "20"))
SWEEP_CONTACTS, SWEEP_DUE = 10_000, 100
BACKFILL_CONTACTS = int(os.environ.get("SIYU_BENCH_BACKFILL_CONTACTS", "2000"))
IMPORT_ROWS = int(os.environ.get("SIYU_BENCH_IMPORT_ROWS", "2000"))
GOALS = {"tag_to_count_p50_s": 1.0, "merge_followed_p50_s": 2.0}
WRITES = frozenset({"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})


def _dynamodb_writes(calls: Counter[str]) -> int:
    return sum(n for name, n in calls.items() if name.startswith("dynamodb.") and name.split(".", 1)[1] in WRITES)


def wait_for(check: Callable[[], bool], timeout: float = 30.0, interval: float = 0.01) -> float:
    """Seconds until ``check`` holds (polled every ``interval``)."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("not reached in time")
        time.sleep(interval)
    return time.perf_counter() - started


def staff(gateway: Any, tenant: str) -> str:
    body = {"tenant_id": tenant, "staff_id": "s1", "roles": ["admin"]}
    return str(call(gateway, "POST", "/v1/auth/dev-token", body)["token"])


def segment_ready(gateway: Any, token: str, rule: dict[str, Any]) -> tuple[str, float]:
    started = time.perf_counter()
    segment_id = call(gateway, "POST", "/v1/segments", {"name": "bench", "rule": rule}, token)["segment_id"]
    wait_for(lambda: call(gateway, "GET", f"/v1/segments/{segment_id}", {}, token)["status"] == "ready", 600, 0.05)
    return segment_id, time.perf_counter() - started


def tag_to_count(stack: Any, counter: RequestCounter, gateway: Any) -> dict[str, Any]:
    token = staff(gateway, "bench-tags")
    ids = [
        call(gateway, "POST", "/v1/contacts", {"name": f"t{i}", "tags": ["seed"]}, token)["contact_id"]
        for i in range(SAMPLES + 1)
    ]
    call(gateway, "PUT", f"/v1/contacts/{ids[0]}/tags/B", {}, token)
    settle(stack, counter)
    segment_id, _ = segment_ready(gateway, token, {"field": "tag", "op": "has", "value": "B"})
    settle(stack, counter)

    def members() -> int:
        return int(call(gateway, "GET", f"/v1/segments/{segment_id}", {}, token)["count"])

    def has_members(number: int) -> bool:
        return members() == number

    latencies, writes = [], []
    for number, contact_id in enumerate(ids[1:], start=2):
        settle(stack, counter)
        before = counter.snapshot()
        started = time.perf_counter()
        counter.measuring = True
        call(gateway, "PUT", f"/v1/contacts/{contact_id}/tags/B", {}, token)
        counter.measuring = False
        wait_for(partial(has_members, number))
        latencies.append(time.perf_counter() - started)
        settle(stack, counter)
        writes.append(_dynamodb_writes(counter.snapshot() - before))
    before = counter.answering_snapshot()
    counter.measuring = True
    members()
    counter.measuring = False
    read = counter.answering_snapshot() - before
    # The count alone (the segment's definition is the other request of GET /v1/segments/{id}).
    from services.contacts.dal import segments as segments_dal

    before = counter.answering_snapshot()
    counter.measuring = True
    segments_dal.count("bench-tags", segment_id)
    counter.measuring = False
    count_read = counter.answering_snapshot() - before
    return {
        "samples": len(latencies),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "goal_p50_s": GOALS["tag_to_count_p50_s"],
        "segment_read_dynamodb_requests": RequestCounter.dynamodb(read),
        "count_read_dynamodb_requests": RequestCounter.dynamodb(count_read),
        "writes_per_tag_change_avg": round(statistics.mean(writes), 1),
        "writes_per_tag_change_max": max(writes),
    }


def sweep_reads() -> dict[str, Any]:
    """10,000 insights, 100 of them due: what the sweep reads."""
    from services.contacts.dal import insight as insight_dal
    from services.contacts.logic import insight
    from services.contacts.models import Insight

    tenant = "bench-sweep"
    now = clock.utc_now()
    past = clock.rfc3339(now.replace(year=now.year - 1))
    future = clock.rfc3339(now.replace(year=now.year + 1))
    for number in range(SWEEP_CONTACTS):
        due = past if number < SWEEP_DUE else future
        before = Insight(tenant_id=tenant, contact_id=f"ct_bench{number:06d}")
        after = before.model_copy(update={"created_at": past, "due_at": due})
        tx = insight_dal.transaction()
        insight_dal.write(tx, before, after, [])
        tx.commit()
    report = insight.sweep(only_tenant=tenant).as_dict()
    return {
        "contacts": SWEEP_CONTACTS,
        "due": report["due"],
        "changed": report["changed"],
        "items_read": report["items_read"],
        "items_read_per_due_contact": report["items_read_per_due"],
    }


def backfill_rate(stack: Any, counter: RequestCounter, gateway: Any) -> dict[str, Any]:
    from services.contacts.dal import contacts as contacts_dal
    from services.contacts.logic import contacts

    tenant = "bench-backfill"
    token = staff(gateway, tenant)
    for number in range(BACKFILL_CONTACTS):
        contact = contacts.new_contact(tenant, name=f"b{number}", tags=["bulk"] if number % 2 else [])
        contacts_dal.save(None, contact, [])
    settle(stack, counter)  # the seeding's stream records, out of the job's way
    _, seconds = segment_ready(gateway, token, {"field": "tag", "op": "has", "value": "bulk"})
    return {
        "contacts": BACKFILL_CONTACTS,
        "seconds": round(seconds, 2),
        "rows_per_second": round(BACKFILL_CONTACTS / seconds),
    }


def import_rate(gateway: Any) -> dict[str, Any]:
    from local import files as local_files

    token = staff(gateway, "bench-import")
    rows = "".join(f"n{i},+86137{i:08d},b{i}@x.cn,a|b\n" for i in range(IMPORT_ROWS))
    created = call(gateway, "POST", "/v1/contacts/imports", {"file_name": "bench.csv"}, token)
    url = urlsplit(created["upload_url"])
    local_files.handle("PUT", f"{url.path}?{url.query}", f"name,phone,email,tags\n{rows}".encode())
    job_id = created["job"]["job_id"]
    started = time.perf_counter()
    call(gateway, "POST", f"/v1/contacts/imports/{job_id}/start", {}, token)
    wait_for(
        lambda: call(gateway, "GET", f"/v1/jobs/{job_id}", {}, token)["status"] not in ("queued", "running"), 1200, 0.2
    )
    seconds = time.perf_counter() - started
    return {"rows": IMPORT_ROWS, "seconds": round(seconds, 2), "rows_per_second": round(IMPORT_ROWS / seconds)}


def _case_opened(gateway: Any, token: str, case: dict[str, Any]) -> bool:
    try:
        call(gateway, "POST", "/v1/cases", case, token)
    except RuntimeError as refused:
        if "unknown_contact" in str(refused):
            return False
        raise
    return True


def merge_followed(stack: Any, counter: RequestCounter, gateway: Any) -> dict[str, Any]:
    """Two funded contacts with a case each; merged; until the survivor's points hold both balances
    and its cases both cases."""
    token = staff(gateway, "bench-merge")
    latencies = []
    for number in range(min(SAMPLES, 10)):
        pair = [
            call(gateway, "POST", "/v1/contacts", {"name": f"m{number}{side}"}, token)["contact_id"] for side in "ab"
        ]
        for contact_id in pair:
            call(
                gateway,
                "POST",
                f"/v1/contacts/{contact_id}/points/adjustments",
                {"points": 10, "reason": "bench"},
                token,
            )
            case = {"type": "inquiry", "subject": "bench", "contact_id": contact_id}
            wait_for(partial(_case_opened, gateway, token, case), 30, 0.05)  # once cases knows the contact
        settle(stack, counter)
        started = time.perf_counter()
        survivor = call(
            gateway, "POST", f"/v1/contacts/{pair[0]}/merge", {"from_contact_id": pair[1], "reason": "bench"}, token
        )["contact_id"]

        def followed(survivor: str = survivor) -> bool:
            points = call(gateway, "GET", f"/v1/contacts/{survivor}/points", {}, token)
            cases = call(gateway, "GET", f"/v1/cases?contact_id={survivor}", {}, token)
            return bool(points.get("balance") == 20 and len(cases.get("items", [])) == 2)

        wait_for(followed, 30, 0.02)
        latencies.append(time.perf_counter() - started)
    return {
        "samples": len(latencies),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "goal_p50_s": GOALS["merge_followed_p50_s"],
    }


def main() -> None:
    from local.stack import LocalStack

    stack = LocalStack(SERVICES, schedule_seconds=10**9).start()
    counter = RequestCounter()
    aws.instrument(counter)
    gateway = stack.gateway
    try:
        report = {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "tag_to_segment_count": tag_to_count(stack, counter, gateway),
            "merge_followed": merge_followed(stack, counter, gateway),
            "lifecycle_sweep": sweep_reads(),
            "segment_backfill": backfill_rate(stack, counter, gateway),
            "csv_import": import_rate(gateway),
        }
    finally:
        stack.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {write('contacts.json', report)}")


if __name__ == "__main__":
    main()
