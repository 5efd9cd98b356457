"""The local stack's test clock: ``/v1/dev/clock`` moves business time (``shared.clock``) forward,
never back; bad input changes nothing; a scheduled function can be run at once after a move."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local import dev_clock
from local.stack import LocalStack
from shared import clock
from shared.clock import now_epoch, now_rfc3339, parse_rfc3339, utc_now
from shared.settings import get_settings
from tests.unit.conftest import Client

DAY = 86400
_SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    """Every test starts and ends on real time: the offset belongs to the whole process."""
    dev_clock.reset()
    yield
    dev_clock.reset()


def business_now(client: Client) -> tuple[datetime, float]:
    answer = client.get("/v1/dev/clock")
    assert answer.status == 200, answer.body
    return parse_rfc3339(answer.json["now"]), float(answer.json["offset_seconds"])


def test_shared_clock_is_real_time_plus_the_offset() -> None:
    assert clock.offset_seconds() == 0
    assert abs(utc_now().timestamp() - time.time()) < 1
    clock.set_offset_seconds(30 * DAY)
    assert abs(now_epoch() - (time.time() + 30 * DAY)) < 1
    assert abs(utc_now().timestamp() - (time.time() + 30 * DAY)) < 1
    assert abs(parse_rfc3339(now_rfc3339()).timestamp() - (time.time() + 30 * DAY)) < 1
    assert utc_now().tzinfo is UTC


def test_get_answers_business_time_and_the_offset(client: Client) -> None:
    now, offset = business_now(client)
    assert offset == 0
    assert abs(now.timestamp() - time.time()) < 2


def test_advance_moves_business_time_forward_for_every_reader(client: Client) -> None:
    before = time.time()
    answer = client.post("/v1/dev/clock", json_body={"advance_seconds": 3 * DAY})
    assert answer.status == 200, answer.body
    assert answer.json["offset_seconds"] == pytest.approx(3 * DAY)
    # The answer is written to the millisecond: it may read up to 1 ms before the exact moment.
    assert parse_rfc3339(answer.json["now"]).timestamp() >= before + 3 * DAY - 0.001
    assert utc_now().timestamp() == pytest.approx(time.time() + 3 * DAY, abs=1)
    again = client.post("/v1/dev/clock", json_body={"advance_seconds": DAY})
    assert again.json["offset_seconds"] == pytest.approx(4 * DAY)
    assert business_now(client)[1] == pytest.approx(4 * DAY)


def test_set_moves_business_time_to_the_given_instant(client: Client) -> None:
    target = datetime.now(UTC).replace(microsecond=0) + timedelta(days=45)
    answer = client.post("/v1/dev/clock", json_body={"set": target.isoformat().replace("+00:00", "Z")})
    assert answer.status == 200, answer.body
    assert parse_rfc3339(answer.json["now"]) == pytest.approx(target, abs=timedelta(seconds=1))
    assert answer.json["offset_seconds"] == pytest.approx(45 * DAY, abs=2)
    # Another zone names the same instant.
    later = target + timedelta(hours=1)
    answer = client.post("/v1/dev/clock", json_body={"set": later.astimezone(_SHANGHAI).isoformat()})
    assert answer.status == 200, answer.body
    assert parse_rfc3339(answer.json["now"]) == pytest.approx(later, abs=timedelta(seconds=1))


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body"]),
        ({"advance_seconds": 60, "set": "2099-01-01T00:00:00Z"}, ["body", "advance_seconds"]),
        ({"advance_seconds": 0}, ["body", "advance_seconds"]),
        ({"advance_seconds": -60}, ["body", "advance_seconds"]),
        ({"advance_seconds": "60"}, ["body", "advance_seconds"]),  # strict: a string is not a number
        ({"advance_seconds": 1.5}, ["body", "advance_seconds"]),
        ({"advance_seconds": dev_clock.MAX_OFFSET_SECONDS + 1}, ["body", "advance_seconds"]),
        ({"set": "2020-01-01T00:00:00Z"}, ["body", "set"]),  # the past: never back
        ({"set": "2030-01-01T00:00:00"}, ["body", "set"]),  # no zone
        ({"set": "next tuesday"}, ["body", "set"]),
        ({"set": "9999-12-31T23:59:59Z"}, ["body", "set"]),  # beyond ten years ahead
        ({"rewind": True}, ["body", "rewind"]),
    ],
)
def test_bad_input_is_a_422_with_its_loc_and_changes_nothing(
    client: Client, body: dict[str, Any], loc: list[str]
) -> None:
    client.post("/v1/dev/clock", json_body={"advance_seconds": DAY})
    answer = client.post("/v1/dev/clock", json_body=body)
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert loc in [error["loc"] for error in answer.json["errors"]], answer.json
    assert clock.offset_seconds() == pytest.approx(DAY)


def test_the_clock_never_goes_back_even_to_a_time_between_real_and_business_time(client: Client) -> None:
    client.post("/v1/dev/clock", json_body={"advance_seconds": 10 * DAY})
    halfway = datetime.now(UTC) + timedelta(days=5)
    answer = client.post("/v1/dev/clock", json_body={"set": halfway.isoformat()})
    assert answer.status == 422
    assert clock.offset_seconds() == pytest.approx(10 * DAY)


def test_advances_add_up_to_ten_years_at_most(client: Client) -> None:
    step = dev_clock.MAX_OFFSET_SECONDS // 2
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": step}).status == 200
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": step}).status == 200
    refused = client.post("/v1/dev/clock", json_body={"advance_seconds": 2})
    assert refused.status == 422
    assert refused.json["errors"][0]["loc"] == ["body", "advance_seconds"]
    assert clock.offset_seconds() == pytest.approx(2 * step)


def test_the_clock_needs_no_token_as_the_dev_token_route(client: Client) -> None:
    """Public like POST /v1/auth/dev-token (which hands out any role locally); a token changes nothing."""
    token = client.staff_token("t-clock", roles=("agent",))
    assert client.get("/v1/dev/clock", token=token).status == 200
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": 60}, token=token).status == 200


def test_outside_the_local_stack_the_route_answers_404(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second lock, should the module ever be served elsewhere (the module's settings only:
    the stack's pumps keep running on theirs)."""
    deployed = dataclasses.replace(get_settings(), stage="prod")
    monkeypatch.setattr(dev_clock, "get_settings", lambda: deployed)
    assert client.get("/v1/dev/clock").status == 404
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": 60}).status == 404
    assert client.post("/v1/dev/schedules/points-sweep/runs").status == 404
    assert clock.offset_seconds() == 0


