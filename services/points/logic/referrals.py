"""Referral rewards: campaigns pays them (``ReferralRewardEarned``, within the program's budget),
points credits them.

A reward is an ordinary credit (``ledger.credit``), reason ``referral`` and source
``referral:<reward_id>``: the ledger records each source once, in the credit's own transaction, so
a reward delivered twice is credited once (the repeat raises ``AlreadyProcessed``). No earning rule
of kind ``referral`` exists, so no cap applies: the program's budget and per-inviter cap bound it.
"""

from __future__ import annotations

from services.points.logic import ledger
from shared.events.campaigns import ReferralRewardEarned

REASON = "referral"


def source_of(reward: ReferralRewardEarned) -> str:
    return f"referral:{reward.reward_id}"


def on_earned(tenant_id: str, reward: ReferralRewardEarned) -> None:
    ledger.credit(tenant_id, reward.contact_id, reward.points, REASON, source_of(reward), kind=REASON)
