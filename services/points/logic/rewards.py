"""Rewards and redemption: a redemption takes the points (first-to-expire lots first), a unit of
stock and one of the member's allowance in one transaction, or nothing at all; cancelling gives
all three back (points to their lots while those are still valid, else as a new lot)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.points.dal import ledger as ledger_dal
from services.points.dal import rewards as dal
from services.points.logic import account_rules as rules
from services.points.logic.ledger import Plan, Planner, change, change_once, holder_id, new_entry, take_points
from services.points.models import Account, Entry, Lot
from services.points.policy import PointsPolicy
from services.points.reward_models import (
    REDEMPTION_STATUSES,
    Redemption,
    RedemptionDone,
    RedemptionRequest,
    RedemptionView,
    Reward,
    RewardCreate,
    RewardPatch,
    RewardView,
)
from shared import idempotency, ids
from shared.clock import now_rfc3339, rfc3339
from shared.dynamo import Prepare
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events.points import RedemptionCancelled, RedemptionFulfilled, RewardRedeemed

REQUIRED = ("name", "description", "cost", "active")


# ---- catalog -------------------------------------------------------------------------------


def create(tenant_id: str, request: RewardCreate, key: str | None) -> RewardView:
    reward = Reward.model_validate(
        {
            **request.model_dump(mode="json"),
            "tenant_id": tenant_id,
            "reward_id": ids.new_id("rw_"),
            "created_at": now_rfc3339(),
        }
    )
    view = RewardView.of(reward)

    def write(claim: Callable[[RewardView], Prepare]) -> RewardView:
        dal.create_reward(reward, claim(view))
        return view

    return idempotency.once_per_key(
        table=ledger_dal.table(),
        tenant_id=tenant_id,
        scope="rewards.create",
        key=key,
        request=request,
        answer_type=RewardView,
        write=write,
    )


def get(tenant_id: str, reward_id: str) -> Reward:
    reward = dal.get_reward(tenant_id, reward_id)
    if reward is None:
        raise NotFound("No such reward.")
    return reward


def catalog(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Reward], str | None]:
    """Every reward, as staff see the catalog."""
    return dal.list_rewards(tenant_id, limit, cursor)


def offered(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Reward], str | None]:
    """What a member may redeem now (inactive or out-of-window rewards are left out of the page)."""
    rewards, next_cursor = dal.list_rewards(tenant_id, limit, cursor)
    now = now_rfc3339()
    return [r for r in rewards if r.available_at(now)], next_cursor


def update(tenant_id: str, reward_id: str, patch: RewardPatch) -> Reward:
    changes: dict[str, Any] = patch.model_dump(mode="json", exclude_unset=True)
    nulls = [name for name in REQUIRED if name in changes and changes[name] is None]
    if nulls:
        raise Unprocessable(
            "These fields cannot be removed.", [{"loc": ["body", n], "msg": "may not be null"} for n in nulls]
        )
    reward = get(tenant_id, reward_id)
    merged = reward.model_copy(update=changes)
    if merged.valid_from and merged.valid_until and merged.valid_until <= merged.valid_from:
        raise Unprocessable(
            "valid_until must be after valid_from.", [{"loc": ["body", "valid_until"], "msg": "before valid_from"}]
        )
    if changes:
        dal.update_reward(reward, changes)
    return get(tenant_id, reward_id)


# ---- redemption ----------------------------------------------------------------------------


def redeem(tenant_id: str, contact_id: str, request: RedemptionRequest, key: str | None) -> RedemptionDone:
    record: dict[str, Redemption] = {}

    def build() -> Planner:
        reward = get(tenant_id, request.reward_id)
        if not reward.available_at(now_rfc3339()):
            raise Conflict("The reward is not offered now.", reason="not_available")
        return functools.partial(_redemption_plan, tenant_id, reward, ids.new_id("rd_"), record)

    def answer(after: Account, _: Entry | None) -> RedemptionDone:
        view = RedemptionView.of(record["redemption"])
        return RedemptionDone(**view.model_dump(), balance=after.balance)

    scope = f"redemptions#{contact_id}"
    return change_once(
        tenant_id,
        contact_id,
        build,
        key=key,
        scope=scope,
        request=request,
        answer_type=RedemptionDone,
        answer=answer,
    )


def _redemption_plan(
    tenant_id: str,
    reward: Reward,
    redemption_id: str,
    record: dict[str, Redemption],
    account: Account,
    _: PointsPolicy,
    now: datetime,
) -> Plan:
    if account.balance < reward.cost:
        raise Conflict(
            f"The reward costs {reward.cost} points; the balance is {account.balance}.",
            reason="insufficient_points",
        )
    after, entry = take_points(account, now, reward.cost, "debit", "reward_redeemed", f"redemption:{redemption_id}")
    redemption = Redemption(
        tenant_id=tenant_id,
        redemption_id=redemption_id,
        contact_id=account.contact_id,
        reward_id=reward.reward_id,
        reward_name=reward.name,
        points=reward.cost,
        entry_id=entry.entry_id,
        lots=entry.lots,
        created_at=rfc3339(now),
        updated_at=rfc3339(now),
    )
    record["redemption"] = redemption
    event = RewardRedeemed(
        contact_id=account.contact_id,
        entry_id=entry.entry_id,
        balance=after.balance,
        redemption_id=redemption_id,
        reward_id=reward.reward_id,
        points=reward.cost,
    )
    prepare = [
        lambda tx: dal.take_one(tx, reward),
        lambda tx: dal.count_for_member(tx, tenant_id, account.contact_id, reward),
        lambda tx: dal.create_redemption(tx, redemption),
    ]
    return Plan(after=after, entry=entry, events=[event], prepare=prepare)


def redemptions_of(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None
) -> tuple[list[Redemption], str | None]:
    """A member's redemptions, newest first: the survivor's for a contact merged into another
    (redemptions are recorded under the account that paid for them)."""
    return dal.list_redemptions(tenant_id, holder_id(tenant_id, contact_id), limit, cursor)


def tenant_redemptions(
    tenant_id: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Redemption], str | None]:
    """The tenant's redemptions (in one status, or in any), newest first: what staff fulfil or cancel."""
    statuses = [status] if status else list(REDEMPTION_STATUSES)
    return dal.list_tenant_redemptions(tenant_id, statuses, limit, cursor)


