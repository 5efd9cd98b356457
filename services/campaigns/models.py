"""Campaigns API models and stored entities."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, HttpUrl, StringConstraints, UrlConstraints, model_validator

from shared.events.campaigns import ClawbackReason
from shared.models import HOME_ZONE, TEXT_PATTERN, Model, Name, StrictModel, name_pattern

Status = Literal["draft", "active", "paused", "ended"]
# A channel, store or brand: a one-line name without "#" or "/" (they separate keys).
Label = Annotated[Name, StringConstraints(max_length=64, pattern=name_pattern("#/"))]
CampaignName = Annotated[Name, StringConstraints(max_length=100)]
StaffId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Points = Annotated[int, Field(ge=0, le=1_000_000)]
Budget = Annotated[int, Field(ge=0, le=1_000_000_000)]
EntryUrl = Annotated[HttpUrl, UrlConstraints(max_length=2048)]


class _Strict(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)


CampaignKind = Literal["standard", "referral"]
QualifyingAction = Literal["phone_bound", "first_order", "wecom_added"]
Invitees = Annotated[int, Field(ge=1, le=10_000)]
MAX_STAGES = 10


class ReferralStage(_Strict):
    invitees: Invitees = Field(description="Qualified invitees the inviter needs in all to reach the stage.")
    points: Points = Field(description="Points paid to the inviter once, on reaching the stage.")


class ReferralRules(_Strict):
    """A referral (裂变) program's rules: stage rewards for the inviter, a welcome for the invitee."""

    stages: list[ReferralStage] = Field(min_length=1, max_length=MAX_STAGES)
    welcome_points: Points = Field(default=0, description="Points for a qualified invitee.")
    qualifying_action: QualifyingAction = Field(
        default="phone_bound",
        description="What a new contact must do to qualify: sign in and bind a phone, place a first order, "
        "or add the assigned staff member on WeCom.",
    )
    per_inviter_cap: Invitees | None = Field(
        default=None, description="Qualified invitees counted per inviter at most (None: the last stage's)."
    )
    clawback_days: int = Field(
        default=7,
        ge=0,
        le=90,
        description="An invitee who deletes the staff member or refunds within it is clawed back.",
    )

    share_visitor_points: Points = Field(
        default=0,
        description="Points to a member for each new contact their shared invite link brings (share rewards, "
        "微积分): paid on the visitor's arrival, once per visitor, never for the share itself; 0: none.",
    )
    share_visitors_per_day: int = Field(
        default=10, ge=1, le=1000, description="New visitors a member is paid for per day, at most."
    )

    @model_validator(mode="after")
    def _stages_increase(self) -> "ReferralRules":
        for number, (before, after) in enumerate(zip(self.stages, self.stages[1:], strict=False), start=2):
            if after.invitees <= before.invitees:
                raise ValueError(f"stage {number} must need more invitees than stage {number - 1}")
        return self

    def largest_reward(self) -> int:
        return max([self.welcome_points, self.share_visitor_points, *(stage.points for stage in self.stages)])


def _rewards_within_budget(rules: "ReferralRules | None", budget: int) -> None:
    if rules is not None and rules.largest_reward() > budget:
        raise ValueError(f"a referral reward of {rules.largest_reward()} points is above the points budget ({budget})")


class CampaignFields(_Strict):
    name: CampaignName
    brand: Label | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    acquisition_points: Points = 0
    engagement_points: Points = 0
    points_budget: Budget = 0
    entry_url: EntryUrl | None = Field(
        default=None, description="The tenant's mini-program or H5 entry that opens with ?scene=<code>."
    )
    kind: CampaignKind = "standard"
    referral: ReferralRules | None = Field(default=None, description="A referral program's rules (kind referral).")

    @model_validator(mode="after")
    def _schedule(self) -> "CampaignFields":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.kind == "referral") != (self.referral is not None):
            raise ValueError("a referral campaign needs its referral rules, and only it has them")
        _rewards_within_budget(self.referral, self.points_budget)
        return self


class CampaignCreate(CampaignFields):
    pass


