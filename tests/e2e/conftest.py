"""End-to-end: the local stack as ``make run`` starts it (a subprocess on free ports), driven over
HTTP the way the mini-program and the staff console drive it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


@dataclass
class Http:
    base: str
    emulator: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, content = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            return status, content

    def staff_token(self, tenant: str, staff: str = "s1", roles: tuple[str, ...] = ("admin",)) -> str:
        status, body = self.call(
            "POST", "/v1/auth/dev-token", {"tenant_id": tenant, "staff_id": staff, "roles": list(roles)}
        )
        assert status == 200, body
        return str(body["token"])


def emulator_client(http: Http, name: str) -> Any:
    """A boto3 client on the stack's emulator, to look behind the API (queues, tables, the bus)."""
    return boto3.client(  # type: ignore[call-overload]
        name,
        endpoint_url=http.emulator,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("the event-driven side did not settle in time")


@contextmanager
def running_stack(log_dir: Path, command: list[str]) -> Iterator[Http]:
    """The local stack started by ``command`` (``python -m local`` or a variant) on free ports;
    stopped with Ctrl-C at the end, which must end it cleanly (exit 0)."""
    port, emulator_port = free_port(), free_port()
    log = log_dir / "stack.log"
    env = {
        **os.environ,
        "SIYU_PORT": str(port),
        "SIYU_EMULATOR_PORT": str(emulator_port),
        "PYTHONUNBUFFERED": "1",
    }
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    http = Http(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{emulator_port}")
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if http.call("GET", "/v1/health")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local stack did not become healthy:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    try:
        yield http
    finally:  # a failed test stops its stack too
        process.send_signal(signal.SIGINT)  # Ctrl-C: the stack stops cleanly and exits 0
        stopping = time.monotonic()
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"the local stack did not stop on Ctrl-C:\n{log.read_text()[-6000:]}")
    assert code == 0, log.read_text()[-3000:]
    print(f"\nlocal stack stopped in {time.monotonic() - stopping:.1f}s")


@pytest.fixture(scope="module")  # each e2e module gets a fresh stack, stopped as soon as it is done
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Http]:
    with running_stack(tmp_path_factory.mktemp("stack"), [sys.executable, "-m", "local"]) as http:
        yield http
