"""``make bench``: drives the local stack in-process and prints what each operation costs.

Figures: latency (p50/p95) of creating a contact and of a new member's WeChat login; DynamoDB
requests and PutEvents calls per operation, counted across every function (the API call and the
event-driven work it causes); and the import time of each deployed handler module in a fresh
interpreter next to ``boto3``'s. Results go to ``bench/results/latest.json``.

The emulator is moto (in-process, requests serialised), so latencies are the code path's, not
DynamoDB's; request counts are exact.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local.gateway import LocalGateway
from local.stack import LocalStack
from services.registry import SERVICES
from shared import aws

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SAMPLES = int(os.environ.get("SIYU_BENCH_SAMPLES", "200"))
# Points operations need a funded member per sample; fewer keep the run within minutes.
POINTS_SAMPLES = min(SAMPLES, 50)
SETTLE_SECONDS = 15
POLLING = {
    "dynamodbstreams.GetRecords",
    "dynamodbstreams.GetShardIterator",
    "sqs.ReceiveMessage",
    "sqs.DeleteMessageBatch",
    "sqs.ChangeMessageVisibility",
}


class RequestCounter:
    """AWS requests by operation: those made while answering a measured call, and those the
    pumps' publishers and consumers make on their own threads. The answering thread's other calls
    (set-up, polling for the outcome) are not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.answering: Counter[str] = Counter()
        self.answering_thread = threading.get_ident()
        self.measuring = False

    def __call__(self, service: str, operation: str) -> None:
        name = f"{service}.{operation}"
        with self._lock:
            if threading.get_ident() != self.answering_thread:
                self.calls[name] += 1
            elif self.measuring:
                self.calls[name] += 1
                self.answering[name] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.calls)

    def answering_snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.answering)

    @staticmethod
    def dynamodb(calls: Counter[str]) -> int:
        return sum(n for name, n in calls.items() if name.startswith("dynamodb."))

    @staticmethod
    def put_events(calls: Counter[str]) -> int:
        return calls["eventbridge.PutEvents"] + calls["events.PutEvents"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def call(gateway: LocalGateway, method: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    answer = gateway.handle(method, path, headers, json.dumps(body).encode())
    if answer.status >= 400:
        raise RuntimeError(f"{method} {path} -> {answer.status}: {answer.body[:300]!r}")
    return json.loads(answer.body)


def settle(stack: LocalStack, counter: RequestCounter, quiet_seconds: float = 0.5) -> None:
    """Wait until the pumps have drained everything: no AWS request but polling for a while."""
    deadline = time.monotonic() + SETTLE_SECONDS
    last = counter.snapshot()
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        now = counter.snapshot()
        if not [name for name in now - last if name not in POLLING]:
            return
        last = now


def measure(
    stack: LocalStack,
    counter: RequestCounter,
    name: str,
    operation: Callable[[int], None],
    samples: int = SAMPLES,
) -> dict[str, Any]:
    """Run an operation ``samples`` times: its latency, and the requests it caused, per operation."""
    before, answering_before = counter.snapshot(), counter.answering_snapshot()
    latencies = []
    for index in range(samples):
        started = time.perf_counter()
        counter.measuring = True
        operation(index)
        counter.measuring = False
        latencies.append((time.perf_counter() - started) * 1000)
    synchronous = counter.answering_snapshot() - answering_before
    settle(stack, counter)
    total = Counter({k: v for k, v in (counter.snapshot() - before).items() if k not in POLLING})
    return {
        "operation": name,
        "samples": samples,
        "latency_ms_p50": round(statistics.median(latencies), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "dynamodb_requests_in_request": round(RequestCounter.dynamodb(synchronous) / samples, 2),
        "dynamodb_requests_total": round(RequestCounter.dynamodb(total) / samples, 2),
        "put_events_calls_total": round(RequestCounter.put_events(total) / samples, 2),
        "requests_by_operation": {k: round(v / samples, 2) for k, v in sorted(total.items())},
    }


def scan_flow(
    stack: LocalStack, counter: RequestCounter, gateway: LocalGateway, admin: str, members: int = 100
) -> dict[str, Any]:
    """New members scan a code one after another: the time until their points show, and every
    DynamoDB request and PutEvents call the flow causes in all four services."""
    campaign = call(
        gateway,
        "POST",
        "/v1/campaigns",
        {
            "name": "bench",
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2036-01-01T00:00:00Z",
            "acquisition_points": 100,
            "engagement_points": 10,
            "points_budget": 100 * members,
        },
        admin,
    )
    call(gateway, "POST", f"/v1/campaigns/{campaign['campaign_id']}/activate", {}, admin)
    code = call(
        gateway,
        "POST",
        f"/v1/campaigns/{campaign['campaign_id']}/codes",
        {"channel": "poster", "staff_id": "guide-1"},
        admin,
    )["code"]
    settle(stack, counter)
    latencies = []
    flows: list[Counter[str]] = []
    for index in range(members):
        member = call(
            gateway, "POST", "/v1/auth/wechat", {"tenant_id": "bench", "app_id": "wx-flow", "code": f"dev:flow-{index}"}
        )
        settle(stack, counter, quiet_seconds=0.3)  # the login's own events are not the scan's
        before_flow = counter.snapshot()
        started = time.perf_counter()
        counter.measuring = True
        call(gateway, "POST", "/v1/scans", {"code": code}, member["token"])
        counter.measuring = False
        while not call(gateway, "GET", "/v1/me/points", {}, member["token"])["balance"]:
            time.sleep(0.005)
        latencies.append((time.perf_counter() - started) * 1000)
        settle(stack, counter, quiet_seconds=0.3)  # everything the scan caused, down to the last consumer
        flows.append(Counter({k: v for k, v in (counter.snapshot() - before_flow).items() if k not in POLLING}))
    dynamodb = [RequestCounter.dynamodb(flow) for flow in flows]
    put_events = [RequestCounter.put_events(flow) for flow in flows]
    operations: Counter[str] = sum(flows, Counter())
    return {
        "operation": "scan → points, new member",
        "samples": members,
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(percentile(latencies, 0.95), 1),
        "dynamodb_requests_per_flow": round(statistics.mean(dynamodb), 2),
        "dynamodb_requests_per_flow_max": max(dynamodb),
        "put_events_calls_per_flow": round(statistics.mean(put_events), 2),
        "put_events_calls_per_flow_max": max(put_events),
        "requests_by_operation": {k: round(v / members, 2) for k, v in sorted(operations.items())},
        "targets": {"dynamodb_requests_per_flow": 10, "put_events_calls_per_flow": 4},
    }


def funded_members(gateway: LocalGateway, tenant: str, admin: str, count: int, points: int) -> list[str]:
    """Member tokens, each with ``points`` (granted once points has heard of the contact)."""
    tokens = []
    for index in range(count):
        login = call(
            gateway, "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": "wx", "code": f"dev:m-{index}"}
        )
        path = f"/v1/contacts/{login['contact_id']}/points/adjustments"
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            try:
                call(gateway, "POST", path, {"points": points, "reason": "bench"}, admin)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        tokens.append(login["token"])
    return tokens


def per_second(total: int, work: Callable[[int], bool]) -> float:
    """``work(0..total-1)`` shared by 4 threads: how many per second; each must answer True."""
    done: list[int] = []

    def worker(offset: int) -> None:
        done.extend(index for index in range(offset, total, 4) if work(index))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == total, f"{total - len(done)} of {total} did not succeed"
    return round(total / (time.perf_counter() - started), 1)


def redemptions_per_second(gateway: LocalGateway, reward_id: str, tokens: list[str], total: int) -> float:
    """``total`` redemptions from 4 threads, spread over ``tokens``: completed per second."""
    body = {"reward_id": reward_id}
    return per_second(total, lambda i: bool(call(gateway, "POST", "/v1/me/redemptions", body, tokens[i % len(tokens)])))


def points_operations(stack: LocalStack, counter: RequestCounter, gateway: LocalGateway) -> dict[str, Any]:
    tenant = "bench-points"
    admin = call(gateway, "POST", "/v1/auth/dev-token", {"tenant_id": tenant, "staff_id": "s1", "roles": ["admin"]})
    admin = admin["token"]
    members = funded_members(gateway, tenant, admin, POINTS_SAMPLES, 10_000)
    reward_id = call(gateway, "POST", "/v1/rewards", {"name": "Coupon", "cost": 10}, admin)["reward_id"]
    rows = [
        measure(
            stack,
            counter,
            "daily check-in",
            lambda i: call(gateway, "POST", "/v1/me/checkins", {}, members[i]),
            POINTS_SAMPLES,
        ),
        measure(
            stack,
            counter,
            "redemption",
            lambda i: call(gateway, "POST", "/v1/me/redemptions", {"reward_id": reward_id}, members[i]),
            POINTS_SAMPLES,
        ),
    ]
    throughput = {
        "redemptions_per_second_one_account": redemptions_per_second(gateway, reward_id, members[:1], POINTS_SAMPLES),
        "redemptions_per_second_across_accounts": redemptions_per_second(gateway, reward_id, members, POINTS_SAMPLES),
    }
    return {"operations": rows, "throughput": throughput}


def cases_per_second(gateway: LocalGateway, admin: str, total: int) -> float:
    """``total`` staff intakes from 4 threads, each routed and assigned in its own write: per second
    (a case not assigned at once counts as a failure)."""
    body = {"type": "complaint", "subject": "bench"}
    return per_second(total, lambda _: call(gateway, "POST", "/v1/cases", body, admin)["assignee"] is not None)


def cases_operations(stack: LocalStack, counter: RequestCounter, gateway: LocalGateway) -> dict[str, Any]:
    tenant = "bench-cases"
    admin = call(gateway, "POST", "/v1/auth/dev-token", {"tenant_id": tenant, "staff_id": "s1", "roles": ["admin"]})
    admin = admin["token"]
    call(gateway, "PUT", "/v1/queues/complaints", {"name": "Complaints", "rules": [{"types": ["complaint"]}]}, admin)
    for index in range(5):
        profile = {"queues": ["complaints"], "availability": "online", "capacity": 200}
        call(gateway, "PUT", f"/v1/agents/agent-{index}", profile, admin)
    members = [
        call(gateway, "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": "wx", "code": f"dev:c-{i}"})["token"]
        for i in range(POINTS_SAMPLES)
    ]
    settle(stack, counter)  # the logins' own event-driven work is not the intakes'
    filed: list[str] = []
    complaint = {"type": "complaint", "subject": "杯子漏水", "description": "质量问题"}
    rows = [
        measure(
            stack,
            counter,
            "case intake (member, assigned)",
            lambda i: filed.append(call(gateway, "POST", "/v1/me/cases", complaint, members[i])["case_id"]),
            POINTS_SAMPLES,
        ),
        measure(
            stack,
            counter,
            "agent reply (+ channel delivery)",
            lambda i: call(gateway, "POST", f"/v1/cases/{filed[i]}/messages", {"body": "您好 马上处理"}, admin),
            POINTS_SAMPLES,
        ),
    ]
    return {
        "operations": rows,
        "throughput": {"cases_created_and_assigned_per_second": cases_per_second(gateway, admin, POINTS_SAMPLES)},
    }


def import_times() -> list[dict[str, Any]]:
    """Each deployed handler module imported in a fresh interpreter, best of three."""
    modules = sorted(
        {
            h.rsplit(".", 1)[0]
            for s in SERVICES
            for h in [s.api_handler, s.publisher_handler, *(c.handler for c in s.consumers)]
            if h
        }
        | {"shared.auth.authorizer"}
    )
    env = {"PATH": "/usr/bin:/bin", "POWERTOOLS_TRACE_DISABLED": "true", "PYTHONDONTWRITEBYTECODE": "1"}

    def best(statement: str) -> float:
        script = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, check=True
                ).stdout
            )
            for _ in range(3)
        ]
        return round(min(runs) * 1000, 1)

    baseline = best("import boto3")
    return [{"module": "boto3 (baseline)", "import_ms": baseline}] + [
        {"module": module, "import_ms": best(f"import {module}")} for module in modules
    ]


