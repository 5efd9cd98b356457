"""``python -m bench.wecom`` (part of ``make bench``): the WeCom connector's figures.

- callbacks verified, decrypted and queued per second at the door (the HTTP answer WeCom waits
  for), and processed per second end to end (relationship written, welcome sent);
- the DynamoDB requests one add causes: at the door, in wecom's consumers, and in every service
  the add reaches (contacts resolves the customer, campaigns records the scan, points awards);
- callback-in to welcome-sent latency, p50 / p95 (goal: p95 <= 2 s; WeCom allows 20 s).

Writes ``bench/results/wecom.json``. The emulator is moto in-process and WeCom is the local
fake: latencies are the code path's plus the emulator's; request counts are exact.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from typing import Any

from bench.__main__ import RequestCounter, call, percentile, settle, write
from services.registry import SERVICES
from shared import aws

SAMPLES = int(os.environ.get("SIYU_BENCH_WECOM_SAMPLES", "30"))
GOALS = {"callback_to_welcome_p95_s": 2.0}
FAKE = "/v1/dev/wecom"
TOKEN = "BenchToken"  # noqa: S105 - the bench corp's callback token
AES_KEY = "B" * 43


def _ready(gateway: Any, tenant: str, corp: str) -> str:
    dev = {"tenant_id": tenant, "staff_id": "a1", "roles": ["admin"]}
    admin = str(call(gateway, "POST", "/v1/auth/dev-token", dev)["token"])
    settings = {
        "corp_id": corp,
        "agent_id": 1000002,
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "secrets": {"contact": "bench-contact", "agent": "bench-agent"},
    }
    _put(gateway, "/v1/wecom/settings", settings, admin)
    _put(gateway, "/v1/wecom/welcome-messages", {"scope": "tenant", "message": {"text": "你好 {name}"}}, admin)
    call(gateway, "POST", f"{FAKE}/staff", {"corp_id": corp, "userid": "guide1", "name": "导购一"})
    return admin


def _put(gateway: Any, path: str, body: dict[str, Any], token: str) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    answer = gateway.handle("PUT", path, headers, json.dumps(body).encode())
    if answer.status >= 400:
        raise RuntimeError(f"PUT {path} -> {answer.status}: {answer.body[:300]!r}")


def _welcomes(gateway: Any, corp: str) -> int:
    path = f"{FAKE}/calls?corp_id={corp}&path=/cgi-bin/externalcontact/send_welcome_msg"
    answer = gateway.handle("GET", path, {}, b"")
    return len(json.loads(answer.body)["calls"])


def _calls(gateway: Any, corp: str) -> int:
    """What Siyu asked the (fake) WeCom for this corp, every path included (tokens too)."""
    answer = gateway.handle("GET", f"{FAKE}/calls?corp_id={corp}", {}, b"")
    return len(json.loads(answer.body)["calls"])


def _add(gateway: Any, tenant: str, corp: str) -> str:
    external_userid = f"wm{uuid.uuid4().hex[:20]}"
    call(gateway, "POST", f"{FAKE}/customers", {"corp_id": corp, "external_userid": external_userid, "name": "客户"})
    body = {"tenant_id": tenant, "action": "add", "userid": "guide1", "external_userid": external_userid}
    answer = call(gateway, "POST", f"{FAKE}/relationships", body)
    if answer["status"] != 200:
        raise RuntimeError(f"callback answered {answer}")
    return external_userid


def _wait(check: Any, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("not reached in time")
        time.sleep(0.005)
    return time.perf_counter() - started


def welcome_latency(gateway: Any) -> dict[str, Any]:
    """Each add alone: from the callback's POST to the welcome WeCom receives."""
    tenant, corp = f"bw-{uuid.uuid4().hex[:8]}", f"wwbench{uuid.uuid4().hex[:8]}"
    _ready(gateway, tenant, corp)
    latencies = []
    for index in range(SAMPLES):
        started = time.perf_counter()
        _add(gateway, tenant, corp)
        _wait(lambda expected=index + 1: _welcomes(gateway, corp) >= expected)
        latencies.append(time.perf_counter() - started)
    p95 = percentile(latencies, 0.95)
    return {
        "samples": SAMPLES,
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(p95, 3),
        "goal_p95_s": GOALS["callback_to_welcome_p95_s"],
        "met": p95 <= GOALS["callback_to_welcome_p95_s"],
    }


def throughput(gateway: Any, total: int = 200) -> dict[str, Any]:
    """``total`` signed, encrypted adds built first, then posted back to back: the door's rate
    (verify, decrypt, dedupe, queue: what WeCom waits for), then the rate to the last welcome.
    The door shares the process with every consumer, as the local stack runs them."""
    from local.fake_wecom import FAKE as fake
    from local.fake_wecom import deliver
    from services.wecom.dal.settings import credentials

    tenant, corp = f"bt-{uuid.uuid4().hex[:8]}", f"wwbench{uuid.uuid4().hex[:8]}"
    _ready(gateway, tenant, corp)
    found = credentials(tenant)
    assert found is not None
    signed = []
    for _ in range(total):
        external_userid = f"wm{uuid.uuid4().hex[:20]}"
        fake.script_customer(corp, external_userid, "客户")
        fields = fake.customer_adds(corp, "guide1", external_userid)
        signed.append(fake.callback(tenant, corp, found.token, found.encoding_aes_key, fields))
    door: list[float] = []
    started = time.perf_counter()
    for query, body in signed:
        posted = time.perf_counter()
        status, text = deliver(tenant, query, body)
        door.append(time.perf_counter() - posted)
        if (status, text) != (200, "success"):
            raise RuntimeError(f"callback answered {status} {text}")
    _wait(lambda: _welcomes(gateway, corp) >= total, timeout=300)
    processed = time.perf_counter() - started
    return {
        "callbacks": total,
        "door_per_second": round(total / sum(door), 1),
        "door_p95_ms": round(percentile(door, 0.95) * 1000, 1),
        "processed_per_second": round(total / processed, 1),
    }


def requests_per_add(stack: Any, counter: RequestCounter, gateway: Any) -> dict[str, Any]:
    """DynamoDB requests one add causes, by operation, across every service it reaches."""
    tenant, corp = f"br-{uuid.uuid4().hex[:8]}", f"wwbench{uuid.uuid4().hex[:8]}"
    _ready(gateway, tenant, corp)
    settle(stack, counter)
    samples = 10
    before = counter.snapshot()
    for index in range(samples):
        _add(gateway, tenant, corp)
        _wait(lambda expected=index + 1: _welcomes(gateway, corp) >= expected)
    settle(stack, counter)
    spent = counter.snapshot() - before
    by_service: dict[str, float] = {}
    for name, count in spent.items():
        if name.startswith("dynamodb."):
            by_service[name] = round(count / samples, 2)
    return {
        "samples": samples,
        "dynamodb_requests_per_add": round(RequestCounter.dynamodb(spent) / samples, 2),
        "by_operation": dict(sorted(by_service.items())),
        "wecom_api_calls_per_add": round(_calls(gateway, corp) / samples, 2),
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
            "callback_to_welcome": welcome_latency(gateway),
            "throughput": throughput(gateway),
            "requests_per_add": requests_per_add(stack, counter, gateway),
        }
    finally:
        stack.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {write('wecom.json', report)}")


if __name__ == "__main__":
    main()
