"""Rewards and redemption routes. Parse, authorise, call the logic, shape the answer.

The rewards logic is imported when a route first needs it (see ledger_routes)."""

from __future__ import annotations

from typing import Annotated

from services.points.handlers.resolver import api
from services.points.reward_models import (
    RedemptionDone,
    RedemptionList,
    RedemptionRequest,
    RedemptionStatus,
    RedemptionView,
    RewardCreate,
    RewardList,
    RewardPatch,
    RewardView,
)
from shared.auth.principal import MemberPrincipal
from shared.params import Cursor, Id, Limit, Query

StatusFilter = Annotated[RedemptionStatus | None, Query(description="Only redemptions in this status.")]


@api.route("POST /v1/rewards", status=201, idempotent=True)
def create_reward(body: RewardCreate) -> RewardView:
    """Add a reward to the catalog (accepts Idempotency-Key)."""
    from services.points.logic import rewards

    return rewards.create(api.staff().tenant_id, body, api.idempotency_key())


@api.route("GET /v1/rewards")
def list_rewards(limit: Limit = 50, cursor: Cursor = None) -> RewardList:
    """Staff see the whole catalog; members see what they can redeem now."""
    from services.points.logic import rewards

    principal = api.principal()
    if isinstance(principal, MemberPrincipal):
        found, next_cursor = rewards.offered(principal.tenant_id, limit, cursor)
    else:
        found, next_cursor = rewards.catalog(principal.tenant_id, limit, cursor)
    return RewardList(items=[RewardView.of(r) for r in found], next_cursor=next_cursor)


@api.route("PATCH /v1/rewards/{reward_id}")
def patch_reward(reward_id: Id, body: RewardPatch) -> RewardView:
    """Change a reward: name, cost, stock left, per-member limit, validity, brand, active."""
    from services.points.logic import rewards

    return RewardView.of(rewards.update(api.staff().tenant_id, reward_id, body))


@api.route("POST /v1/me/redemptions", status=201, idempotent=True, errors=(404,))
def redeem(body: RedemptionRequest) -> RedemptionDone:
    """Redeem a reward: points, stock and the member's limit change together or not at all
    (accepts Idempotency-Key)."""
    from services.points.logic import rewards

    member = api.member()
    return rewards.redeem(member.tenant_id, member.contact_id, body, api.idempotency_key())


@api.route("GET /v1/me/redemptions")
def my_redemptions(limit: Limit = 50, cursor: Cursor = None) -> RedemptionList:
    """The member's redemptions, newest first."""
    from services.points.logic import rewards

    member = api.member()
    found, next_cursor = rewards.redemptions_of(member.tenant_id, member.contact_id, limit, cursor)
    return RedemptionList(items=[RedemptionView.of(r) for r in found], next_cursor=next_cursor)


@api.route("GET /v1/redemptions")
def list_redemptions(limit: Limit = 50, cursor: Cursor = None, status: StatusFilter = None) -> RedemptionList:
    """The tenant's redemptions, newest first, optionally in one status (staff: to fulfil or cancel them)."""
    from services.points.logic import rewards

    found, next_cursor = rewards.tenant_redemptions(api.staff().tenant_id, status, limit, cursor)
    return RedemptionList(items=[RedemptionView.of(r) for r in found], next_cursor=next_cursor)


@api.route("POST /v1/redemptions/{redemption_id}/fulfil")
def fulfil(redemption_id: Id) -> RedemptionView:
    """Mark a requested redemption as handed over."""
    from services.points.logic import rewards

    staff = api.staff()
    return RedemptionView.of(rewards.fulfil(staff.tenant_id, redemption_id, staff.staff_id))


@api.route("POST /v1/redemptions/{redemption_id}/cancel")
def cancel(redemption_id: Id) -> RedemptionView:
    """Cancel a requested redemption: points back (to their lots while valid), stock back."""
    from services.points.logic import rewards

    staff = api.staff()
    return RedemptionView.of(rewards.cancel(staff.tenant_id, redemption_id, staff.staff_id))
