"""``python -m bench.stack``: what the local stack costs to keep running, as ``make run`` starts it.

Starts ``python -m local`` as a subprocess on free ports and measures, from the outside:

- idle CPU (% of one core, from ``/proc/<pid>/stat`` utime + stime) over ``SIYU_BENCH_IDLE_MINUTES``
  (default 5) with no requests, and RSS each minute of it: RSS after 5 minutes against RSS at the
  end shows whether idling leaks (run with 60 for the hour-long figure);
- RSS before and after ``SIYU_BENCH_CREATES`` (default 1,000) contact creates over HTTP, and the
  mean latency of the first 200 against the last 200 (a cost that grows with the number of writes
  shows up as a slower tail);
- the time from SIGINT (Ctrl-C) to the process's exit.

Figures, not assertions; results go to ``bench/results/stack.json``.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
IDLE_MINUTES = float(os.environ.get("SIYU_BENCH_IDLE_MINUTES", "5"))
CREATES = int(os.environ.get("SIYU_BENCH_CREATES", "1000"))
COMPARED = 200  # the first and the last this many creates are compared
STARTUP_SECONDS = 60
# Start-up work (first polls, imports on first use) is not idling; let it finish before measuring.
SETTLE_SECONDS = 10
# The stack's consumers keep working for a moment after the last create; RSS is read after that.
AFTERMATH_SECONDS = 15
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    # Fields after the command name (which may contain spaces) start at field 3: utime is 14, stime 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return resident_pages * PAGE_BYTES / 1024 / 1024


class Api:
    def __init__(self, port: int) -> None:
        self.port = port
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self._connection.request(method, path, payload, headers)
            answer = self._connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self._connection.close()  # a dropped keep-alive connection: reconnect once
            self._connection.request(method, path, payload, headers)
            answer = self._connection.getresponse()
        content = answer.read()
        return answer.status, json.loads(content) if content else None


def _start(log: Path) -> tuple[subprocess.Popen[bytes], Api]:
    port = _free_port()
    env = {
        **os.environ,
        "SIYU_PORT": str(port),
        "SIYU_EMULATOR_PORT": str(_free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if Api(port).call("GET", "/v1/health")[0] == 200:
                return process, Api(port)
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the local stack did not become healthy:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def measure_idle(pid: int, minutes: float) -> dict[str, Any]:
    time.sleep(SETTLE_SECONDS)
    began, cpu_began = time.monotonic(), cpu_seconds(pid)
    rss_by_minute = [round(rss_mb(pid), 1)]
    print(f"idling {minutes:g} min: RSS {rss_by_minute[0]:.1f} MB at start", flush=True)
    for minute in range(1, int(minutes) + 1):
        time.sleep(max(0.0, began + minute * 60 - time.monotonic()))
        rss_by_minute.append(round(rss_mb(pid), 1))
        print(f"  {minute:3d} min: RSS {rss_by_minute[-1]:.1f} MB", flush=True)
    time.sleep(max(0.0, began + minutes * 60 - time.monotonic()))
    elapsed, cpu = time.monotonic() - began, cpu_seconds(pid) - cpu_began
    at_end = round(rss_mb(pid), 1)
    at_five = rss_by_minute[5] if len(rss_by_minute) > 5 else None
    return {
        "minutes": minutes,
        "cpu_percent_of_one_core": round(100 * cpu / elapsed, 2),
        "rss_mb_by_minute": rss_by_minute,
        "rss_mb_after_5_minutes": at_five,
        "rss_mb_at_end": at_end,
        "rss_growth_after_5_minutes_percent": round(100 * (at_end - at_five) / at_five, 1) if at_five else None,
    }


def measure_creates(pid: int, api: Api, count: int) -> dict[str, Any]:
    status, body = api.call("POST", "/v1/auth/dev-token", {"tenant_id": "bench", "staff_id": "s1", "roles": ["admin"]})
    assert status == 200, body
    token = str(body["token"])
    rss_before = rss_mb(pid)
    latencies: list[float] = []
    failures = 0
    for index in range(count):
        contact = {"name": f"顾客{index}", "phone": f"139{index:08d}", "tags": ["bench"], "owner": "s1"}
        begun = time.perf_counter()
        status, _ = api.call("POST", "/v1/contacts", contact, token)
        latencies.append(time.perf_counter() - begun)
        failures += status != 201
        if (index + 1) % 200 == 0:
            window = latencies[-200:]
            print(
                f"  {index + 1:5d} creates: mean {statistics.fmean(window) * 1000:.1f} ms, RSS {rss_mb(pid):.1f} MB",
                flush=True,
            )
    rss_after = rss_mb(pid)
    time.sleep(AFTERMATH_SECONDS)
    rss_settled = rss_mb(pid)
    compared = min(COMPARED, count)
    return {
        "creates": count,
        "failed": failures,
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1),
        "rss_mb_after_events_settled": round(rss_settled, 1),
        "rss_mb_added": round(rss_settled - rss_before, 1),
        f"mean_ms_first_{compared}": round(statistics.fmean(latencies[:compared]) * 1000, 2),
        f"mean_ms_last_{compared}": round(statistics.fmean(latencies[-compared:]) * 1000, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
    }


def measure_stop(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    process.send_signal(signal.SIGINT)
    begun = time.monotonic()
    try:
        code = process.wait(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    return {"signal": "SIGINT", "seconds_to_exit": round(time.monotonic() - begun, 2), "exit_code": code}


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = Path(tempfile.mkdtemp(prefix="siyu-bench-stack-")) / "stack.log"
    process, api = _start(log)
    try:
        results: dict[str, Any] = {"idle": measure_idle(process.pid, IDLE_MINUTES)}
        print(json.dumps(results["idle"], ensure_ascii=False), flush=True)
        print(f"{CREATES} contact creates:", flush=True)
        results["creates"] = measure_creates(process.pid, api, CREATES)
        print(json.dumps(results["creates"], ensure_ascii=False), flush=True)
        results["stop"] = measure_stop(process)
    finally:
        if process.poll() is None:
            process.kill()
    results["log"] = str(log)
    print(json.dumps(results["stop"]), flush=True)
    (RESULTS / "stack.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS / 'stack.json'}")


if __name__ == "__main__":
    main()
