"""``make bench``: drives the local stack in-process and prints what each operation costs.

Figures, each next to its goal where the project has one:

- the new-member flow QR scan → attribution → points: the time until the points show (p50, p95;
  goal p50 <= 0.5 s) and the DynamoDB requests and PutEvents calls it causes across all services
  (average and max per flow; goal <= 8 DynamoDB requests);
- per operation (contact create, WeChat logins, check-in, redemption, case intake, agent reply):
  latency and the DynamoDB requests made while answering and including the event-driven work the
  operation caused; redemptions and case intakes per second from 4 threads;
- the cold start of every deployed handler module (every handler a ``services/*/service.py``
  declares, the outbox publishers and the authorizer): a fresh interpreter imports it and creates
  the DynamoDB client, next to ``import boto3`` plus the same client measured in the same run
  (goal <= 1.5x). Creating the client is on both sides, so a module that defers boto3 to its first
  request is measured with it. ``services/`` and ``shared/`` are compiled to bytecode once before
  the rounds, as a deployed function ships them, so no round measures compiling a stale or missing
  ``.pyc``.

``SIYU_BENCH_SAMPLES`` sets the samples per operation (default 200; the scan flow takes up to 100
new members, the points and cases operations up to 50). ``SIYU_BENCH_ONLY=imports``
measures the cold starts alone (about a minute) and writes ``bench/results/imports.json``; a full
run writes ``bench/results/latest.json``.

The emulator is moto (in-process, requests serialised), so latencies are the code path's, not
DynamoDB's; request counts are exact.
"""

from __future__ import annotations

import compileall
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
from typing import TYPE_CHECKING, Any

from infra.config import RUNTIME_ENVIRONMENT
from services.platform.service import AUTHORIZER_HANDLER
from services.registry import SERVICES
from shared import aws

if TYPE_CHECKING:
    from local.gateway import LocalGateway
    from local.stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SAMPLES = int(os.environ.get("SIYU_BENCH_SAMPLES", "200"))
ONLY = os.environ.get("SIYU_BENCH_ONLY", "")  # "imports": the cold starts alone
IMPORT_ROUNDS = 9  # each figure is the best of these fresh interpreters, rounds interleaved (a 2-core machine jitters)
GOALS = {"cold_start_ratio": 1.5, "scan_flow_dynamodb_requests": 8, "scan_flow_p50_ms": 500}
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
        "goals": {
            "dynamodb_requests_per_flow": GOALS["scan_flow_dynamodb_requests"],
            "latency_ms_p50": GOALS["scan_flow_p50_ms"],
        },
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


def handler_modules() -> list[str]:
    """Every module Lambda imports as a handler: the services' APIs, consumers, schedules and
    outbox publishers, and the authorizer."""
    dotted = {
        handler
        for service in SERVICES
        for handler in (
            service.api_handler,
            service.publisher_handler,
            *(consumer.handler for consumer in service.consumers),
            *(schedule.handler for schedule in service.schedules),
        )
        if handler
    } | {AUTHORIZER_HANDLER}
    return sorted({handler.rsplit(".", 1)[0] for handler in dotted})


BASELINE = "import boto3 + DynamoDB client"
_CLIENT = "from shared import aws; aws.client('dynamodb')"


COMPILED = ("services", "shared")  # the code a deployed function ships as bytecode


def compile_bytecode() -> None:
    """Bring every ``.pyc`` of the deployed code up to date, once, before any round: the rounds then
    measure imports as a function that ships bytecode makes them, whatever the tree's state (edited
    files, a fresh checkout). The rounds themselves write no bytecode."""
    for folder in COMPILED:
        if not compileall.compile_dir(ROOT / folder, quiet=1):
            raise RuntimeError(f"{folder}/ does not compile")


def import_times(rounds: int = IMPORT_ROUNDS) -> dict[str, Any]:
    """Each handler module's cold start in a fresh interpreter (import, then the DynamoDB client),
    against ``import boto3`` and the same client, in interleaved rounds so that both meet the same
    machine load; the best of the rounds counts. Bytecode is compiled first (``compile_bytecode``)."""
    compile_bytecode()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        **RUNTIME_ENVIRONMENT,  # as deployed
    }
    script = (
        "import time; started = time.perf_counter(); {first}; imported = time.perf_counter(); {then}; "
        "print(imported - started, time.perf_counter() - started)"
    )
    statements = {BASELINE: ("import boto3", "boto3.client('dynamodb')")} | {
        module: (f"import {module}", _CLIENT) for module in handler_modules()
    }
    best: dict[str, tuple[float, float]] = {}
    failed: dict[str, str] = {}
    for _ in range(rounds):
        for name, (first, then) in statements.items():
            if name in failed:
                continue
            answer = subprocess.run(
                [sys.executable, "-c", script.format(first=first, then=then)],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                check=False,
            )
            if answer.returncode:  # reported, not fatal: the other modules are still worth measuring
                failed[name] = (answer.stderr.strip().splitlines() or ["exit status " + str(answer.returncode)])[-1]
                continue
            imported, ready = (float(value) * 1000 for value in answer.stdout.split())
            previous = best.get(name, (imported, ready))
            best[name] = (min(previous[0], imported), min(previous[1], ready))
    if BASELINE in failed:
        raise RuntimeError(f"{BASELINE} failed: {failed[BASELINE]}")
    baseline = best[BASELINE][1]
    rows: list[dict[str, Any]] = [
        {
            "module": module,
            "import_ms": round(imported, 1),
            "cold_start_ms": round(ready, 1),
            "ratio": round(ready / baseline, 2),
            "within_goal": ready / baseline <= GOALS["cold_start_ratio"],
        }
        for module, (imported, ready) in best.items()
        if module != BASELINE
    ]
    # A module that imported in some round is measured; only one that never did is reported broken.
    rows += [
        {"module": module, "error": error, "within_goal": False}
        for module, error in failed.items()
        if module not in best
    ]
    return {
        "baseline": BASELINE,
        "baseline_ms": round(baseline, 1),
        "rounds": rounds,
        "bytecode": f"{' and '.join(f'{folder}/' for folder in COMPILED)} compiled before the rounds",
        "goal_ratio": GOALS["cold_start_ratio"],
        "modules": sorted(rows, key=lambda row: str(row["module"])),
    }


