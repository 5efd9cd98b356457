"""``/v1/dev/clock``: the local stack's test clock, and ``POST /v1/dev/schedules/{name}/runs``.

Business time (``shared.clock``) is the real time plus an offset; only this module moves the
offset, and only forward. Tests and the console use it to reach due dates, expiries, SLA
breaches, decay and (later) journey waits without waiting for them.

Like the dev-token route (``local/dev_tokens.py``) it is public, answers 404 outside the local
stack, and lives in ``local/``, which the deployed code asset leaves out. Unlike it, it is not
declared on a deployed service's manifest but on a service of its own, ``DEV_SERVICE``, that only
``LocalStack`` serves: it is in nothing built from ``services.registry.SERVICES`` (the CDK app,
the OpenAPI document the frontends are typed from, the fuzzing and route-safety suites, which
would otherwise move time under every later test of their process).

Moving the clock runs nothing by itself: the scheduled functions see the new time on their next
run (every ``SIYU_LOCAL_SCHEDULE_SECONDS``, 60 s by default), or at once through
``POST /v1/dev/schedules/{name}/runs`` (or ``LocalStack.run_schedule(name)`` in process); a
tenant's own sweep routes (``POST /v1/points/sweeps``) read the moved clock too.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared import clock
from shared.errors import NotFound, Unprocessable
from shared.http import ServiceApi
from shared.manifest import Route, Service, resolve_handler
from shared.settings import get_settings

CLOCK_PATH = "/v1/dev/clock"
SCHEDULE_RUNS_PATH = "/v1/dev/schedules/{name}/runs"
MAX_OFFSET_SECONDS = 10 * 366 * 86400
"""How far ahead of real time the clock may run: ten years (dates stay far from datetime's limits)."""

DEV_SERVICE = Service(
    name="dev",
    api_handler="local.dev_clock.handler",
    routes=(
        Route("GET", CLOCK_PATH, "public", local_only=True),
        Route("POST", CLOCK_PATH, "public", local_only=True),
        Route("POST", SCHEDULE_RUNS_PATH, "public", local_only=True),
    ),
)
LOCAL_SERVICES = (DEV_SERVICE,)
"""Services only the local stack serves (``LocalStack`` adds them to its gateway)."""

api = ServiceApi(DEV_SERVICE)
_moving = threading.Lock()  # a move reads then writes the offset: two at once must not interleave

ScheduleName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]


class ClockState(BaseModel):
    now: str = Field(description="Business time, RFC 3339 UTC.")
    offset_seconds: float = Field(description="How far business time is ahead of real time.")


class ClockMove(BaseModel):
    """Exactly one of ``advance_seconds`` and ``set``; the clock never goes back."""

    model_config = ConfigDict(extra="forbid")

    advance_seconds: int | None = Field(default=None, ge=1, le=MAX_OFFSET_SECONDS)
    set_to: AwareDatetime | None = Field(default=None, alias="set")


class ScheduleRun(BaseModel):
    schedule: str
    result: dict[str, Any]


def _local_only() -> None:
    if not get_settings().is_local:  # a second lock, should this module ever be imported elsewhere
        raise NotFound("No such route.")


def state() -> ClockState:
    return ClockState(now=clock.now_rfc3339(), offset_seconds=clock.offset_seconds())


def advance(seconds: float) -> ClockState:
    """Move business time forward by ``seconds`` (in-process tests may call this directly)."""
    with _moving:
        return _move_to(clock.offset_seconds() + seconds, ["body", "advance_seconds"])


def set_to(moment: datetime) -> ClockState:
    """Move business time forward to ``moment``; one already passed is refused."""
    with _moving:
        if moment < clock.utc_now():
            raise Unprocessable(
                "The test clock never goes back: set a time after the current business time.",
                [{"loc": ["body", "set"], "msg": f"before the current business time {clock.now_rfc3339()}"}],
            )
        return _move_to(moment.timestamp() - time.time(), ["body", "set"])


def reset() -> None:
    """Back to real time: for an in-process test's teardown only (the route never goes back)."""
    with _moving:
        clock.set_offset_seconds(0.0)


def _move_to(offset: float, loc: list[str]) -> ClockState:
    if offset > MAX_OFFSET_SECONDS:
        raise Unprocessable(
            f"The test clock runs at most {MAX_OFFSET_SECONDS} seconds ahead of real time.",
            [{"loc": loc, "msg": f"would be {offset:.0f} seconds ahead"}],
        )
    clock.set_offset_seconds(max(offset, clock.offset_seconds()))  # never back, not even by rounding
    return state()


@api.route(f"GET {CLOCK_PATH}", errors=(404,))
def read_clock() -> ClockState:
    """Local stack only: the business time and how far it is ahead of real time."""
    _local_only()
    return state()


@api.route(f"POST {CLOCK_PATH}", errors=(404,))
def move_clock(body: ClockMove) -> ClockState:
    """Local stack only: move business time forward (``advance_seconds`` or ``set``, never back)."""
    _local_only()
    given = [
        name for name, value in (("advance_seconds", body.advance_seconds), ("set", body.set_to)) if value is not None
    ]
    if len(given) != 1:
        raise Unprocessable(
            "Give exactly one of advance_seconds and set.",
            [{"loc": ["body", name], "msg": "exactly one of advance_seconds and set"} for name in given]
            or [{"loc": ["body"], "msg": "exactly one of advance_seconds and set"}],
        )
    if body.set_to is not None:
        return set_to(body.set_to)
    assert body.advance_seconds is not None
    return advance(body.advance_seconds)


@api.route(f"POST {SCHEDULE_RUNS_PATH}", errors=(404,))
def run_schedule(name: ScheduleName) -> ScheduleRun:
    """Local stack only: run a scheduled function once, now (after moving the clock)."""
    _local_only()
    return ScheduleRun(schedule=name, result=run_scheduled(name))


def run_scheduled(name: str) -> dict[str, Any]:
    """Run the scheduled function ``name`` once, with the event EventBridge Scheduler sends."""
    from local.gateway import LocalContext
    from services.registry import SERVICES

    found = next((s for service in SERVICES for s in service.schedules if s.name == name), None)
    if found is None:
        raise NotFound(f"No schedule named {name}.")
    answer = resolve_handler(found.handler)(
        {"source": "aws.scheduler", "detail-type": "Scheduled Event"}, LocalContext(found.name)
    )
    return dict(answer) if isinstance(answer, dict) else {}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
