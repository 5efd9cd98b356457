"""Events published by the campaigns service (source ``siyu.campaigns``)."""

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StrictInt

from shared.events.envelope import MAX_COUNT, CampaignPoints, EventData, Flag, Id, Key, Label, Moment

# Records in a PIPL export part (ContactExportRequested).
ExportItems = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class ContactWayOptions(EventData):
    """A channel code that is also a WeCom contact way: who takes its adds, and how many a day."""

    staff_ids: Annotated[list[Id], Field(min_length=1, max_length=100)]
    daily_add_limit: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None


class ChannelCodeCreated(EventData):
    """A new channel code; with ``wecom``, the wecom service makes it a contact way (联系我)."""

    code: Label
    campaign_id: Id
    channel: Label
    store: Label | None = None
    staff_id: Id | None = None
    wecom: ContactWayOptions | None = None
    created_at: Moment


class ScanRef(EventData):
    scan_id: Id
    contact_id: Id
    campaign_id: Id
    code: Label
    channel: Label
    store: Label | None = None
    staff_id: Id | None = None

    def ref(self) -> dict[str, Any]:
        """The scan reference alone, for the events that pass it on."""
        return self.model_dump(include=set(ScanRef.model_fields))


class QrCodeScanned(ScanRef):
    brand: Label | None = Field(default=None, description="The campaign's brand, if it has one.")
    scanned_at: AwareDatetime


UnrewardedReason = Literal["budget_exhausted", "no_reward", "invitation_rejected"]


class CampaignConversionRecorded(ScanRef):
    conversion_id: Key = Field(description="Unique per (campaign, contact): a campaign converts a contact once.")
    kind: Literal["acquisition", "engagement"]
    points: CampaignPoints = Field(description="The reward; 0 when unrewarded.")
    rewarded: Flag
    unrewarded_reason: UnrewardedReason | None = Field(
        default=None, description="Why nothing was paid; invitation_rejected: an invite link the rules refused."
    )


class CampaignsExportPartWritten(EventData):
    """Campaigns' part of a PIPL export (contacts' ContactExportRequested) is in the file store at
    ``key`` (under the campaigns prefix); contacts assembles the bundle once every part is in."""

    job_id: Id
    contact_id: Id
    key: Key = Field(description="The part's file key in the file store (a JSON document).")
    items: ExportItems = Field(description="Records the part holds.")


class InviteeQualified(EventData):
    """A referral program's invitee did the program's qualifying action: the inviter brought a new
    contact. Published once per invitee and program; ``counted`` is false when the inviter had
    already reached the program's per-inviter cap (no stage progress)."""

    campaign_id: Id
    inviter_id: Id
    invitee_id: Id
    action: Literal["phone_bound", "first_order", "wecom_added"]
    counted: Flag
    qualified: StrictInt = Field(ge=0, le=MAX_COUNT, description="The inviter's counted invitees in the program now.")
    qualified_at: AwareDatetime


class ReferralRewardEarned(EventData):
    """A referral program paid a reward: a stage reached by the inviter, the welcome of a
    qualified invitee, a member's share reward for a new visitor their link brought, or a KOC's
    task done (``<task>:task:<koc>``). Each
    ``reward_id`` is paid once; points credits it once."""

    reward_id: Key = Field(
        description="Unique per reward: <campaign>:stage<n>:<inviter>, <campaign>:welcome:<invitee> or "
        "<campaign>:share:<visitor>."
    )
    campaign_id: Id
    contact_id: Id = Field(description="Who is rewarded.")
    kind: Literal["stage", "welcome", "share", "task"]
    stage: Annotated[StrictInt, Field(ge=1, le=100)] | None = Field(default=None, description="The stage reached.")
    invitee_id: Id = Field(
        description="The invitee whose qualification (for a share, arrival) earned it; for a KOC task, the KOC."
    )
    points: CampaignPoints


# Why a qualified invitation is taken back: its invitee deleted the staff member or refunded within
# the program's window, turned out to be someone already counted (a reused phone, unionid or
# device), or turned out to have been a contact before the invitation (merged into an older one).
ClawbackReason = Literal["deleted_staff", "refunded", "identity_reused", "not_new_contact"]


class ReferralRewardReversed(EventData):
    """A paid referral reward is taken back: its invitation was (see ``reason``). Each ``reward_id``
    is reversed once; points takes the points back once, never below a zero balance."""

    reward_id: Key
    campaign_id: Id
    contact_id: Id = Field(description="Whose reward it was.")
    invitee_id: Id = Field(description="The invitee whose claw-back reverses it.")
    points: CampaignPoints = Field(description="The points the reward paid.")
    reason: ClawbackReason


class KocIdentified(EventData):
    """A contact crossed the tenant's KOC rule (enough qualified contacts downstream within the
    window, or a high enough influence score). Published once per contact."""

    contact_id: Id
    downstream: StrictInt = Field(ge=0, le=MAX_COUNT, description="Qualified contacts downstream (depth 1 to 3).")
    score: float = Field(ge=0, le=1e12, description="The influence score by the tenant's weights.")
    identified_at: AwareDatetime


EVENTS: dict[str, type[EventData]] = {
    "ChannelCodeCreated": ChannelCodeCreated,
    "QrCodeScanned": QrCodeScanned,
    "CampaignConversionRecorded": CampaignConversionRecorded,
    "CampaignsExportPartWritten": CampaignsExportPartWritten,
    "InviteeQualified": InviteeQualified,
    "ReferralRewardEarned": ReferralRewardEarned,
    "KocIdentified": KocIdentified,
    "ReferralRewardReversed": ReferralRewardReversed,
}