class CampaignPatch(_Strict):
    name: CampaignName | None = None
    brand: Label | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    acquisition_points: Points | None = None
    engagement_points: Points | None = None
    points_budget: Budget | None = None
    entry_url: EntryUrl | None = None
    referral: ReferralRules | None = None

    @model_validator(mode="after")
    def _only_optional_fields_clear(self) -> "CampaignPatch":
        """null clears brand or entry_url; every other field has to keep a value."""
        cleared = sorted(f for f in self.model_fields_set if getattr(self, f) is None and f not in CLEARABLE)
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be null")
        return self


CLEARABLE = frozenset({"brand", "entry_url"})


class Campaign(Model):
    tenant_id: str
    campaign_id: str
    name: str
    brand: str | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    acquisition_points: int = 0
    engagement_points: int = 0
    points_budget: int = 0
    points_awarded: int = 0
    entry_url: str | None = None
    kind: CampaignKind = "standard"
    referral: ReferralRules | None = None
    poster_set_at: str | None = None
    status: Status = "draft"
    created_at: str
    updated_at: str
    version: int = 1

    def rewards_within_budget(self) -> None:
        """Raises ValueError when a referral reward is above the budget (after an edit)."""
        _rewards_within_budget(self.referral, self.points_budget)


class CampaignView(Model):
    campaign_id: str
    name: str
    brand: str | None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    acquisition_points: int
    engagement_points: int
    points_budget: int
    points_awarded: int
    entry_url: str | None
    kind: CampaignKind
    referral: ReferralRules | None
    poster_set_at: str | None = Field(
        default=None,
        description="Referral programs: when staff set the poster's own background (none: the default backdrop).",
    )
    status: Status
    created_at: str
    updated_at: str
    version: int

    @classmethod
    def of(cls, campaign: Campaign) -> "CampaignView":
        return cls.model_validate(campaign.model_dump(exclude={"tenant_id"}))


class CampaignList(Model):
    items: list[CampaignView]
    next_cursor: str | None


# WeCom allows at most 100 members on a contact way (联系我) and counts adds per member and day.
MAX_CONTACT_WAY_STAFF = 100
DailyAddLimit = Annotated[int, Field(ge=1, le=10_000)]


class WeComCodeOptions(_Strict):
    """The code is also a WeCom contact way (联系我): the customer scans WeCom's QR code and adds one
    of ``staff_ids`` (WeCom shares the adds among them); the add is a scan of the code."""

    staff_ids: Annotated[list[StaffId], Field(min_length=1, max_length=MAX_CONTACT_WAY_STAFF)] = Field(
        description="The WeCom userids who take the adds in turn."
    )
    daily_add_limit: DailyAddLimit | None = Field(
        default=None,
        description="Adds per staff member and day; a member at the limit leaves the rotation until tomorrow.",
    )

    @model_validator(mode="after")
    def _distinct(self) -> "WeComCodeOptions":
        if len(set(self.staff_ids)) != len(self.staff_ids):
            raise ValueError("staff_ids must not repeat a staff member")
        return self


class CodeCreate(_Strict):
    channel: Label
    store: Label | None = None
    staff_id: StaffId | None = None
    wecom: WeComCodeOptions | None = Field(
        default=None, description="Make the code a WeCom contact way too (the wecom service creates it)."
    )


INVITE_CHANNEL = "referral"
"""The channel of a member's personal invite code (a referral program's)."""


class ChannelCode(Model):
    tenant_id: str
    code: str
    campaign_id: str
    brand: str | None = None
    channel: str
    store: str | None = None
    staff_id: str | None = None
    wecom: WeComCodeOptions | None = None
    inviter_id: str | None = Field(default=None, description="A personal invite code's member (contact id).")
    url: str
    created_at: str


class CodeView(Model):
    code: str
    campaign_id: str
    channel: str
    store: str | None
    staff_id: str | None
    wecom: WeComCodeOptions | None = Field(
        default=None, description="Its WeCom contact way's options; GET /v1/wecom/contact-ways/{code} shows the way."
    )
    url: str
    qr_svg: str
    qr_png: str
    created_at: str

    @classmethod
    def of(cls, code: ChannelCode) -> "CodeView":
        return cls(
            **code.model_dump(exclude={"tenant_id", "brand"}),
            qr_svg=f"/v1/codes/{code.code}/qr.svg",
            qr_png=f"/v1/codes/{code.code}/qr.png",
        )