def redemption_of(tenant_id: str, redemption_id: str) -> Redemption:
    redemption = dal.get_redemption(tenant_id, redemption_id)
    if redemption is None:
        raise NotFound("No such redemption.")
    return redemption


def fulfil(tenant_id: str, redemption_id: str, actor: str) -> Redemption:
    redemption = redemption_of(tenant_id, redemption_id)
    if redemption.status != "requested":
        raise Conflict(f"The redemption was already {redemption.status}.")
    event = RedemptionFulfilled(
        redemption_id=redemption_id, contact_id=redemption.contact_id, reward_id=redemption.reward_id, actor=actor
    )
    dal.fulfil(redemption, actor, now_rfc3339(), event)
    return redemption_of(tenant_id, redemption_id)


def cancel(tenant_id: str, redemption_id: str, actor: str) -> Redemption:
    redemption = redemption_of(tenant_id, redemption_id)
    if redemption.status != "requested":
        raise Conflict(f"The redemption was already {redemption.status}.")
    reward = dal.get_reward(tenant_id, redemption.reward_id)

    def plan(account: Account, policy: PointsPolicy, now: datetime) -> Plan:
        entry_id = ids.new_id(ledger_dal.ENTRY_ID_PREFIX)
        fresh = Lot(
            lot_id=entry_id,
            points=0,
            remaining=0,
            expires_at=rules.expiry_for(policy, now),
            source=f"cancel:{redemption_id}",
        )
        lots, returned = rules.give_back(account.lots, redemption.lots, rfc3339(now), fresh)
        entry = new_entry(
            account, "restore", redemption.points, "redemption_cancelled", f"cancel:{redemption_id}", now, lots=returned
        ).model_copy(update={"entry_id": entry_id})
        after = account.model_copy(update={"balance": entry.balance_after, "lots": lots})
        event = RedemptionCancelled(
            redemption_id=redemption_id,
            contact_id=redemption.contact_id,
            reward_id=redemption.reward_id,
            points=redemption.points,
            actor=actor,
        )
        prepare = [
            lambda tx: dal.close_redemption(tx, redemption, "cancelled", actor, rfc3339(now)),
            lambda tx: dal.uncount_for_member(tx, tenant_id, redemption.contact_id, redemption.reward_id),
        ]
        if reward is not None:  # a reward removed since keeps no stock to restore
            prepare.append(lambda tx: dal.give_one_back(tx, reward))
        return Plan(after=after, entry=entry, events=[event], prepare=prepare)

    change(tenant_id, redemption.contact_id, plan)
    return redemption_of(tenant_id, redemption_id)
