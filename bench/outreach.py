"""``python -m bench.outreach`` (part of ``make bench``): outreach's figures.

- broadcast planning to 10,000 contacts: recipients planned per second and DynamoDB requests per
  recipient (goal: at most 3), from the tick's start to the WeCom dispatches;
- a journey tick with 10,000 contacts waiting of which 1,000 are due: items read per due contact
  (goal: about 1) and step executions per second.

Writes ``bench/results/outreach.json``. The emulator is moto in-process: rates are the code path's
plus the emulator's; request and item counts are exact. The audience's facts and the waiting
enrollments are written directly in their stored layout (through the events they would take the
emulator most of an hour).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

from bench.__main__ import RequestCounter, call, write
from services.registry import SERVICES
from shared import aws, clock

CONTACTS = int(os.environ.get("SIYU_BENCH_OUTREACH_CONTACTS", "10000"))
DUE = int(os.environ.get("SIYU_BENCH_OUTREACH_DUE", "1000"))
STAFF = ("guide1", "guide2", "guide3", "guide4", "guide5")
ONLY = os.environ.get("SIYU_BENCH_OUTREACH_ONLY", "")  # "journey" or "broadcast": that figure alone
GOALS = {"broadcast_dynamodb_requests_per_recipient": 3, "tick_items_read_per_due_contact": 1.1}


def _admin(gateway: Any, tenant: str) -> str:
    dev = {"tenant_id": tenant, "staff_id": "a1", "roles": ["admin"]}
    admin = str(call(gateway, "POST", "/v1/auth/dev-token", dev)["token"])
    answer = gateway.handle(
        "PUT",
        "/v1/outreach/settings",
        {"Content-Type": "application/json", "Authorization": f"Bearer {admin}"},
        json.dumps({"time_zone": "Asia/Shanghai", "quiet_hours": None, "caps": {}, "version": 0}).encode(),
    )
    if answer.status >= 400:
        raise RuntimeError(f"settings -> {answer.status}: {answer.body[:300]!r}")
    return admin


def broadcast_planning(stack: Any, counter: RequestCounter, gateway: Any) -> dict[str, Any]:
    """10,000 consenting WeCom customers of five guides in one segment, planned and dispatched."""
    from services.outreach.dal import broadcasts as broadcasts_dal
    from services.outreach.logic import planning
    from shared.events.outreach import BroadcastStepped
    from tests.support.outreach_facts import seed_many

    tenant = f"bench-bc-{uuid.uuid4().hex[:6]}"
    admin = _admin(gateway, tenant)
    rows = [{"contact_id": f"c{n:06d}", "consent": True, "staff": STAFF[n % len(STAFF)]} for n in range(CONTACTS)]
    seed_many(tenant, "ww-bench", rows, "sg-bench")
    template = {"name": "会员日", "channel": "wecom_customer", "content": {"text": "本周会员日全场 8 折"}}
    template_id = call(gateway, "POST", "/v1/templates", template, admin)["template_id"]
    body = {"name": "bench", "channel": "wecom_customer", "template_id": template_id, "segment_id": "sg-bench"}
    broadcast_id = call(gateway, "POST", "/v1/broadcasts", body, admin)["broadcast_id"]
    # The steps are taken here, in the answering thread, so that each request is counted once.
    stack.queue_pumps["outreach-broadcasts"].signal_stop()
    before = counter.answering_snapshot()
    counter.measuring = True
    started = time.perf_counter()
    planning.start(tenant, broadcast_id)
    while (broadcast := broadcasts_dal.get(tenant, broadcast_id)) is not None and broadcast.status == "planning":
        planning.step(
            tenant, f"bench-{uuid.uuid4().hex}", BroadcastStepped(broadcast_id=broadcast_id, step=broadcast.step)
        )
    seconds = time.perf_counter() - started
    counter.measuring = False
    requests = RequestCounter.dynamodb(counter.answering_snapshot() - before)
    assert broadcast is not None
    return {
        "recipients": CONTACTS,
        "status": broadcast.status,
        "queued": broadcast.stats.queued,
        "dispatches": len(broadcasts_dal.dispatches_page(tenant, broadcast_id, 100, None)[0]),
        "seconds": round(seconds, 1),
        "recipients_per_second": round(CONTACTS / seconds, 1),
        "dynamodb_requests": requests,
        "dynamodb_requests_per_recipient": round(requests / CONTACTS, 3),
        "goal_per_recipient": GOALS["broadcast_dynamodb_requests_per_recipient"],
    }


def journey_tick(counter: RequestCounter, gateway: Any) -> dict[str, Any]:
    """10,000 contacts waiting in a live journey, 1,000 of them due: one tick."""
    from services.outreach.dal import journeys as journeys_dal
    from services.outreach.journey_models import Enrollment
    from services.outreach.logic import journey_engine
    from tests.support.outreach_facts import write_all

    tenant = f"bench-jr-{uuid.uuid4().hex[:6]}"
    admin = _admin(gateway, tenant)
    journey = {
        "name": "bench",
        "trigger": {"kind": "lifecycle_changed", "to_stage": "dormant"},
        "entry": "wait",
        "steps": [
            {"type": "wait", "id": "wait", "minutes": 60, "next": "tag"},
            {"type": "tag", "id": "tag", "tag": "bench", "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }
    journey_id = call(gateway, "POST", "/v1/journeys", journey, admin)["journey_id"]
    call(gateway, "POST", f"/v1/journeys/{journey_id}/resume", {}, admin)
    now = clock.utc_now()
    past, future = clock.rfc3339(now.replace(year=now.year - 1)), clock.rfc3339(now.replace(year=now.year + 1))
    items = []
    for number in range(CONTACTS):
        stamp = clock.rfc3339(now)
        enrollment = Enrollment(
            tenant_id=tenant,
            contact_id=f"c{number:06d}",
            journey_id=journey_id,
            journey_version=1,
            step_id="wait",
            state="waiting",
            due_at=past if number < DUE else future,
            seq=1,
            entered_at=stamp,
            updated_at=stamp,
        )
        items.append(journeys_dal.enrollment_item(enrollment))
    write_all(items)
    before = counter.answering_snapshot()
    counter.measuring = True
    started = time.perf_counter()
    report = journey_engine.tick()
    seconds = time.perf_counter() - started
    counter.measuring = False
    calls = counter.answering_snapshot() - before
    reads = {name: n for name, n in calls.items() if name.split(".")[-1] in ("Query", "GetItem", "BatchGetItem")}
    moved = report["journey_steps_due"]
    return {
        "waiting": CONTACTS,
        "due": DUE,
        "moved": moved,
        "seconds": round(seconds, 1),
        "step_executions_per_second": round(2 * moved / seconds, 1),  # each due contact takes two steps
        "items_read_per_due_contact": round(report["journey_items_read"] / max(moved, 1), 3),
        "read_requests": reads,
        "dynamodb_requests_per_due_contact": round(RequestCounter.dynamodb(calls) / max(moved, 1), 2),
        "goal_items_read_per_due_contact": GOALS["tick_items_read_per_due_contact"],
    }


def main() -> None:
    from local.stack import LocalStack

    stack = LocalStack(SERVICES, schedule_seconds=10**9).start()
    counter = RequestCounter()
    aws.instrument(counter)
    gateway = stack.gateway
    try:
        report: dict[str, Any] = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if ONLY in ("", "journey"):
            report["journey_tick"] = journey_tick(counter, gateway)
        if ONLY in ("", "broadcast"):
            report["broadcast_planning"] = broadcast_planning(stack, counter, gateway)
    finally:
        stack.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {write('outreach.json', report)}")


if __name__ == "__main__":
    main()