def main() -> None:
    # No scheduled runs during the measurements: their requests would be counted as the flows'.
    stack = LocalStack(SERVICES, schedule_seconds=10**9).start()
    counter = RequestCounter()
    aws.instrument(counter)
    gateway = stack.gateway
    assert gateway is not None
    try:
        admin = call(
            gateway, "POST", "/v1/auth/dev-token", {"tenant_id": "bench", "staff_id": "s1", "roles": ["admin"]}
        )["token"]
        results = [
            measure(
                stack,
                counter,
                "create contact (staff)",
                lambda i: call(
                    gateway,
                    "POST",
                    "/v1/contacts",
                    {"name": f"c{i}", "phone": f"+86139{i:08d}", "owner": "guide-1", "tags": ["vip"]},
                    admin,
                ),
            ),
            measure(
                stack,
                counter,
                "WeChat login, new member",
                lambda i: call(
                    gateway, "POST", "/v1/auth/wechat", {"tenant_id": "bench", "app_id": "wx", "code": f"dev:o-{i}"}
                ),
            ),
            measure(
                stack,
                counter,
                "WeChat login, returning member",
                lambda i: call(
                    gateway, "POST", "/v1/auth/wechat", {"tenant_id": "bench", "app_id": "wx", "code": f"dev:o-{i}"}
                ),
            ),
        ]
        flow = scan_flow(stack, counter, gateway, admin)
        points = points_operations(stack, counter, gateway)
        results += points["operations"]
        cases = cases_operations(stack, counter, gateway)
        results += cases["operations"]
    finally:
        stack.stop()
    imports = import_times()
    report = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scan_flow": flow,
        "operations": results,
        "points_throughput": points["throughput"],
        "cases_throughput": cases["throughput"],
        "imports": imports,
        "python": sys.version.split()[0],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)


