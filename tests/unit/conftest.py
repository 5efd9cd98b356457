"""The local stack in-process (emulator, resources, gateway, pumps) for fast, realistic tests.

Tests talk to it as API Gateway would, through ``LocalGateway.handle``; each test uses its own
tenant, so tests never see each other's data.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from local.pumps import StreamPump
from local.stack import LocalStack
from services.registry import SERVICES
from shared import aws


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Client:
    def __init__(self, stack: LocalStack) -> None:
        assert stack.gateway is not None
        self.gateway = stack.gateway

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw: bytes | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        body = raw if raw is not None else (json.dumps(json_body).encode() if json_body is not None else b"")
        if body:
            sent.setdefault("Content-Type", "application/json")
        answer = self.gateway.handle(method, path, sent, body)
        return Answer(answer.status, answer.headers, answer.body)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Answer:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Answer:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Answer:
        return self.request("DELETE", path, **kwargs)

    def staff_token(self, tenant: str, staff: str = "s1", roles: tuple[str, ...] = ("admin",)) -> str:
        answer = self.post(
            "/v1/auth/dev-token", json_body={"tenant_id": tenant, "staff_id": staff, "roles": list(roles)}
        )
        assert answer.status == 200, answer.body
        return str(answer.json["token"])

    def member_login(self, tenant: str, code: str, app_id: str = "wx-app") -> dict[str, Any]:
        answer = self.post("/v1/auth/wechat", json_body={"tenant_id": tenant, "app_id": app_id, "code": code})
        assert answer.status == 200, answer.body
        return dict(answer.json)


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    # No timers: a scheduled run (the nightly RFM scan, the sweeps) would act on every test's
    # tenants at a moment no test chose; tests run schedules themselves.
    running = LocalStack(SERVICES, schedule_seconds=10**9).start()
    yield running
    running.stop()


@pytest.fixture
def client(stack: LocalStack) -> Client:
    return Client(stack)


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def eventually(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Wait for the event-driven side of the stack to settle; return check()'s first truthy value.
    The timeout is generous because a check that holds returns at once: only a failure waits it
    out, and two workers' stacks on two busy cores can take seconds for a chain of consumers."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def stream_records_after_checkpoint(pump: StreamPump, limit: int | None = None) -> list[dict[str, Any]]:
    """The stream records the pump has not yet taken (at most ``limit``), read without moving it."""
    streams = aws.client("dynamodbstreams")
    position: dict[str, Any] = (
        {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": pump.checkpoint}
        if pump.checkpoint
        else {"ShardIteratorType": "TRIM_HORIZON"}
    )
    iterator = streams.get_shard_iterator(StreamArn=pump.stream_arn, ShardId=pump.shard_id, **position)["ShardIterator"]
    return list(streams.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))["Records"])