class CodeList(Model):
    items: list[CodeView]
    next_cursor: str | None


# Where a shared link was opened, as WeChat tells the page: the H5's ``from`` parameter
# (groupmessage, singlemessage, timeline) or the mini-program's scene (group chat, chat, Moments).
OpenedIn = Literal["group", "chat", "moments"]

# The invite link's query parameter naming the share it was shared as (``POST /v1/me/shares``).
SHARE_PARAM = "share"


class ScanRequest(_Strict):
    code: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    share_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] | None = (
        Field(
            default=None,
            description="The share an invite link was opened from (its `share` parameter), if any.",
        )
    )
    opened_in: OpenedIn | None = Field(
        default=None,
        description="Where WeChat says the link was opened: in a group, a chat or Moments. A share to a group "
        "counts for its sharer's KOC task once someone else opens it in a group.",
    )
    device_id: Annotated[str, StringConstraints(min_length=8, max_length=128, pattern=r"^[\x21-\x7e]+$")] | None = (
        Field(
            default=None,
            description="The member's device, as the mini-program or H5 knows it: a second contact opening "
            "a program's invites on one device is not a new invitee (kept hashed).",
        )
    )


class ScanAccepted(Model):
    scan_id: str


class Counters(Model):
    scans: int = 0
    unique_scanners: int = 0
    acquired: int = 0
    engaged: int = 0
    points_awarded: int = 0
    qualified: int = Field(default=0, description="Referral programs: invitees who did the qualifying action.")
    clawed_back: int = Field(default=0, description="Referral programs: qualified invitees taken back.")
    shares: int = Field(default=0, description="Referral programs: members' shares of their invite links.")
    share_rewards: int = Field(default=0, description="Referral programs: new visitors paid to their sharers.")


class CodeStats(Counters):
    code: str
    channel: str
    store: str | None = None
    staff_id: str | None = None


class ChannelStats(Counters):
    channel: str


class StaffStats(Counters):
    staff_id: str


class CampaignStats(Counters):
    campaign_id: str
    by_code: list[CodeStats]
    by_channel: list[ChannelStats]
    by_staff: list[StaffStats]


class CampaignDay(Model):
    date: date
    scans: int = Field(description="Scans of any of the tenant's codes that day.")
    acquired: int = Field(description="Contacts a campaign acquired that day (their first campaign conversion).")
    engaged: int = Field(description="Contacts already known that a campaign converted that day.")
    conversions: int = Field(description="Conversions of every kind that day: acquired + engaged.")


class CampaignDailyStats(Model):
    zone: str = Field(description="The time zone the days are counted in.")
    days: list[CampaignDay] = Field(description="Every day of the window, oldest first (today last), zeros included.")


# This service knows no tenant time zone: its days are the product's home zone's.
BUSINESS_ZONE = HOME_ZONE


InvitationStatus = Literal["pending", "qualified", "rejected", "clawed_back"]
InvitationReason = Literal["self_invite", "not_new_contact", "cycle", "identity_reused", "deleted_staff", "refunded"]


class Invitation(Model):
    """A contact who came through a member's invite link: pending (a new contact, awaiting the
    program's qualifying action), qualified once it did it, rejected with the reason, or clawed
    back with the reason (the invitee deleted the staff member or refunded within the window)."""

    tenant_id: str
    campaign_id: str
    invitee_id: str
    inviter_id: str
    code: str
    status: InvitationStatus
    reason: InvitationReason | None = None
    invited_at: str
    qualified_at: str | None = None
    counted: bool | None = Field(
        default=None, description="Qualified and counted towards the inviter's stages (false: over the inviter's cap)."
    )


RewardKind = Literal["stage", "welcome", "share", "task"]