def print_imports(imports: dict[str, Any]) -> None:
    goal = imports["goal_ratio"]
    print(
        f"\ncold start of each deployed handler module: a fresh interpreter imports it and creates the "
        f"DynamoDB client (best of {imports['rounds']}), against {imports['baseline']} in the same run; "
        f"bytecode present, as a deployed function ships it ({imports['bytecode']})"
    )
    print(f"{'module':48} {'import ms':>10} {'+ client ms':>12} {'ratio':>6}  goal <= {goal}x")
    print(f"{imports['baseline']:48} {'':>10} {imports['baseline_ms']:12.1f} {1:6.2f}")
    for row in imports["modules"]:
        if "error" in row:
            print(f"{row['module']:48} does not import: {row['error']}")
            continue
        figures = f"{row['import_ms']:10.1f} {row['cold_start_ms']:12.1f} {row['ratio']:6.2f}"
        print(f"{row['module']:48} {figures}  {'yes' if row['within_goal'] else 'NO'}")
    within = sum(row["within_goal"] for row in imports["modules"])
    print(f"  {within} of {len(imports['modules'])} modules within {goal}x")


def write(name: str, report: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path


def imports_only() -> None:
    imports = import_times()
    report = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "imports": imports}
    report["python"] = sys.version.split()[0]
    print_imports(imports)
    print(f"\nwritten to {write('imports.json', report)}")


def main() -> None:
    if ONLY == "imports":
        imports_only()
        return
    if ONLY:
        raise SystemExit(f"SIYU_BENCH_ONLY={ONLY!r}: the only partial run is 'imports'")
    from local.stack import LocalStack

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
        flow = scan_flow(stack, counter, gateway, admin, members=min(100, SAMPLES))
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
    path = write("latest.json", report)
    print_report(report)
    print(f"\nwritten to {path}")


def print_report(report: dict[str, Any]) -> None:
    flow = report["scan_flow"]
    goal_requests, goal_p50 = GOALS["scan_flow_dynamodb_requests"], GOALS["scan_flow_p50_ms"]
    print(f"\n{flow['operation']} ({flow['samples']} members, one after another)")
    print(
        f"  until the points show           p50 {flow['latency_ms_p50']} ms   p95 {flow['latency_ms_p95']} ms"
        f"   goal p50 <= {goal_p50} ms: {_verdict(flow['latency_ms_p50'] <= goal_p50)}"
    )
    print(
        f"  DynamoDB requests per flow      {flow['dynamodb_requests_per_flow']} on average, "
        f"{flow['dynamodb_requests_per_flow_max']} at most   goal <= {goal_requests}: "
        f"{_verdict(flow['dynamodb_requests_per_flow_max'] <= goal_requests)}"
    )
    print(
        f"  PutEvents calls per flow        {flow['put_events_calls_per_flow']} on average, "
        f"{flow['put_events_calls_per_flow_max']} at most"
    )
    for name, count in flow["requests_by_operation"].items():
        print(f"    {name:40} {count}")
    print(f"\n{'operation':34} {'p50 ms':>8} {'p95 ms':>8} {'DDB/req':>8} {'DDB/all':>8} {'PutEv':>6}")
    print("  (per operation; DDB/req: DynamoDB requests while answering; DDB/all: including the work it caused)")
    for row in report["operations"]:
        print(
            f"{row['operation']:34} {row['latency_ms_p50']:8.2f} {row['latency_ms_p95']:8.2f} "
            f"{row['dynamodb_requests_in_request']:8.2f} {row['dynamodb_requests_total']:8.2f} "
            f"{row['put_events_calls_total']:6.2f}"
        )
    throughput = report["points_throughput"]
    print("\nredemptions per second (4 threads, emulator serialises every request)")
    print(f"  on one account      {throughput['redemptions_per_second_one_account']}")
    print(f"  across accounts     {throughput['redemptions_per_second_across_accounts']}")
    print("\ncases created and assigned per second (4 threads, 5 agents, one write per intake)")
    print(f"  {report['cases_throughput']['cases_created_and_assigned_per_second']}")
    print_imports(report["imports"])


def _verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


if __name__ == "__main__":
    main()
