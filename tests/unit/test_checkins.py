"""Points policy and daily check-in: the tenant's local day, streak cycles, once a day under races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.stack import LocalStack
from services.points.logic import checkins
from shared.errors import Conflict
from tests.unit.conftest import Client

SHANGHAI = timedelta(hours=8)


def shanghai(text: str) -> datetime:
    """A Shanghai wall-clock time as the UTC instant it is."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - SHANGHAI


def test_the_policy_has_defaults_and_only_admins_change_it(client: Client, tenant: str) -> None:
    admin, manager = client.staff_token(tenant), client.staff_token(tenant, "m1", ("manager",))
    policy = client.get("/v1/points/policy", token=manager).json
    assert policy["time_zone"] == "Asia/Shanghai"
    assert policy["checkin_cycle"] == [5, 5, 10, 10, 15, 15, 30]
    changed = policy | {
        "time_zone": "Asia/Tokyo",
        "checkin_cycle": [1, 2, 3],
        "tiers": [{"name": "silver", "min_points": 0}, {"name": "gold", "min_points": 1000}],
    }
    assert client.put("/v1/points/policy", json_body=changed, token=manager).status == 403
    assert client.put("/v1/points/policy", json_body=changed, token=admin).status == 200
    assert client.get("/v1/points/policy", token=admin).json["checkin_cycle"] == [1, 2, 3]
    assert client.get("/v1/points/policy", token=client.staff_token(f"{tenant}-b")).json["checkin_cycle"] == [
        5,
        5,
        10,
        10,
        15,
        15,
        30,
    ]
    refused: list[dict[str, Any]] = [
        {"time_zone": "Mars/Olympus"},
        {"checkin_cycle": []},
        {"expiry": {"rule": "after_days"}},
        {"tiers": [{"name": "a", "min_points": 10}]},
        {"surprise": 1},
    ]
    for bad in refused:
        answer = client.put("/v1/points/policy", json_body=policy | bad, token=admin)
        assert answer.status == 422, bad
    assert client.get("/v1/points/policy", token=admin).json["checkin_cycle"] == [1, 2, 3]


def test_a_member_checks_in_once_a_day(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-checkin")
    first = client.post("/v1/me/checkins", token=member["token"])
    assert first.status == 201
    assert (first.json["day_of_streak"], first.json["points"], first.json["balance"]) == (1, 5, 5)
    again = client.post("/v1/me/checkins", token=member["token"])
    assert again.status == 409
    assert {k.lower(): v for k, v in again.headers.items()}["content-type"].startswith("application/problem+json")
    assert again.json["reason"] == "already_checked_in"  # the member app tells "done today" from a fault
    status = client.get("/v1/me/checkins", token=member["token"]).json
    assert (status["checked_in_today"], status["streak"], status["next_points"]) == (True, 1, 5)
    assert client.get("/v1/me/points", token=member["token"]).json["balance"] == 5
    entries = client.get("/v1/me/points/entries", token=member["token"]).json["items"]
    assert [(e["points"], e["reason"]) for e in entries] == [(5, "checkin")]
    assert client.post("/v1/me/checkins", token=client.staff_token(tenant)).status == 403


def test_two_simultaneous_check_ins_make_one(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-race")
    statuses: list[int] = []
    refusals: list[str] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        answer = client.post("/v1/me/checkins", token=member["token"])
        statuses.append(answer.status)
        if answer.status == 409:
            refusals.append(f"{answer.json['reason']}: {answer.json['detail']}")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert refusals == ["already_checked_in: Already checked in today."] * 3  # the reason, not "too busy"
    assert client.get("/v1/me/points", token=member["token"]).json["balance"] == 5


def test_the_day_is_the_tenants_local_day(stack: LocalStack, tenant: str) -> None:
    late = checkins.check_in(tenant, "c-late", shanghai("2026-03-01T23:59:00"))
    early = checkins.check_in(tenant, "c-late", shanghai("2026-03-02T00:01:00"))
    assert (late.date.isoformat(), early.date.isoformat()) == ("2026-03-01", "2026-03-02")
    assert (late.day_of_streak, early.day_of_streak) == (1, 2)

    checkins.check_in(tenant, "c-same", shanghai("2026-03-01T00:01:00"))
    with pytest.raises(Conflict):
        checkins.check_in(tenant, "c-same", shanghai("2026-03-01T23:59:00"))


def test_streaks_reset_after_a_missed_day_and_the_cycle_restarts(stack: LocalStack, tenant: str) -> None:
    start = shanghai("2026-04-01T09:00:00")
    days = [checkins.check_in(tenant, "c-cycle", start + timedelta(days=n)) for n in range(8)]
    assert [d.points for d in days] == [5, 5, 10, 10, 15, 15, 30, 5]
    assert [d.day_of_streak for d in days] == [1, 2, 3, 4, 5, 6, 7, 8]
    after_gap = checkins.check_in(tenant, "c-cycle", start + timedelta(days=9))
    assert (after_gap.day_of_streak, after_gap.points) == (1, 5)
    assert after_gap.balance == sum(d.points for d in days) + 5
    status = checkins.status(tenant, "c-cycle", start + timedelta(days=10))
    assert (status.checked_in_today, status.streak, status.next_points) == (False, 1, 5)