class ReferralReward(Model):
    """A reward a referral program owes once: the inviter's stage, or a qualified invitee's welcome.
    Unrewarded (recorded, not paid) when the budget could not cover it."""

    reward_id: str
    campaign_id: str
    contact_id: str = Field(description="Who is rewarded.")
    kind: RewardKind
    stage: int | None = None
    invitee_id: str
    points: int = Field(description="Points paid; 0 when unrewarded.")
    rewarded: bool
    unrewarded_reason: Literal["budget_exhausted", "no_reward"] | None = None
    earned_at: str
    reversed_at: str | None = Field(default=None, description="When a claw-back took it back.")
    reversal_reason: ClawbackReason | None = None


class InvitationView(Model):
    invitee_id: str
    inviter_id: str
    status: InvitationStatus
    reason: InvitationReason | None = Field(
        description="Why it was rejected (self_invite, not_new_contact, cycle) or clawed back "
        "(deleted_staff, refunded)."
    )
    invited_at: str
    qualified_at: str | None
    counted: bool | None

    @classmethod
    def of(cls, invitation: Invitation) -> "InvitationView":
        return cls.model_validate(invitation.model_dump(include=set(cls.model_fields)))


class InvitationList(Model):
    items: list[InvitationView]
    next_cursor: str | None


class MyInvitee(Model):
    status: InvitationStatus
    reason: InvitationReason | None
    invited_at: str
    qualified_at: str | None


class MyReferral(Model):
    """A referral program the member may invite to, with the member's own invite link."""

    campaign_id: str
    name: str
    code: str = Field(description="The member's personal invite code (the link's scene).")
    url: str = Field(description="The invite link: the tenant's entry opened with the code.")
    stages: list[ReferralStage]
    welcome_points: int
    qualifying_action: QualifyingAction
    ends_at: AwareDatetime
    qualified: int = Field(description="The member's invitees who qualified and count towards the stages.")
    invitees: list[MyInvitee] = Field(description="The member's latest invitees, newest first.")
    rewards: list[ReferralReward] = Field(
        description="The member's rewards from the program: stages, welcome and share rewards."
    )
    poster_url: str = Field(description="The member's poster (PNG) of this program: an API path, with the token.")


class PosterBackground(_Strict):
    image_base64: Annotated[
        str, StringConstraints(min_length=4, max_length=250_000, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
    ] = Field(
        description="The poster's background: a PNG or JPEG of at most 180 KiB and 2,000 pixels a side, "
        "base64-encoded; cover-fitted to 750 x 1334."
    )


ShareChannel = Literal["chat", "group", "moments", "poster"]


class ShareRequest(_Strict):
    campaign_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    channel: ShareChannel = Field(description="Where the member shared the link: a chat, a group, Moments, a poster.")


class ShareRecorded(Model):
    share_id: str
    campaign_id: str
    channel: ShareChannel
    shared_at: str
    url: str = Field(description="The member's invite link to share: visitors it brings are the member's.")


class MyReferralList(Model):
    items: list[MyReferral]


class LeaderboardRow(Model):
    inviter_id: str
    qualified: int = Field(description="Qualified invitees counted towards the stages.")
    points: int = Field(description="Points the inviter's stages paid.")


class Leaderboard(Model):
    items: list[LeaderboardRow]
    next_cursor: str | None


# The influence network (微网 / 微价值) -----------------------------------------------------------
MAX_DEPTH = 3
Weight = Annotated[float, Field(ge=0, le=1_000)]


class KocRule(_Strict):
    """A tenant's influence score weights and the rule that flags a contact as a KOC."""

    direct_weight: Weight = Field(default=3, description="Score per direct qualified invitee.")
    downstream_weight: Weight = Field(default=1, description="Score per qualified contact downstream (depth ≤ 3).")
    gmv_weight: Weight = Field(default=0.01, description="Score per yuan of downstream order value.")
    min_downstream: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=10, description="A KOC brought at least this many qualified contacts downstream…"
    )
    window_days: Annotated[int, Field(ge=1, le=365)] = Field(default=90, description="…within this many days.")
    min_score: Annotated[float, Field(gt=0, le=1_000_000_000)] | None = Field(
        default=None, description="Or: a KOC has at least this influence score (None: not used)."
    )

    def score(self, direct: int, downstream: int, gmv_fen: int) -> float:
        return round(
            self.direct_weight * direct + self.downstream_weight * downstream + self.gmv_weight * gmv_fen / 100, 2
        )


