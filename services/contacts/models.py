"""Contacts API models (input and output) and the stored entity."""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from shared.models import HOME_ZONE, Model, Name, StrictModel, name_pattern

# Tags name keys ("#" and "/" separate their parts).
Tag = Annotated[Name, StringConstraints(max_length=64, pattern=name_pattern("#/"))]
StaffId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
TENANT_WIDE = "*"  # the owner key for "every brand"; real brand names cannot contain it
Brand = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^(\*|[A-Za-z0-9_.-]+)$")]
AttributeValue = str | int | bool
# What a client may set as a custom attribute: a short text, a number DynamoDB holds exactly (at
# most 38 digits; these stay far below) or a flag.
AttributeInput = (
    Annotated[Name, StringConstraints(max_length=500)] | Annotated[int, Field(ge=-(10**15), le=10**15)] | bool
)
# Keys of maps a client sends: never empty (DynamoDB map keys name attributes), short, one line.
Key = Annotated[Name, StringConstraints(max_length=64)]
PersonName = Annotated[Name, StringConstraints(max_length=100)]
# An identity a client gives (phone, email, WeChat ids): one line, no control characters.
IdentityValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=name_pattern())]
Gender = Literal["male", "female", "other", "unknown"]
MAX_TAGS = 50
MAX_APPS = 10
CORP_KIND = "external_userid:"  # the identity kind of a WeCom customer in one corp: external_userid:<corp_id>


