"""The points ledger under concurrency, end to end on the local stack over HTTP."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Http, emulator_client, wait_for

pytestmark = pytest.mark.e2e


def at_once(calls: list[Callable[[], int]]) -> list[int]:
    """Run the calls in threads released together; their HTTP statuses, sorted."""
    gate = threading.Barrier(len(calls))
    statuses: list[int] = []

    def run(call: Callable[[], int]) -> None:
        gate.wait()
        statuses.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


class Shop:
    def __init__(self, http: Http) -> None:
        self.http = http
        self.tenant = f"e2e-{uuid.uuid4().hex[:8]}"
        self.admin = http.staff_token(self.tenant)

    def member(self, name: str, points: int = 0) -> dict[str, Any]:
        status, body = self.http.call(
            "POST", "/v1/auth/wechat", {"tenant_id": self.tenant, "app_id": "wx-e2e", "code": f"dev:{name}"}
        )
        assert status == 200, body
        if points:
            path = f"/v1/contacts/{body['contact_id']}/points/adjustments"
            # At once: a contact created moments ago is adjustable before points hears of it.
            status, grant = self.http.call("POST", path, {"points": points, "reason": "welcome"}, self.admin)
            assert status == 201, grant
        return dict(body)

    def reward(self, **fields: Any) -> str:
        status, body = self.http.call("POST", "/v1/rewards", {"name": "Mug", "cost": 30} | fields, self.admin)
        assert status == 201, body
        return str(body["reward_id"])

    def redeem(self, member: dict[str, Any], reward_id: str) -> int:
        return self.http.call("POST", "/v1/me/redemptions", {"reward_id": reward_id}, member["token"])[0]

    def balance(self, member: dict[str, Any]) -> int:
        return int(self.http.call("GET", "/v1/me/points", token=member["token"])[1]["balance"])


def test_ten_redemptions_at_once_with_a_balance_for_three(local_stack: Http) -> None:
    shop = Shop(local_stack)
    member = shop.member("saver", points=100)
    reward_id = shop.reward(cost=30)
    statuses = at_once([lambda: shop.redeem(member, reward_id) for _ in range(10)])
    assert statuses == [201] * 3 + [409] * 7
    assert shop.balance(member) == 10
    mine = local_stack.call("GET", "/v1/me/redemptions", token=member["token"])[1]["items"]
    assert len(mine) == 3


def test_twenty_members_at_once_for_a_stock_of_five(local_stack: Http) -> None:
    shop = Shop(local_stack)
    members = [shop.member(f"fan-{index}", points=50) for index in range(20)]
    reward_id = shop.reward(cost=10, stock=5)
    statuses = at_once([lambda m=m: shop.redeem(m, reward_id) for m in members])  # type: ignore[misc]
    assert statuses == [201] * 5 + [409] * 15
    catalog = local_stack.call("GET", "/v1/rewards", token=shop.admin)[1]["items"]
    assert [(r["stock"], r["redeemed"]) for r in catalog] == [(0, 5)]
    assert sorted(shop.balance(m) for m in members) == [40] * 5 + [50] * 15


def test_two_check_ins_at_once_count_once(local_stack: Http) -> None:
    shop = Shop(local_stack)
    member = shop.member("early-bird")
    statuses = at_once([lambda: local_stack.call("POST", "/v1/me/checkins", token=member["token"])[0]] * 2)
    assert statuses == [201, 409]
    assert shop.balance(member) == 5


def test_a_partner_order_earns_points_through_the_bus(local_stack: Http) -> None:
    shop = Shop(local_stack)
    policy = local_stack.call("GET", "/v1/points/policy", token=shop.admin)[1]
    policy["earning_rules"] = [{"source": "order", "points_per_yuan": 2}]
    assert local_stack.call("PUT", "/v1/points/policy", policy, shop.admin)[0] == 200
    member = shop.member("buyer")
    detail = {
        "metadata": {
            "event_id": f"evt-{uuid.uuid4().hex}",
            "event_version": 1,
            "tenant_id": shop.tenant,
            "occurred_at": "2026-11-22T00:00:00Z",
            "correlation_id": "e2e",
        },
        "data": {"order_id": "SO-1", "contact_id": member["contact_id"], "amount_fen": 12_345, "brand": "acme"},
    }
    entry = {
        "EventBusName": "siyu-local-bus",
        "Source": "partner.shop",
        "DetailType": "OrderPaid",
        "Detail": json.dumps(detail),
    }
    assert emulator_client(local_stack, "events").put_events(Entries=[entry])["FailedEntryCount"] == 0
    assert wait_for(lambda: shop.balance(member) == 246)
    status, report = local_stack.call("POST", "/v1/points/sweeps", token=shop.admin)
    assert status == 200
    assert report["points_expired"] == 0
