"""Consumer: campaigns' ReferralRewardEarned / ReferralRewardReversed → a credit on the rewarded
contact's account, or its reversal, once per reward."""

from __future__ import annotations

from services.points.logic import referrals
from services.points.service import REFERRALS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.campaigns import ReferralRewardEarned, ReferralRewardReversed
from shared.events.envelope import Envelope


def on_earned(event: Envelope[ReferralRewardEarned]) -> None:
    referrals.on_earned(event.metadata.tenant_id, event.data)


def on_reversed(event: Envelope[ReferralRewardReversed]) -> None:
    referrals.on_reversed(event.metadata.tenant_id, event.data)


handler = EventConsumer(
    name=REFERRALS_CONSUMER.name,
    handlers={"ReferralRewardEarned": on_earned, "ReferralRewardReversed": on_reversed},
)