class _Strict(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class Identities(Model):
    phone: str | None = None
    email: str | None = None
    unionid: str | None = None
    external_userid: str | None = None
    openids: dict[str, str] = Field(default_factory=dict, description="WeChat openid per app id.")
    external_userids: dict[str, str] = Field(
        default_factory=dict, description="WeCom external_userid per corp id (the wecom service's customers)."
    )

    def by_kind(self) -> dict[str, str]:
        """Identity kind → value, for every identity present. The kinds are phone, email,
        unionid, external_userid, openid:<app_id> (an openid is unique per app only) and
        external_userid:<corp_id> (WeCom's external_userid is unique per corp only)."""
        single = {
            "phone": self.phone,
            "email": self.email,
            "unionid": self.unionid,
            "external_userid": self.external_userid,
        }
        found = {kind: value for kind, value in single.items() if value}
        found.update({f"openid:{app_id}": openid for app_id, openid in self.openids.items() if openid})
        found.update({f"{CORP_KIND}{corp_id}": user for corp_id, user in self.external_userids.items() if user})
        return found


class Profile(_Strict):
    """Fields a member may change about themselves."""

    name: PersonName | None = None
    gender: Gender | None = None
    city: PersonName | None = None
    birthday: date | None = None


class StaffProfile(Profile):
    attributes: dict[Key, AttributeInput] | None = Field(default=None, max_length=50, description="Custom attributes.")
    consent: dict[Key, Annotated[dict[Key, bool], Field(max_length=20)]] | None = Field(
        default=None, max_length=20, description="Consent per channel and purpose, e.g. {'sms': {'marketing': false}}."
    )
    phone: Annotated[IdentityValue, Field(max_length=32)] | None = None
    email: Annotated[IdentityValue, Field(max_length=254)] | None = None
    unionid: Annotated[IdentityValue, Field(max_length=128)] | None = None
    external_userid: Annotated[IdentityValue, Field(max_length=128)] | None = None


class ContactCreate(StaffProfile):
    openids: dict[Key, Annotated[IdentityValue, Field(max_length=128)]] = Field(
        default_factory=dict, max_length=MAX_APPS
    )
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    owner: StaffId | None = Field(default=None, description="Tenant-wide owner staff id.")


class ContactPatch(StaffProfile):
    pass


class MemberPatch(Profile):
    pass


class OwnerChange(_Strict):
    staff_id: StaffId | None = Field(description="The new owner, or null to clear.")
    brand: Brand = Field(default=TENANT_WIDE, description="A brand, or '*' for the tenant-wide owner.")


class WechatLogin(_Strict):
    tenant_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    app_id: Annotated[IdentityValue, Field(max_length=64)]
    code: Annotated[IdentityValue, Field(max_length=256)]
    kind: Literal["mini_program", "web"] = Field(
        default="mini_program",
        description="mini_program: a wx.login code; web: a WeChat web-page OAuth code (the member H5 in WeChat).",
    )


# A contact's stage in its life with the brand (kept in its insight, logic/insight.py).
LifecycleStage = Literal["new", "growing", "mature", "dormant", "churned"]


class Contact(Model):
    """The stored profile."""

    tenant_id: str
    contact_id: str
    name: str | None = None
    gender: Gender | None = None
    city: str | None = None
    birthday: date | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    consent: dict[str, dict[str, bool]] = Field(default_factory=dict)
    identities: Identities = Field(default_factory=Identities)
    tags: list[str] = Field(default_factory=list)
    owners: dict[str, str] = Field(default_factory=dict)
    source: dict[str, str] | None = None
    erased: bool = False
    # Merging (see logic/merging.py): an alias keeps only its id and the survivor it resolves to;
    # a survivor lists every contact merged into it, so a timeline can read theirs too.
    merged_into: str | None = None
    merged_from: list[str] = Field(default_factory=list)
    created_at: str
    updated_at: str
    version: int = 1

    @property
    def is_alias(self) -> bool:
        return self.merged_into is not None


class ContactView(Model):
    contact_id: str
    name: str | None
    gender: Gender | None
    city: str | None
    birthday: date | None
    attributes: dict[str, AttributeValue]
    consent: dict[str, dict[str, bool]]
    identities: Identities
    tags: list[str]
    owners: dict[str, str]
    lifecycle_stage: LifecycleStage = Field(
        description="Its stage now, from its insight (GET /v1/contacts/{id}/insight)."
    )
    source: dict[str, str] | None
    merged_from: list[str] = Field(
        default_factory=list, description="Contacts merged into this one; their ids resolve to it."
    )
    created_at: str
    updated_at: str
    version: int

    @classmethod
    def of(cls, contact: Contact, lifecycle_stage: LifecycleStage = "new") -> "ContactView":
        fields = contact.model_dump(exclude={"tenant_id", "erased", "merged_into"})
        return cls.model_validate({**fields, "lifecycle_stage": lifecycle_stage})


class MemberView(Model):
    """What a member sees of themselves: no internal tags, owners or staff-only attributes."""

    contact_id: str
    name: str | None
    gender: Gender | None
    city: str | None
    birthday: date | None
    identities: Identities
    created_at: str

    @classmethod
    def of(cls, contact: Contact) -> "MemberView":
        return cls.model_validate(contact.model_dump(include=set(cls.model_fields)))


class ContactList(Model):
    items: list[ContactView]
    next_cursor: str | None


class ContactName(Model):
    contact_id: str = Field(description="The id asked for.")
    survivor_id: str = Field(description="The contact it stands for now: itself, or the one it was merged into.")
    display_name: str | None = Field(description="The name, else the phone, else the email; none if none is known.")


class ContactNameList(Model):
    items: list[ContactName] = Field(
        description="The ids asked for, in their order, less those the caller may not see or that are gone."
    )


class LoginAnswer(Model):
    token: str
    contact_id: str
    expires_at: str


# A campaign id as a filter value (the ids campaigns issues: a prefix and a ULID).
CampaignId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class ContactDay(Model):
    date: date
    new_contacts: int = Field(description="Contacts created that day: by staff, at a first login, as an order's buyer.")


class ContactDailyStats(Model):
    zone: str = Field(description="The time zone the days are counted in.")
    days: list[ContactDay] = Field(description="Every day of the window, oldest first (today last), zeros included.")


ContactIdValue = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class MergeRequest(_Strict):
    from_contact_id: ContactIdValue = Field(description="The other contact; the older of the two survives.")
    reason: Annotated[Name, StringConstraints(max_length=500)] = Field(description="Why staff merge them.")


class PhoneBinding(_Strict):
    code: Annotated[IdentityValue, Field(max_length=256)] = Field(
        description="The code of the mini-program's getPhoneNumber button (exchanged with WeChat)."
    )


MergeActorKind = Literal["staff", "member", "system"]


class MergeActor(Model):
    kind: MergeActorKind
    id: str | None = Field(default=None, description="The staff id or the member's contact id; null for the system.")


class MergeEntry(Model):
    """One merge: who survived, who was absorbed, on what evidence, by whom and when."""

    merge_id: str
    survivor_id: str
    alias_id: str
    evidence: str = Field(description="The identity kind both held or presented (phone, unionid…), or 'manual'.")
    actor: MergeActor
    reason: str | None = None
    merged_at: str
    tags_dropped: list[str] = Field(default_factory=list, description="Tags beyond the cap, not carried over.")
    identities_released: list[str] = Field(
        default_factory=list, description="Identity kinds of the alias the survivor already held a value of."
    )


class MergeList(Model):
    items: list[MergeEntry]
    next_cursor: str | None


class MergeCandidate(Model):
    """Two contacts that may be one person but were not merged automatically."""

    candidate_id: str
    contact_ids: list[str] = Field(description="The two contacts (resolved to their survivors).")
    evidence: str = Field(description="The identity kind that tied them.")
    conflicts: list[str] = Field(description="Identity kinds they hold different values of (why not merged).")
    found_at: str


class MergeCandidateList(Model):
    items: list[MergeCandidate]
    next_cursor: str | None


# This service knows no tenant time zone: its days are the product's home zone's.
BUSINESS_ZONE = HOME_ZONE


# Timeline ------------------------------------------------------------------
# What a timeline entry can be: the detail-type of the event that reported the fact, but for the
# facts contacts records itself (a scan, a login) and an order whose buyer contacts identified
# (OrderBuyerIdentified is recorded as OrderPaid: one type per fact, however the buyer was named).
TimelineType = Literal[
    "QrCodeScanned",
    "MemberLoggedIn",
    "ContactCreated",
    "ContactTagged",
    "ContactUntagged",
    "ContactOwnerChanged",
    "ContactsMerged",
    "CampaignConversionRecorded",
    "OrderPaid",
    "OrderRefunded",
    "PointsAwarded",
    "PointsReversed",
    "PointsExpired",
    "PointsAdjusted",
    "RewardRedeemed",
    "RedemptionFulfilled",
    "RedemptionCancelled",
    "TierChanged",
    "CaseOpened",
    "CaseStatusChanged",
    "CaseRated",
    "WeComContactAdded",
    "WeComContactRemoved",
]
SummaryValue = str | int | bool | list[str] | None


class TimelineEntry(Model):
    """One fact about a contact, as contacts keeps it (its own copy, from the event)."""

    event_id: str = Field(
        description="The id of the event that reported the fact (a scan: its scan id; a login: its own id): "
        "each fact is recorded once."
    )
    type: TimelineType
    occurred_at: str = Field(description="When it happened (the event's occurred_at; a scan: when it was scanned).")
    source: str = Field(description="The service that reported it: siyu.points, siyu.cases, partner.<shop>…")
    summary: dict[str, SummaryValue] = Field(
        default_factory=dict,
        description="Non-personal details (ids, points, tag, brand, status, rating, amount_fen…); never an identity.",
    )


class TimelineList(Model):
    items: list[TimelineEntry] = Field(description="Newest first. A filtered page may be short; follow next_cursor.")
    next_cursor: str | None


# Facts, RFM and lifecycle --------------------------------------------------
# The eight classic RFM groups: recency, frequency and monetary value each high or low against the
# tenant's average (R high = bought more recently than average).
RfmGroup = Literal["重要价值", "重要发展", "重要保持", "重要挽留", "一般价值", "一般发展", "一般保持", "一般挽留"]
RfmScore = Annotated[int, Field(ge=1, le=5)]


class DayOrders(Model):
    count: int = 0
    amount_fen: int = Field(default=0, description="Paid less refunded, in fen.")


class Rfm(Model):
    recency: RfmScore
    frequency: RfmScore
    monetary: RfmScore
    group: RfmGroup
    computed_at: str = Field(description="When the nightly batch scored the tenant's distribution.")


class WeComFriendship(Model):
    """One WeCom friendship of the contact (a staff member of a corp), as contacts last heard of it:
    its generation (1 for the first add, +1 for each add after a removal) and whether it is on."""

    generation: int
    active: bool


class Insight(Model):
    """What contacts derives about a contact from its facts (stored beside its profile)."""

    tenant_id: str
    contact_id: str
    created_at: str | None = Field(default=None, description="When the contact was created (its first fact).")
    first_active_at: str | None = None
    last_active_at: str | None = None
    last_order_at: str | None = None
    # Orders per business day over the last 365 days (older days are dropped as facts arrive and
    # when the window is read): the 365-day count and amount come from it.
    order_days: dict[str, DayOrders] = Field(default_factory=dict)
    orders_total: int = Field(default=0, description="Orders paid, ever.")
    points_earned: int = Field(default=0, description="Points earned, ever (the points service's lifetime figure).")
    points_balance: int | None = None
    points_at: str | None = Field(default=None, description="When the balance figure was reported (newest wins).")
    points_tier: str | None = None
    tier_at: str | None = None
    lifecycle: LifecycleStage = "new"
    lifecycle_since: str | None = None
    rfm: Rfm | None = None
    # Lead score (logic/scoring.py): thousandths of a point as of ``lead_as_of`` (it decays from
    # there), its grade then, and each rule's points per business day of the last days (caps).
    lead_millis: int = 0
    lead_as_of: str | None = None
    lead_grade: Literal["A", "B", "C", "D"] = "D"
    lead_caps: dict[str, dict[str, int]] = Field(default_factory=dict)
    # WeCom friendships by "{staff_id}@{corp_id}" (logic/insight.py ``with_wecom``), and when the
    # customer's removal of a staff member left none on (流失): churned from then until activity.
    wecom_friends: dict[str, WeComFriendship] = Field(default_factory=dict)
    wecom_lost_at: str | None = None
    due_at: str | None = Field(default=None, description="The next time-driven check (the sweep's index).")
    folded: list[str] = Field(default_factory=list, description="Merged contacts whose facts were added in.")
    version: int = 0


class LifecycleRules(_Strict):
    """A tenant's lifecycle rules (defaults when it set none)."""

    growing_after_points: Annotated[int, Field(ge=1, le=10**9)] = Field(
        default=100, description="Growing after the first order, or once this many points were earned."
    )
    mature_after_orders: Annotated[int, Field(ge=2, le=10_000)] = Field(
        default=3, description="Mature after so many orders."
    )
    dormant_after_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=30, description="Dormant after days without activity."
    )
    churned_after_days: Annotated[int, Field(ge=2, le=3650)] = Field(
        default=90, description="Churned after days without activity."
    )

    @model_validator(mode="after")
    def _churn_after_dormancy(self) -> "LifecycleRules":
        if self.churned_after_days <= self.dormant_after_days:
            raise ValueError("churned_after_days must be more than dormant_after_days")
        return self


class InsightView(Model):
    """GET /v1/contacts/{id}/insight: the contact's facts, RFM and lifecycle."""

    contact_id: str
    lifecycle: LifecycleStage
    lifecycle_since: str | None
    first_active_at: str | None
    last_active_at: str | None
    last_order_at: str | None
    orders_365: int = Field(description="Orders paid over the last 365 days.")
    amount_365_fen: int = Field(description="Paid less refunded over the last 365 days, in fen.")
    orders_total: int
    points_earned: int
    points_balance: int | None
    points_tier: str | None
    rfm: Rfm | None = Field(
        description="Scored nightly among the tenant's buyers of the last 365 days; null: no order."
    )
    lead_score: int = Field(description="Today's lead score (decayed), rounded; the breakdown: GET …/score.")
    lead_grade: Literal["A", "B", "C", "D"]
    next_check_at: str | None = Field(
        description="When time alone may change the stage (dormant, churned) or lower the lead grade."
    )
