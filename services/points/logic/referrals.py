"""Referral rewards: campaigns pays them (``ReferralRewardEarned``, within the program's budget),
points credits them; campaigns claws them back (``ReferralRewardReversed``), points takes them back.

A reward is an ordinary credit (``ledger.credit``), reason ``referral`` and source
``referral:<reward_id>``: the ledger records each source once, in the credit's own transaction, so
a reward delivered twice is credited once (the repeat raises ``AlreadyProcessed``). No earning rule
of kind ``referral`` exists, so no cap applies: the program's budget and per-inviter cap bound it.

A reversal (source ``referral-reversal:<reward_id>``, once) takes the reward's points back from
the lots, first to expire first, never below a zero balance: what the balance cannot cover is
recorded as unrecovered. The points no longer count as earned (tiers). A reversal that arrives
before its credit is retried until the credit is there: taking back from a balance that never had
them would be wrong.
"""

from __future__ import annotations

from datetime import datetime

from services.points.dal import ledger as dal
from services.points.logic import ledger
from services.points.logic.ledger import Plan, change, take_back
from services.points.models import Account
from services.points.policy import PointsPolicy
from shared.consumer import AlreadyProcessed
from shared.events.campaigns import ReferralRewardEarned, ReferralRewardReversed
from shared.events.points import PointsReversed

REASON = "referral"
CLAWBACK_REASON = "referral_clawed_back"


class CreditNotYetKnown(Exception):
    """The reversal came first; the queue redelivers it after its visibility timeout."""


def source_of(reward_id: str) -> str:
    return f"referral:{reward_id}"


def on_earned(tenant_id: str, reward: ReferralRewardEarned) -> None:
    ledger.credit(tenant_id, reward.contact_id, reward.points, REASON, source_of(reward.reward_id), kind=REASON)


def on_reversed(tenant_id: str, reversal: ReferralRewardReversed) -> None:
    if not dal.source_recorded(tenant_id, source_of(reversal.reward_id)):
        raise CreditNotYetKnown(f"reward {reversal.reward_id} is not credited yet")
    source = f"referral-reversal:{reversal.reward_id}"
    if dal.source_recorded(tenant_id, source):  # a repeat: its plan would take the points twice
        raise AlreadyProcessed(f"{source} was already applied")
    due = reversal.points

    def plan(account: Account, policy: PointsPolicy, now: datetime) -> Plan:
        after, entry = take_back(account, policy, now, due, CLAWBACK_REASON, source)
        taken = -entry.points
        event = PointsReversed(
            contact_id=account.contact_id,
            entry_id=entry.entry_id,
            balance=after.balance,
            reward_id=reversal.reward_id,
            points=taken,
            unrecovered=due - taken,
            lifetime_earned=after.lifetime_earned,
        )
        return Plan(after=after, entry=entry, events=[event])

    change(tenant_id, reversal.contact_id, plan)