def print_report(report: dict[str, Any]) -> None:
    flow = report["scan_flow"]
    print(f"\n{flow['operation']} ({flow['samples']} members, one after another)")
    print(f"  latency until the points show   p50 {flow['latency_ms_p50']} ms   p95 {flow['latency_ms_p95']} ms")
    print(
        f"  DynamoDB requests per flow      {flow['dynamodb_requests_per_flow']} (max "
        f"{flow['dynamodb_requests_per_flow_max']}, target <= 10)"
    )
    print(
        f"  PutEvents calls per flow        {flow['put_events_calls_per_flow']} (max "
        f"{flow['put_events_calls_per_flow_max']}, target <= 4)"
    )
    for name, count in flow["requests_by_operation"].items():
        print(f"    {name:40} {count}")
    print(f"\n{'operation':34} {'p50 ms':>8} {'p95 ms':>8} {'DDB/req':>8} {'DDB/all':>8} {'PutEv':>6}")
    for row in report["operations"]:
        print(
            f"{row['operation']:34} {row['latency_ms_p50']:8.2f} {row['latency_ms_p95']:8.2f} "
            f"{row['dynamodb_requests_in_request']:8.2f} {row['dynamodb_requests_total']:8.2f} "
            f"{row['put_events_calls_total']:6.2f}"
        )
    print("  DDB/req: DynamoDB requests made while answering; DDB/all: including the event-driven work it caused")
    throughput = report["points_throughput"]
    print("\nredemptions per second (4 threads, emulator serialises every request)")
    print(f"  on one account      {throughput['redemptions_per_second_one_account']}")
    print(f"  across accounts     {throughput['redemptions_per_second_across_accounts']}")
    print("\ncases created and assigned per second (4 threads, 5 agents, one write per intake)")
    print(f"  {report['cases_throughput']['cases_created_and_assigned_per_second']}")
    print(f"\n{'handler module (fresh interpreter)':50} {'import ms':>10}")
    for row in report["imports"]:
        print(f"{row['module']:50} {row['import_ms']:10.1f}")
    print(f"\nwritten to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
