"""Staff adjustments: a signed correction with a reason and the actor; never below a zero balance."""

from __future__ import annotations

from datetime import datetime

from services.points.logic.accounts import require_writable
from services.points.logic.ledger import Plan, add_lot, change_once, take_points
from services.points.models import Account, AdjustmentDone, AdjustmentRequest, Entry
from services.points.policy import PointsPolicy
from shared import ids
from shared.errors import Unprocessable
from shared.events.points import PointsAdjusted


def adjust(tenant_id: str, contact_id: str, request: AdjustmentRequest, actor: str, key: str | None) -> AdjustmentDone:
    if request.points == 0:
        raise Unprocessable("An adjustment changes the balance.", [{"loc": ["body", "points"], "msg": "must not be 0"}])
    require_writable(tenant_id, contact_id)
    source = f"adjustment:{ids.new_id()}"

    def plan(account: Account, policy: PointsPolicy, now: datetime) -> Plan:
        if request.points > 0:
            after, entry = add_lot(
                account, policy, now, request.points, "adjustment", request.reason, source, earned=True, actor=actor
            )
        else:
            after, entry = take_points(account, now, -request.points, "adjustment", request.reason, source, actor=actor)
        event = PointsAdjusted(
            contact_id=account.contact_id,
            entry_id=entry.entry_id,
            balance=after.balance,
            points=request.points,
            reason=request.reason,
            actor=actor,
        )
        return Plan(after=after, entry=entry, events=[event])

    def answer(after: Account, entry: Entry | None) -> AdjustmentDone:
        assert entry is not None
        return AdjustmentDone(entry=entry, balance=after.balance)

    return change_once(
        tenant_id,
        contact_id,
        lambda: plan,
        key=key,
        scope=f"adjustment#{contact_id}",
        request=request,
        answer_type=AdjustmentDone,
        answer=answer,
    )