class Influence(Model):
    """What a contact's invitations brought, to depth 3."""

    contact_id: str
    inviter_id: str | None = Field(description="Who brought the contact, if an invitation did.")
    direct: int = Field(description="Qualified invitees the contact brought itself.")
    downstream: int = Field(description="Qualified contacts downstream, depth 1 to 3.")
    gmv_fen: int = Field(description="Order value of the downstream contacts since they joined, in fen.")
    score: float = Field(description="The tenant's weights applied to the three.")
    koc: bool
    koc_at: str | None


class NetworkNode(Model):
    contact_id: str
    depth: int = Field(description="0 for the contact asked about, then 1 to 3 downstream.")


class NetworkEdge(Model):
    inviter_id: str
    invitee_id: str
    campaign_id: str
    joined_at: str


class Network(Model):
    root: Influence
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    truncated: bool = Field(description="True when the network is larger than the size cap and was cut.")


class KocList(Model):
    items: list[Influence]
    next_cursor: str | None


# KOC tasks -------------------------------------------------------------------------------------

KocTaskKind = Literal["share_groups", "bring_visitors", "post_review"]
KocTaskStatus = Literal["in_progress", "submitted", "completed", "rejected"]
TaskTitle = Annotated[Name, StringConstraints(max_length=100)]


class KocTaskCreate(_Strict):
    """A task for the tenant's KOCs in a referral program, paid from the program's budget."""

    campaign_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    title: TaskTitle
    kind: KocTaskKind = Field(
        description="share_groups: share the program's link to N groups (POST /v1/me/shares, channel group; "
        "a share counts once someone else opens it in a group); "
        "bring_visitors: bring N new contacts through the link; post_review: post a review, approved by a manager."
    )
    target: Annotated[int, Field(ge=1, le=1_000)] = Field(default=1, description="N (1 for a review).")
    points: Annotated[int, Field(ge=1, le=1_000_000)]

    @model_validator(mode="after")
    def _one_review(self) -> "KocTaskCreate":
        if self.kind == "post_review" and self.target != 1:
            raise ValueError("a review task's target is 1")
        return self


class KocTask(KocTaskCreate):
    tenant_id: str
    task_id: str
    status: Literal["active", "ended"]
    verification: Literal["events", "manager"]
    created_at: str


class KocTaskView(Model):
    task_id: str
    campaign_id: str
    title: str
    kind: KocTaskKind
    target: int
    points: int
    status: Literal["active", "ended"]
    verification: Literal["events", "manager"]
    created_at: str


class KocTaskList(Model):
    items: list[KocTaskView]
    next_cursor: str | None


class KocTaskProgress(Model):
    """A KOC's progress on a task."""

    task_id: str
    contact_id: str
    progress: int
    status: KocTaskStatus
    submission_url: str | None = None
    submission_note: str | None = None
    submitted_at: str | None = None
    decided_at: str | None = None
    completed_at: str | None = None


class MyKocTask(KocTaskView):
    progress: int = Field(description="Groups shared to, visitors brought, or 1 once a review is approved.")
    my_status: KocTaskStatus
    submission_url: str | None = None


class MyKocTaskList(Model):
    koc: bool = Field(description="Whether the member is one of the tenant's KOCs: only KOCs get tasks.")
    items: list[MyKocTask]


class KocSubmission(_Strict):
    url: Annotated[str, StringConstraints(min_length=8, max_length=500, pattern=r"^https://\S+$")] = Field(
        description="Where the review is posted (https)."
    )
    note: Annotated[str, StringConstraints(max_length=500, pattern=TEXT_PATTERN)] = ""


class KocSubmissionList(Model):
    items: list[KocTaskProgress]
    next_cursor: str | None
