"""Events published by the points service (source ``siyu.points``)."""

from typing import Annotated

from pydantic import Field, StrictInt

from shared.events.envelope import (
    MAX_COUNT,
    Balance,
    EntryPoints,
    EventData,
    Id,
    Key,
    Label,
    Moment,
    PositiveEntryPoints,
    Reason,
    SignedEntryPoints,
    TotalPoints,
)

# Records in a PIPL export part (ContactExportRequested).
ExportItems = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class LedgerChanged(EventData):
    contact_id: Id
    entry_id: Id
    balance: Balance = Field(description="The account's balance after the change.")


class PointsAwarded(LedgerChanged):
    points: PositiveEntryPoints
    lifetime_earned: TotalPoints
    reason: Label = Field(description="Why, e.g. campaign_acquisition, checkin, order.")
    source: Key = Field(description="What caused it, e.g. conversion:<conversion_id>; unique per award.")


class PointsReversed(LedgerChanged):
    """Points taken back: an order's refund (``order_id``, ``refund_id``) or a referral reward's
    claw-back (``reward_id``)."""

    order_id: Id | None = None
    refund_id: Id | None = None
    reward_id: Key | None = Field(default=None, description="The referral reward taken back.")
    points: EntryPoints = Field(description="Points taken back from the balance.")
    unrecovered: EntryPoints = Field(description="Points owed back that the balance could not cover.")
    lifetime_earned: TotalPoints


class PointsExpired(LedgerChanged):
    lot_id: Id
    points: PositiveEntryPoints
    expires_at: Moment


class PointsExpiring(EventData):
    """A warning: these points expire soon unless they are spent."""

    contact_id: Id
    points: PositiveEntryPoints
    expires_at: Moment


class PointsAdjusted(LedgerChanged):
    points: SignedEntryPoints = Field(description="Signed: negative for a debit.")
    reason: Reason
    actor: Id


class RewardRedeemed(LedgerChanged):
    redemption_id: Id
    reward_id: Id
    points: EntryPoints


class RedemptionFulfilled(EventData):
    redemption_id: Id
    contact_id: Id
    reward_id: Id
    actor: Id


class RedemptionCancelled(EventData):
    redemption_id: Id
    contact_id: Id
    reward_id: Id
    points: EntryPoints = Field(description="Points given back.")
    actor: Id


class TierChanged(EventData):
    contact_id: Id
    previous_tier: Label | None
    tier: Label
    earned_in_window: TotalPoints


class PointsAccountsMerged(EventData):
    contact_id: Id = Field(description="The surviving contact.")
    merged_contact_id: Id = Field(description="The contact whose points moved.")
    points: TotalPoints
    lifetime_earned: TotalPoints


class PointsExportPartWritten(EventData):
    """Points' part of a PIPL export (contacts' ContactExportRequested) is in the file store at
    ``key`` (under the points prefix); contacts assembles the bundle once every part is in."""

    job_id: Id
    contact_id: Id
    key: Key = Field(description="The part's file key in the file store (a JSON document).")
    items: ExportItems = Field(description="Records the part holds.")


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
    "PointsExportPartWritten": PointsExportPartWritten,
}
