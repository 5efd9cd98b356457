"""The ledger's invariants under random sequences of everything that moves points.

After every step: balance = Σ entries = Σ points left in lots ≥ 0, and lifetime earned =
Σ credits (and positive adjustments) - reversals. Steps run through the real logic and data
layer against the emulator: credits (some delivered twice), orders and refunds, redemptions and
their cancellation, adjustments, policy changes and expiry runs in the future."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.stack import LocalStack
from services.points.dal import ledger as dal
from services.points.logic import adjustments, ledger, orders, rewards, sweep
from services.points.models import AdjustmentRequest, SweepReport
from services.points.policy import EarningRule, Expiry, PointsPolicy
from services.points.reward_models import RedemptionRequest, RewardCreate
from shared.clock import utc_now
from shared.consumer import AlreadyProcessed
from shared.errors import Conflict
from shared.events.partner import OrderPaid, OrderRefunded

PARTNER = "partner.shop"

steps = st.one_of(
    st.tuples(st.just("credit"), st.integers(1, 50), st.booleans()),
    st.tuples(st.just("order"), st.integers(100, 20_000), st.booleans()),
    st.tuples(st.just("refund"), st.integers(0, 5), st.integers(1, 20_000)),
    st.tuples(st.just("redeem"), st.integers(1, 60), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("adjust"), st.integers(-40, 40).filter(bool), st.booleans()),
    st.tuples(st.just("policy"), st.integers(1, 5), st.booleans()),
    st.tuples(st.just("expire"), st.integers(0, 7), st.booleans()),
)


def check_invariants(tenant: str, contact: str) -> None:
    account = dal.get_account(tenant, contact)
    entries: list[Any] = []
    cursor = None
    while True:
        page, cursor = dal.list_entries(tenant, contact, 200, cursor)
        entries += page
        if cursor is None:
            break
    assert account.balance >= 0
    assert account.balance == sum(e.points for e in entries)
    assert account.balance == sum(lot.remaining for lot in account.lots)
    assert all(lot.remaining >= 0 for lot in account.lots)
    assert account.lifetime_earned == sum(e.earned for e in entries)
    for entry in entries:  # each entry's lot movements add up to its change
        if entry.type not in ("reversal",):
            assert sum(d.points for d in entry.lots) == entry.points or entry.points == 0


class Run:
    def __init__(self) -> None:
        self.tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.contact = f"c-{uuid.uuid4().hex[:8]}"
        self.orders: list[str] = []
        self.redemptions: list[str] = []
        self.count = 0
        dal.put_policy(self.tenant, self.policy(3), "s1", "2026-01-01T00:00:00Z")

    @staticmethod
    def policy(days: int) -> PointsPolicy:
        return PointsPolicy(
            expiry=Expiry(rule="after_days", days=days),
            earning_rules=[EarningRule(source="order", points_per_yuan=1)],
        )

    def step(self, kind: str, number: int, flag: bool) -> None:
        self.count += 1
        handler = getattr(self, f"do_{kind}")
        try:
            handler(number, flag)
        except AlreadyProcessed:  # a repeat the ledger recognised: nothing to check
            return
        except Conflict as error:
            refusal = error.detail
        else:
            return
        # The only refusals allowed: not enough points, or a redemption no longer open.
        assert "points" in refusal or "no longer open" in refusal or "already" in refusal

    def do_credit(self, points: int, twice: bool) -> None:
        source = f"test:{self.count}"
        for _ in range(2 if twice else 1):
            with contextlib.suppress(AlreadyProcessed):
                # Half the credits guess the account is new, as a scan's acquisition does: a wrong
                # guess must cost a retry, never a lost update.
                guess = self.count % 2 == 0
                ledger.credit(
                    self.tenant, self.contact, points, "test", source, kind="campaign", expect_new_account=guess
                )

    def do_order(self, amount: int, twice: bool) -> None:
        order_id = f"o{self.count}"
        self.orders.append(order_id)
        paid = OrderPaid(order_id=order_id, contact_id=self.contact, amount_fen=amount, brand="acme")
        for _ in range(2 if twice else 1):
            with contextlib.suppress(AlreadyProcessed):
                orders.on_paid(self.tenant, PARTNER, paid)

    def do_refund(self, index: int, amount: int) -> None:
        if not self.orders:
            return
        order_id = self.orders[index % len(self.orders)]
        refund = OrderRefunded(order_id=order_id, refund_id=f"r{self.count}", amount_fen=amount)
        orders.on_refunded(self.tenant, PARTNER, refund)
        with pytest.raises(AlreadyProcessed):  # the same refund again changes nothing
            orders.on_refunded(self.tenant, PARTNER, refund)

    def do_redeem(self, cost: int, with_key: bool) -> None:
        created = rewards.create(self.tenant, RewardCreate(name=f"r{self.count}", cost=cost, stock=3), None)
        request = RedemptionRequest(reward_id=created.reward_id)
        key = f"k{self.count}" if with_key else None
        answer = rewards.redeem(self.tenant, self.contact, request, key)
        self.redemptions.append(answer.redemption_id)
        if key:  # a replay answers the same and takes nothing more
            assert rewards.redeem(self.tenant, self.contact, request, key) == answer

    def do_cancel(self, index: int, _: bool) -> None:
        if self.redemptions:
            rewards.cancel(self.tenant, self.redemptions[index % len(self.redemptions)], "s1")

    def do_adjust(self, points: int, _: bool) -> None:
        dal.note_contact(self.tenant, self.contact, "e")
        adjustments.adjust(self.tenant, self.contact, AdjustmentRequest(points=points, reason="fix"), "s1", None)

    def do_policy(self, days: int, _: bool) -> None:
        dal.put_policy(self.tenant, self.policy(days), "s1", "2026-01-01T00:00:00Z")

    def do_expire(self, days_ahead: int, _: bool) -> None:
        moment = utc_now() + timedelta(days=days_ahead)
        first = SweepReport()
        sweep.sweep_account(self.tenant, self.contact, moment, first)
        before = dal.get_account(self.tenant, self.contact)
        again = SweepReport()
        sweep.sweep_account(self.tenant, self.contact, moment, again)  # a second run changes nothing
        assert again.points_expired == 0
        assert dal.get_account(self.tenant, self.contact).balance == before.balance


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(steps, min_size=1, max_size=12))
def test_ledger_invariants_hold_after_every_step(stack: LocalStack, sequence: list[tuple[str, int, bool]]) -> None:
    run = Run()
    for kind, number, flag in sequence:
        run.step(kind, number, flag)
        check_invariants(run.tenant, run.contact)