def test_a_tenant_sweep_after_a_move_expires_what_is_due_at_the_moved_time(client: Client, tenant: str) -> None:
    """Moving the clock runs nothing; the tenant's sweep route, run after it, reads the moved time."""
    admin = client.staff_token(tenant)
    policy = {"expiry": {"rule": "after_days", "days": 30}, "tiers": [{"name": "member", "min_points": 0}]}
    assert client.put("/v1/points/policy", json_body=policy, token=admin).status == 200
    contact = client.member_login(tenant, "dev:o-clock")["contact_id"]
    awarded = client.post(
        f"/v1/contacts/{contact}/points/adjustments", json_body={"points": 100, "reason": "clock"}, token=admin
    )
    assert awarded.status == 201, awarded.body

    def balance() -> int:
        return int(client.get(f"/v1/contacts/{contact}/points", token=admin).json["balance"])

    assert client.post("/v1/points/sweeps", token=admin).json["points_expired"] == 0
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": 29 * DAY}).status == 200
    assert balance() == 100  # moving the clock expired nothing by itself
    assert client.post("/v1/points/sweeps", token=admin).json["points_expired"] == 0
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": 2 * DAY}).status == 200
    assert client.post("/v1/points/sweeps", token=admin).json["points_expired"] == 100
    assert balance() == 0


def test_a_scheduled_function_runs_at_once_and_sees_the_moved_clock(
    client: Client, stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route and ``LocalStack.run_schedule`` run the declared handler with the scheduler's
    event (stubbed here: the real sweeps would sweep every tenant of this test process)."""
    from services.points.handlers import sweep as points_sweep

    seen: list[tuple[dict[str, Any], float]] = []

    def stub(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append((event, now_epoch()))
        return {"accounts": 0, "function": context.function_name}

    monkeypatch.setattr(points_sweep, "handler", stub)
    assert client.post("/v1/dev/clock", json_body={"advance_seconds": 7 * DAY}).status == 200
    ran = client.post("/v1/dev/schedules/points-sweep/runs")
    assert ran.status == 200, ran.body
    assert ran.json == {"schedule": "points-sweep", "result": {"accounts": 0, "function": "points-sweep"}}
    assert stack.run_schedule("points-sweep") == {"accounts": 0, "function": "points-sweep"}
    assert [event for event, _ in seen] == [{"source": "aws.scheduler", "detail-type": "Scheduled Event"}] * 2
    assert all(moment == pytest.approx(time.time() + 7 * DAY, abs=5) for _, moment in seen)


def test_an_unknown_schedule_is_a_404_and_a_bad_name_a_422(client: Client) -> None:
    assert client.post("/v1/dev/schedules/no-such-schedule/runs").status == 404
    assert client.post("/v1/dev/schedules/NOT_A_NAME/runs").status == 422
