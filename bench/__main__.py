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
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.registry import SERVICES
from shared import aws
from shared.local.gateway import LocalGateway
from shared.local.stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SAMPLES = 200
SETTLE_SECONDS = 15


class RequestCounter:
    """AWS requests by operation: all of them, and those made by the thread answering requests
    (the pumps' publishers and consumers run on threads of their own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.answering: Counter[str] = Counter()
        self.answering_thread = threading.get_ident()

    def __call__(self, service: str, operation: str) -> None:
        with self._lock:
            self.calls[f"{service}.{operation}"] += 1
            if threading.get_ident() == self.answering_thread:
                self.answering[f"{service}.{operation}"] += 1

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


def settle(stack: LocalStack, counter: RequestCounter) -> None:
    """Wait until the pumps have drained everything (no AWS writes for a moment)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    last = counter.snapshot()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = counter.snapshot()
        writes = [k for k in now - last if "Transact" in k or "PutEvents" in k or "Put" in k or "Update" in k]
        if not writes:
            return
        last = now


def measure(stack: LocalStack, counter: RequestCounter, name: str, operation: Callable[[int], None]) -> dict[str, Any]:
    """Run an operation SAMPLES times: its latency, and the requests it caused, per operation."""
    polling = {"dynamodbstreams.GetRecords", "dynamodbstreams.GetShardIterator", "sqs.ReceiveMessage"}
    before, answering_before = counter.snapshot(), counter.answering_snapshot()
    latencies = []
    for index in range(SAMPLES):
        started = time.perf_counter()
        operation(index)
        latencies.append((time.perf_counter() - started) * 1000)
    synchronous = counter.answering_snapshot() - answering_before
    settle(stack, counter)
    total = Counter({k: v for k, v in (counter.snapshot() - before).items() if k not in polling})
    return {
        "operation": name,
        "samples": SAMPLES,
        "latency_ms_p50": round(statistics.median(latencies), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "dynamodb_requests_in_request": round(RequestCounter.dynamodb(synchronous) / SAMPLES, 2),
        "dynamodb_requests_total": round(RequestCounter.dynamodb(total) / SAMPLES, 2),
        "put_events_calls_total": round(RequestCounter.put_events(total) / SAMPLES, 2),
        "requests_by_operation": {k: round(v / SAMPLES, 2) for k, v in sorted(total.items())},
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
    stack = LocalStack(SERVICES).start()
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
    finally:
        stack.stop()
    imports = import_times()
    report = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "operations": results,
        "imports": imports,
        "python": sys.version.split()[0],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)


def print_report(report: dict[str, Any]) -> None:
    print(f"\n{'operation':34} {'p50 ms':>8} {'p95 ms':>8} {'DDB/req':>8} {'DDB/all':>8} {'PutEv':>6}")
    for row in report["operations"]:
        print(
            f"{row['operation']:34} {row['latency_ms_p50']:8.2f} {row['latency_ms_p95']:8.2f} "
            f"{row['dynamodb_requests_in_request']:8.2f} {row['dynamodb_requests_total']:8.2f} "
            f"{row['put_events_calls_total']:6.2f}"
        )
    print("  DDB/req: DynamoDB requests made while answering; DDB/all: including the event-driven work it caused")
    print(f"\n{'handler module (fresh interpreter)':50} {'import ms':>10}")
    for row in report["imports"]:
        print(f"{row['module']:50} {row['import_ms']:10.1f}")
    print(f"\nwritten to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
