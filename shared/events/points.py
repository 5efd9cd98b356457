"""Events published by the points service (source ``siyu.points``)."""

from pydantic import Field

from shared.events.envelope import EventData


class LedgerChanged(EventData):
    contact_id: str
    entry_id: str
    balance: int = Field(description="The account's balance after the change.")


class PointsAwarded(LedgerChanged):
    points: int = Field(gt=0)
    lifetime_earned: int
    reason: str = Field(description="Why, e.g. campaign_acquisition, checkin, order.")
    source: str = Field(description="What caused it, e.g. conversion:<conversion_id>; unique per award.")


class PointsReversed(LedgerChanged):
    order_id: str
    refund_id: str
    points: int = Field(ge=0, description="Points taken back from the balance.")
    unrecovered: int = Field(ge=0, description="Points owed back that the balance could not cover.")
    lifetime_earned: int


class PointsExpired(LedgerChanged):
    lot_id: str
    points: int = Field(gt=0)
    expires_at: str


class PointsExpiring(EventData):
    """A warning: these points expire soon unless they are spent."""

    contact_id: str
    points: int = Field(gt=0)
    expires_at: str


class PointsAdjusted(LedgerChanged):
    points: int = Field(description="Signed: negative for a debit.")
    reason: str
    actor: str


class RewardRedeemed(LedgerChanged):
    redemption_id: str
    reward_id: str
    points: int = Field(ge=0)


class RedemptionFulfilled(EventData):
    redemption_id: str
    contact_id: str
    reward_id: str
    actor: str


class RedemptionCancelled(EventData):
    redemption_id: str
    contact_id: str
    reward_id: str
    points: int = Field(ge=0, description="Points given back.")
    actor: str


class TierChanged(EventData):
    contact_id: str
    previous_tier: str | None
    tier: str
    earned_in_window: int


class PointsAccountsMerged(EventData):
    contact_id: str = Field(description="The surviving contact.")
    merged_contact_id: str = Field(description="The contact whose points moved.")
    points: int = Field(ge=0)
    lifetime_earned: int


EVENTS: dict[str, type[EventData]] = {
    "PointsAwarded": PointsAwarded,
    "PointsReversed": PointsReversed,
    "PointsExpired": PointsExpired,
    "PointsExpiring": PointsExpiring,
    "PointsAdjusted": PointsAdjusted,
    "RewardRedeemed": RewardRedeemed,
    "RedemptionFulfilled": RedemptionFulfilled,
    "RedemptionCancelled": RedemptionCancelled,
    "TierChanged": TierChanged,
    "PointsAccountsMerged": PointsAccountsMerged,
}
